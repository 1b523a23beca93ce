using System.Buffers;
using System.Globalization;
using System.Numerics;
using System.Runtime.Intrinsics;
using System.Text;
using System.Text.RegularExpressions;

namespace PosMonitor.Core.Telemetry;

/// <summary>
/// The one card-data screen (PCI DSS: no PAN or track data stored or logged in clear). Every string that comes in from
/// outside passes through it before it is stored or logged: the API refuses it (<c>card_data</c>, naming the field),
/// free text a person typed is stored <see cref="Mask">masked</see>.
/// </summary>
/// <remarks>
/// A PAN is 13–19 digits passing the Luhn check, written with any separators between digit groups: spaces of any kind
/// (tab, no-break, ideographic, several in a row), dashes, <c>. / _ : ,</c> and their full-width forms, at most three
/// separators between two groups. Digits are any decimal digits (full-width <c>４</c>, other scripts, circled or keycap
/// forms, Chinese numerals); invisible characters (zero-width spaces and joiners, soft hyphens, combining marks) are
/// read both as nothing and as a space between groups. Ordinary numbers are told apart by the digit count, Luhn and the layout of the groups:
/// a card is written unbroken, in fours (the last group may be shorter), 4-6-5 or 4-6-4, or in equal groups of one to
/// six digits with the same separator between each (<c>41 11 11 …</c>); a date and time (4-2-2-2-2-2), an amount
/// list (<c>12.50, 13.20</c>: two separators alternating) or a UUID's digits (4-4-11) are none of these. Any run of
/// groups inside a longer run is checked too, so a number written right before a card does not hide it.
/// </remarks>
public static partial class CardData
{
    /// <summary>The most separators read between two digit groups of one number (<c>" - "</c>); spaces in a row count once.</summary>
    public const int MaxGap = 3;

    /// <summary>
    /// A quick screen of a whole UTF-8 body (a JSON event), without allocation: false when no string or number in it
    /// can hold what <see cref="Contains"/> finds; true means "look closer" (the per-field check). A body with an
    /// escape (<c>\t</c>, <c>\u…</c>) or any non-ASCII byte (a full-width digit, a no-break or zero-width space) is
    /// always looked at closer. Otherwise a digit run (digits with at most <see cref="MaxGap"/> of <c>space - . / _ : ,</c>
    /// between groups) answers true when some of its consecutive groups hold 13–19 digits passing Luhn, whatever
    /// their layout, or when 13 digits or more stand right before <c>=</c> or <c>^</c> (track data).
    /// </summary>
    public static bool MayContain(ReadOnlySpan<byte> utf8)
    {
        if (utf8.IndexOfAny(EscapeOrNonAscii) >= 0) return true;
        // A run of 13 digits spans at least 13 bytes of digits and separators; most bodies have no such stretch.
        if (!HasStretchOf13(utf8)) return false;
        var i = 0;
        while (true)
        {
            // Vectorised jump to the next digit: most bytes of an event are not in a run.
            var next = utf8[i..].IndexOfAnyInRange((byte)'0', (byte)'9');
            if (next < 0) return false;
            i += next;
            if (RunMayHoldPan(utf8, ref i)) return true;
            if (i >= utf8.Length) return false;
        }
    }

    /// <summary>A backslash (a JSON escape) or any byte of a non-ASCII character, found in one vectorised pass.</summary>
    private static readonly SearchValues<byte> EscapeOrNonAscii =
        SearchValues.Create([(byte)'\\', .. Enumerable.Range(0x80, 0x80).Select(b => (byte)b)]);

