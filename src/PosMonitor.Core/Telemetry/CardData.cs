using System.Numerics;
using System.Runtime.Intrinsics;
using System.Text.RegularExpressions;

namespace PosMonitor.Core.Telemetry;

/// <summary>
/// Finds card data (a PAN: 13–19 digits passing the Luhn check, optionally grouped by single spaces
/// or dashes as card numbers are printed; or magnetic-stripe track data) so it is refused, or masked,
/// and never stored or logged.
/// </summary>
public static partial class CardData
{
    /// <summary>
    /// A quick screen of a whole UTF-8 body, without allocation: false when no digit run
    /// in it (digits with single spaces or dashes between them, as <see cref="Contains"/> reads them)
    /// is a Luhn-valid 13–19 digit PAN or the PAN of track data, and nothing is \u-escaped. Then no
    /// field can hold card data and the per-field check is skipped; true means "look closer".
    /// </summary>
    public static bool MayContain(ReadOnlySpan<byte> utf8)
    {
        // An escaped character could spell a digit: take the slow path.
        if (utf8.IndexOf("\\u"u8) >= 0) return true;
        // A run of 13 digits spans at least 13 bytes of digits, spaces and dashes; most bodies have no such stretch.
        if (!HasStretchOf13(utf8)) return false;
        Span<char> digits = stackalloc char[20];
        var i = 0;
        while (true)
        {
            // Vectorised jump to the next digit: most bytes of an event are not in a run.
            var next = utf8[i..].IndexOfAnyInRange((byte)'0', (byte)'9');
            if (next < 0) return false;
            i += next;
            var count = 0;
            var separatorBefore = false;
            for (; i <= utf8.Length; i++)
            {
                var b = i < utf8.Length ? utf8[i] : (byte)0;
                if (b is >= (byte)'0' and <= (byte)'9')
                {
                    if (count < digits.Length) digits[count] = (char)b;
                    count++;
                    separatorBefore = false;
                    continue;
                }
                if (b is (byte)' ' or (byte)'-' && !separatorBefore && i + 1 < utf8.Length && utf8[i + 1] is >= (byte)'0' and <= (byte)'9')
                {
                    separatorBefore = true;
                    continue;
                }
                // The run ended: a PAN, or the PAN of track data (…=YYMM or …^NAME).
                if (count is >= 13 and <= 19 && (Luhn(digits[..count]) || b is (byte)'=' or (byte)'^')) return true;
                break;
            }
            if (++i >= utf8.Length) return false;
        }
    }