    /// <summary>
    /// Reads the run starting at the digit at <paramref name="i"/>, leaving <paramref name="i"/> after its last digit.
    /// Only the last 19 digits matter to a window ending later, so a run of any length is read in a small buffer.
    /// </summary>
    private static bool RunMayHoldPan(ReadOnlySpan<byte> utf8, ref int i)
    {
        // Digits of the groups that may still start a window, then the group being read; where each group starts.
        Span<char> digits = stackalloc char[40];
        Span<int> starts = stackalloc int[40];
        int count = 0, groups = 0, groupDigits = 0;
        while (true)
        {
            // A group: digits in a row. One longer than 19 ends every window that would hold it.
            var b = utf8[i];
            if (groupDigits++ == 0) starts[groups++] = count;
            if (count < digits.Length) digits[count++] = (char)b;
            i++;
            var last = i >= utf8.Length || !IsAsciiDigit(utf8[i]);
            if (!last) continue;

            if (groupDigits >= 13 && i < utf8.Length && utf8[i] is (byte)'=' or (byte)'^') return true;
            if (groupDigits > 19)
            {
                count = groups = 0;
            }
            else
            {
                for (var g = 0; g < groups; g++)
                    if (count - starts[g] is >= 13 and <= 19 && Luhn(digits[starts[g]..count])) return true;
                // Groups that start more than 19 digits before the end can start no later window either.
                var drop = 0;
                while (drop < groups && count - starts[drop] >= 19) drop++;
                if (drop > 0)
                {
                    var from = drop < groups ? starts[drop] : count;
                    digits[from..count].CopyTo(digits);
                    for (var g = drop; g < groups; g++) starts[g - drop] = starts[g] - from;
                    groups -= drop;
                    count -= from;
                }
            }
            groupDigits = 0;
            // The gap: at most MaxGap separators (spaces in a row count once), then a digit, or the run is over.
            var gap = 0;
            var j = i;
            while (j < utf8.Length && IsAsciiSeparator(utf8[j]))
            {
                if (!(utf8[j] == (byte)' ' && j > i && utf8[j - 1] == (byte)' ') && ++gap > MaxGap) break;
                j++;
            }
            if (gap == 0 || gap > MaxGap || j >= utf8.Length || !IsAsciiDigit(utf8[j])) return false;
            i = j;
        }
    }

    private static bool IsAsciiDigit(byte b) => b is >= (byte)'0' and <= (byte)'9';

    private static bool IsAsciiSeparator(byte b) => b is (byte)' ' or (byte)'-' or (byte)'.' or (byte)'/' or (byte)'_' or (byte)':' or (byte)',';

    /// <summary>Whether 13 bytes in a row are all digits or separators, found 16 bytes at a time.</summary>
    private static bool HasStretchOf13(ReadOnlySpan<byte> utf8)
    {
        const int Needed = 13;
        // Bytes of the stretch that ends the part already looked at.
        var stretch = 0;
        var i = 0;
        if (Vector128.IsHardwareAccelerated)
        {
            // ", - . / 0-9 :" are the bytes 0x2C–0x3A: one range test, and two more for space and underscore.
            var comma = Vector128.Create((byte)',');
            var range = Vector128.Create((byte)(':' - ','));
            var space = Vector128.Create((byte)' ');
            var underscore = Vector128.Create((byte)'_');
            for (; i + Vector128<byte>.Count <= utf8.Length; i += Vector128<byte>.Count)
            {
                var v = Vector128.Create(utf8.Slice(i, Vector128<byte>.Count));
                var m = (Vector128.LessThanOrEqual(v - comma, range) | Vector128.Equals(v, space) | Vector128.Equals(v, underscore)).ExtractMostSignificantBits();
                if (m == 0xFFFF)
                {
                    stretch += 16;
                    if (stretch >= Needed) return true;
                    continue;
                }
                // The stretch before goes on into the low bits; or 13 set bits in a row within these 16.
                if (stretch + BitOperations.TrailingZeroCount(~m) >= Needed) return true;
                var two = m & (m >> 1);
                var four = two & (two >> 2);
                var eight = four & (four >> 4);
                if ((eight & (four >> 8) & (m >> 12)) != 0) return true;
                stretch = BitOperations.LeadingZeroCount(~(m << 16));
            }
        }
        for (; i < utf8.Length; i++)
        {
            if (IsAsciiDigit(utf8[i]) || IsAsciiSeparator(utf8[i]))
            {
                if (++stretch >= Needed) return true;
            }
            else stretch = 0;
        }
        return false;
    }

    /// <summary>Whether <paramref name="text"/> holds a PAN (see the class remarks) or magnetic-stripe track data.</summary>
    public static bool Contains(string text)
    {
        if (!MayHoldThirteenDigits(text)) return false;
        return TrackData().IsMatch(text) || FindPans(text, invisibleSeparates: false).Count > 0 || FindPans(text, invisibleSeparates: true).Count > 0;
    }

    /// <summary>
    /// <see cref="Contains"/> for an identifier (an event id): only an unbroken run of 13–19 digits passing Luhn, as
    /// src/PosMonitor.Web/Features/Telemetry/telemetry-api.md words it, or track data. Identifiers join their parts with dashes, and a UUID's all-digit groups
    /// read as a dash-grouped PAN once in five thousand even when only card layouts count.
    /// </summary>
    public static bool ContainsInIdentifier(string id)
    {
        if (id.Length < 13) return false;
        if (TrackData().IsMatch(id)) return true;
        var start = -1;
        for (var i = 0; i <= id.Length; i++)
        {
            if (i < id.Length && char.IsAsciiDigit(id[i]))
            {
                if (start < 0) start = i;
                continue;
            }
            if (start >= 0 && i - start is >= 13 and <= 19 && Luhn(id.AsSpan(start, i - start))) return true;
            start = -1;
        }
        return false;
    }

    /// <summary>
    /// Free text made safe to store: track data is removed, and every digit run holding a PAN is replaced by its
    /// first six and last four digits around asterisks (the whole run, separators and neighbouring groups included,
    /// so no more of the card shows). Other text is untouched.
    /// </summary>
    public static string Mask(string text)
    {
        if (!MayHoldThirteenDigits(text)) return text;
        var masked = TrackData().Replace(text, "[track data removed]");
        return MaskPans(MaskPans(masked, invisibleSeparates: false), invisibleSeparates: true);
    }

    private static string MaskPans(string masked, bool invisibleSeparates)
    {
        var pans = FindPans(masked, invisibleSeparates);
        if (pans.Count == 0) return masked;
        var result = new StringBuilder(masked.Length);
        var at = 0;
        foreach (var (start, end, digits) in pans)
        {
            result.Append(masked, at, start - at)
                .Append(digits.AsSpan(0, 6)).Append('*', digits.Length - 10).Append(digits.AsSpan(digits.Length - 4));
            at = end;
        }
        return result.Append(masked, at, masked.Length - at).ToString();
    }

    /// <summary><see cref="Mask"/> that keeps null as null, for optional fields.</summary>
    [return: System.Diagnostics.CodeAnalysis.NotNullIfNotNull(nameof(text))]
    public static string? MaskOptional(string? text) => text is null ? null : Mask(text);

    /// <summary>False when <paramref name="text"/> cannot hold 13 digits: plain ASCII with fewer, as most strings are.</summary>
    private static bool MayHoldThirteenDigits(string text)
    {
        if (text.Length < 13) return false;
        var digits = 0;
        foreach (var c in text)
        {
            if (char.IsAsciiDigit(c)) digits++;
            else if (c >= 0x80) return true;
        }
        return digits >= 13;
    }

    /// <summary>A group of digits in a row: its place in the text and its digits as ASCII.</summary>
    private readonly record struct Group(int Start, int End, string Digits);