    /// <summary>Whether 13 bytes in a row are all digits, spaces or dashes, found 16 bytes at a time.</summary>
    private static bool HasStretchOf13(ReadOnlySpan<byte> utf8)
    {
        const int Needed = 13;
        // Bytes of the stretch that ends the part already looked at.
        var stretch = 0;
        var i = 0;
        if (Vector128.IsHardwareAccelerated)
        {
            var zero = Vector128.Create((byte)'0');
            var nine = Vector128.Create((byte)9);
            var space = Vector128.Create((byte)' ');
            var dash = Vector128.Create((byte)'-');
            for (; i + Vector128<byte>.Count <= utf8.Length; i += Vector128<byte>.Count)
            {
                var v = Vector128.Create(utf8.Slice(i, Vector128<byte>.Count));
                var m = (Vector128.LessThanOrEqual(v - zero, nine) | Vector128.Equals(v, space) | Vector128.Equals(v, dash)).ExtractMostSignificantBits();
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
            if (utf8[i] is (>= (byte)'0' and <= (byte)'9') or (byte)' ' or (byte)'-')
            {
                if (++stretch >= Needed) return true;
            }
            else stretch = 0;
        }
        return false;
    }

    public static bool Contains(string text)
    {
        // Both patterns need a run of at least 13 digits: most strings (ids, times) are ruled out without a regex.
        if (text.Length < 13 || LongestDigitRun(text) < 13) return false;
        if (TrackData().IsMatch(text)) return true;
        foreach (Match m in DigitRun().Matches(text))
            if (IsPan(m.ValueSpan)) return true;
        return false;
    }

    /// <summary>
    /// <see cref="Contains"/> for an identifier (an event id): only an unbroken run of 13–19 digits passing Luhn, as
    /// telemetry-api.md words it, or track data. Identifiers join their parts with dashes, and a UUID's all-digit groups
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

    /// <summary>Keeps at most the first 6 and last 4 digits of every PAN-like run; other text is untouched.</summary>
    public static string Mask(string text)
    {
        var masked = TrackData().Replace(text, "[track data removed]");
        return DigitRun().Replace(masked, m =>
        {
            if (!IsPan(m.ValueSpan)) return m.Value;
            var digits = Digits(m.ValueSpan);
            return string.Concat(digits.AsSpan(0, 6), new string('*', digits.Length - 10), digits.AsSpan(digits.Length - 4));
        });
    }

    /// <summary>Digits in the longest run of digits where single spaces or dashes may separate digits (as <see cref="DigitRun"/>).</summary>
    private static int LongestDigitRun(string text)
    {
        int longest = 0, run = 0;
        for (var i = 0; i < text.Length; i++)
        {
            var c = text[i];
            if (char.IsAsciiDigit(c))
            {
                if (++run > longest) longest = run;
            }
            else if (!(c is ' ' or '-' && run > 0 && i + 1 < text.Length && char.IsAsciiDigit(text[i + 1])))
            {
                run = 0;
            }
        }
        return longest;
    }

    private static bool IsPan(ReadOnlySpan<char> run)
    {
        var digits = Digits(run);
        return digits.Length is >= 13 and <= 19 && GroupedLikeACard(run) && Luhn(digits);
    }

    /// <summary>
    /// Whether the run's digit groups are laid out as card numbers are printed: in fours (the last group may be
    /// shorter: 13–19 digits), or 4-6-5 (American Express) and 4-6-4 (Diners). An identifier that holds digits between
    /// dashes is not read as a PAN: one random UUID (8-4-4-4-12 hex) in 470 has digits there that pass Luhn, one in
    /// 5,400 when only card layouts count (event ids are checked by <see cref="ContainsInIdentifier"/>).
    /// </summary>
    private static bool GroupedLikeACard(ReadOnlySpan<char> run)
    {
        Span<int> groups = stackalloc int[run.Length];
        var count = 0;
        var length = 0;
        foreach (var c in run)
        {
            if (char.IsAsciiDigit(c))
            {
                length++;
                continue;
            }
            groups[count++] = length;
            length = 0;
        }
        groups[count++] = length;
        if (count == 1) return true;
        if (count == 3 && groups[0] == 4 && groups[1] == 6 && groups[2] is 4 or 5) return true;
        for (var i = 0; i < count - 1; i++)
            if (groups[i] != 4) return false;
        return groups[count - 1] <= 4;
    }

    private static string Digits(ReadOnlySpan<char> run)
    {
        Span<char> buffer = stackalloc char[run.Length];
        var n = 0;
        foreach (var c in run)
            if (char.IsAsciiDigit(c)) buffer[n++] = c;
        return new string(buffer[..n]);
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

    // A maximal run of digits, where single spaces or dashes may separate digit groups; runs are
    // bounded by non-digits so a 20-digit order number is not read as a PAN plus a digit.
    [GeneratedRegex(@"(?<![0-9])[0-9](?:[ -]?[0-9]){12,}(?![0-9])", RegexOptions.CultureInvariant)]
    private static partial Regex DigitRun();

    // Track 1 (%B<PAN>^NAME^YYMM…) and track 2 (;<PAN>=YYMM… or <PAN>=YYMM…).
    [GeneratedRegex(@"%?B[0-9]{13,19}\^[^^]{1,26}\^[0-9]{4}|;?[0-9]{13,19}=[0-9]{4}", RegexOptions.CultureInvariant)]
    private static partial Regex TrackData();
}