    /// <summary>The runs that hold a PAN somewhere in them: each run's place in the text and all of its digits.</summary>
    /// <param name="invisibleSeparates">
    /// Read invisible characters as a space between groups (<c>4111␣1111[ZWSP]1111␣1111</c>, fours) rather than as
    /// nothing (<c>41[ZWJ]11 1111 …</c>): both readings are tried, since either may be how someone hid a card.
    /// </param>
    private static List<(int Start, int End, string Digits)> FindPans(string text, bool invisibleSeparates)
    {
        var pans = new List<(int, int, string)>();
        var groups = new List<Group>();
        var gaps = new List<string>();
        var digits = new StringBuilder();
        var gap = new StringBuilder();
        var i = 0;
        while (i < text.Length)
        {
            if (Classify(text, i, out var width, out _) != CharClass.Digit)
            {
                i += width;
                continue;
            }
            // A run: groups of digits, each gap at most MaxGap separators.
            groups.Clear();
            gaps.Clear();
            gap.Clear();
            digits.Clear();
            var groupStart = i;
            var end = i;
            var j = i;
            while (j < text.Length)
            {
                var kind = Classify(text, j, out width, out var value);
                if (kind == CharClass.Digit)
                {
                    if (gap.Length > 0)
                    {
                        groups.Add(new Group(groupStart, end, digits.ToString()));
                        gaps.Add(gap.ToString());
                        digits.Clear();
                        gap.Clear();
                        groupStart = j;
                    }
                    digits.Append((char)value);
                    end = j += width;
                    continue;
                }
                if (kind == CharClass.Ignorable)
                {
                    if (!invisibleSeparates)
                    {
                        j += width;
                        continue;
                    }
                    value = ' ';
                }
                else if (kind != CharClass.Separator) break;
                var moreSpace = value == ' ' && gap.Length > 0 && gap[^1] == ' ';
                if (!moreSpace)
                {
                    if (gap.Length == MaxGap) break;
                    gap.Append((char)value);
                }
                j += width;
            }
            groups.Add(new Group(groupStart, end, digits.ToString()));
            if (HoldsPan(groups, gaps)) pans.Add((groups[0].Start, end, string.Concat(groups.Select(g => g.Digits))));
            i = end;
        }
        return pans;
    }

    /// <summary>Whether some consecutive groups of a run hold 13–19 digits laid out as a card is written, passing Luhn.</summary>
    private static bool HoldsPan(List<Group> groups, List<string> gaps)
    {
        Span<int> lengths = stackalloc int[20];
        for (var a = 0; a < groups.Count; a++)
        {
            var count = 0;
            for (var b = a; b < groups.Count && (count += groups[b].Digits.Length) <= 19; b++)
            {
                lengths[b - a] = groups[b].Digits.Length;
                if (count < 13) continue;
                var sameGaps = true;
                for (var g = a + 1; g < b; g++) sameGaps &= gaps[g] == gaps[a];
                if (LaidOutLikeACard(lengths[..(b - a + 1)], sameGaps) && Luhn(string.Concat(groups.Skip(a).Take(b - a + 1).Select(x => x.Digits))))
                    return true;
            }
        }
        return false;
    }

    /// <summary>
    /// Whether digit groups are laid out as card numbers are written: unbroken; in fours (the last group may be
    /// shorter: 13–19 digits) or 4-6-5 (American Express) and 4-6-4 (Diners), with any separators; or in equal groups
    /// of one to six digits, the last one shorter at most, with one separator throughout. An identifier that holds
    /// digits between dashes is not read as a PAN: one random UUID (8-4-4-4-12 hex) in 470 has digits there that pass
    /// Luhn, one in 5,400 when only card layouts count (event ids are checked by <see cref="ContainsInIdentifier"/>).
    /// </summary>
    private static bool LaidOutLikeACard(ReadOnlySpan<int> groups, bool sameGaps)
    {
        if (groups.Length == 1) return true;
        if (groups.Length == 3 && groups[0] == 4 && groups[1] == 6 && groups[2] is 4 or 5) return true;
        var size = groups[0];
        for (var i = 1; i < groups.Length - 1; i++)
            if (groups[i] != size) return false;
        if (groups[^1] > size) return false;
        // Fours are how cards are printed: mixed separators there are someone hiding a card, not a date or a list of amounts.
        return size == 4 || (sameGaps && size <= 6);
    }

    public static bool Luhn(ReadOnlySpan<char> digits)
    {
        var sum = 0;
        var doubleIt = false;
        for (var i = digits.Length - 1; i >= 0; i--)
        {
            var d = digits[i] - '0';
            if (doubleIt && (d *= 2) > 9) d -= 9;
            sum += d;
            doubleIt = !doubleIt;
        }
        return sum % 10 == 0;
    }

    private enum CharClass { Other, Digit, Separator, Ignorable }

    /// <summary>
    /// What the character at <paramref name="i"/> is to the screen; <paramref name="value"/> is a digit's ASCII digit or
    /// a separator's plain form (any space ' ', any dash '-', full-width and ideographic punctuation as ASCII).
    /// </summary>
    private static CharClass Classify(string text, int i, out int width, out int value)
    {
        var c = text[i];
        width = 1;
        value = c;
        if (c < 0x80)
        {
            if (char.IsAsciiDigit(c)) return CharClass.Digit;
            if (c is ' ' or '\t' or '\n' or '\r' or '\v' or '\f') { value = ' '; return CharClass.Separator; }
            return c is '-' or '.' or '/' or '_' or ':' or ',' ? CharClass.Separator : CharClass.Other;
        }
        if (Rune.DecodeFromUtf16(text.AsSpan(i), out var rune, out width) != OperationStatus.Done) return CharClass.Other;
        // Full-width ASCII (FF01–FF5E): the same character as its ASCII twin.
        if (rune.Value is >= 0xFF01 and <= 0xFF5E)
        {
            var ascii = (char)(rune.Value - 0xFEE0);
            value = ascii;
            if (char.IsAsciiDigit(ascii)) return CharClass.Digit;
            return ascii is '-' or '.' or '/' or '_' or ':' or ',' ? CharClass.Separator : CharClass.Other;
        }
        var chinese = ChineseNumerals.IndexOf((char)rune.Value);
        if (rune.IsBmp && chinese >= 0)
        {
            value = '0' + chinese % 10;
            return CharClass.Digit;
        }
        var category = Rune.GetUnicodeCategory(rune);
        if (category is UnicodeCategory.DecimalDigitNumber or UnicodeCategory.OtherNumber
            && Rune.GetNumericValue(rune) is var n and >= 0 and <= 9 && n == Math.Floor(n))
        {
            value = '0' + (int)n;
            return CharClass.Digit;
        }
        if (Rune.IsWhiteSpace(rune)) { value = ' '; return CharClass.Separator; }
        if (category == UnicodeCategory.DashPunctuation) { value = '-'; return CharClass.Separator; }
        switch (rune.Value)
        {
            case 0x3002 or 0x00B7 or 0x30FB or 0x2022 or 0x2024 or 0xFF61: value = '.'; return CharClass.Separator; // 。 · ・ • ․ ｡
            case 0x3001 or 0xFF64: value = ','; return CharClass.Separator; // 、 ､
        }
        // Zero-width spaces and joiners, soft hyphens, direction marks; combining marks (a keycap 4️⃣ is 4 and two of them).
        return category is UnicodeCategory.Format or UnicodeCategory.NonSpacingMark or UnicodeCategory.EnclosingMark or UnicodeCategory.SpacingCombiningMark
            ? CharClass.Ignorable : CharClass.Other;
    }

    /// <summary>〇一二三四五六七八九 and 零 (zero again): a number read out on the phone may be typed this way.</summary>
    private const string ChineseNumerals = "〇一二三四五六七八九零";

    // Track 1 (%B<PAN>^NAME^YYMM…) and track 2 (;<PAN>=YYMM… or <PAN>=YYMM…), with the service code and discretionary
    // data after the expiry (where the CVV is) up to the end sentinel, so masking leaves none of it.
    [GeneratedRegex(@"%?B[0-9]{13,19}\^[^^]{1,26}\^[0-9]{4}[^?\s]*\??|;?[0-9]{13,19}=[0-9]{4}[0-9]*\??", RegexOptions.CultureInvariant)]
    private static partial Regex TrackData();
}
