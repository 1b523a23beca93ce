using PosMonitor.Core.Telemetry;

namespace PosMonitor.Core.Tests.Telemetry;

public class CardDataTests
{
    [Theory]
    [InlineData("4111111111111111")]
    [InlineData("card 4111 1111 1111 1111 used")]
    [InlineData("5500-0000-0000-0004")]
    [InlineData("6212345678901265")] // UnionPay, 16 digits
    [InlineData("378282246310005")] // Amex, 15 digits
    [InlineData("amex 3782 822463 10005")] // grouped as printed on the card
    [InlineData("6212 3456 7890 1234 569")] // 19 digits in fours
    [InlineData("%B4111111111111111^DOE/JOHN^2512101")]
    [InlineData(";4111111111111111=25121010000000000000?")]
    public void Finds_pans_and_track_data(string text) => Assert.True(CardData.Contains(text));

    [Theory]
    [InlineData("4111111111111112")] // fails Luhn
    [InlineData("order 1234567890123456")] // Luhn-invalid 16-digit order number
    [InlineData("12345678901")] // too short
    [InlineData("41111111111111110000000")] // a 23-digit run is not a PAN
    [InlineData("2026-11-25T08:00:00.123Z")]
    [InlineData("T-000001")]
    [InlineData("8a1f00e2-9b4c-1234-5678-90123456736a")] // a UUID whose 4-4-11 digits pass Luhn: not laid out as a card
    [InlineData("ref 1234567-890123456736")] // nor 7-12
    public void Leaves_other_digit_runs_alone(string text) => Assert.False(CardData.Contains(text));

    [Theory]
    [InlineData("4111111111111111", true)]
    [InlineData("e-4111111111111111-1", true)]
    [InlineData(";4111111111111112=2512", true)] // track data needs no Luhn
    [InlineData("8a1f1234-5678-9012-3452-ab12cd34ef56", false)] // dash-grouped digits in an id
    [InlineData("4111-1111-1111-1111", false)]
    [InlineData("e-1234567890123456", false)] // Luhn-invalid
    public void An_identifier_holds_card_data_only_as_an_unbroken_run(string id, bool expected) =>
        Assert.Equal(expected, CardData.ContainsInIdentifier(id));

    [Fact]
    public void Mask_keeps_at_most_the_first_six_and_last_four_digits()
    {
        var masked = CardData.Mask("paid with 4111 1111 1111 1111, order 1234567890123456");
        Assert.Equal("paid with 411111******1111, order 1234567890123456", masked);
    }

    // One case per separator class of issue #15 (item 2): each was read as ordinary text before.
    [Theory]
    [InlineData("dots", "card 4111.1111.1111.1111 declined")]
    [InlineData("slashes", "card 4111/1111/1111/1111 declined")]
    [InlineData("underscores", "card 4111_1111_1111_1111 declined")]
    [InlineData("tabs", "card 4111\t1111\t1111\t1111 declined")]
    [InlineData("colons", "card 4111:1111:1111:1111 declined")]
    [InlineData("commas", "card 4111,1111,1111,1111 declined")]
    [InlineData("double spaces", "card 4111  1111  1111  1111 declined")]
    [InlineData("space, dash, space", "card 4111 - 1111 - 1111 - 1111 declined")]
    [InlineData("no-break spaces", "card 4111\u00A01111\u00A01111\u00A01111 declined")]
    [InlineData("ideographic spaces", "卡号4111\u30001111\u30001111\u30001111")]
    [InlineData("zero-width spaces", "card 4111\u200B1111\u200B1111\u200B1111 declined")]
    [InlineData("a zero-width space among spaces", "card 4111 1111\u200B1111 1111 declined")]
    [InlineData("zero-width joiners inside groups", "card 41\u200D11 1111 11\u206011 1111 declined")]
    [InlineData("soft hyphens", "card 4111\u00AD1111\u00AD1111\u00AD1111")]
    [InlineData("full-width digits", "卡号４１１１１１１１１１１１１１１１")]
    [InlineData("full-width digits and punctuation", "卡号４１１１．１１１１．１１１１．１１１１")]
    [InlineData("ideographic full stops", "卡号4111。1111。1111。1111")]
    [InlineData("en dashes", "card 4111\u20131111\u20131111\u20131111")]
    [InlineData("two-digit groups", "card 41 11 11 11 11 11 11 11 declined")]
    [InlineData("two-digit groups with dots", "card 41.11.11.11.11.11.11.11")]
    [InlineData("one-digit groups", "card 4 1 1 1 1 1 1 1 1 1 1 1 1 1 1 1")]
    [InlineData("mixed separators in fours", "card 4111 1111-1111.1111")]
    [InlineData("Arabic-Indic digits", "card \u0664\u0661\u0661\u0661\u0661\u0661\u0661\u0661\u0661\u0661\u0661\u0661\u0661\u0661\u0661\u0661")]
    [InlineData("Chinese numerals", "卡号四一一一一一一一一一一一一一一一")]
    [InlineData("a number right before the card", "T-000001: 4111 1111 1111 1111")]
    [InlineData("a number right after the card", "4111111111111111, 2026")]
    public void Finds_a_pan_whatever_separates_its_digits(string separators, string text)
    {
        Assert.True(CardData.Contains(text), separators);
        var masked = CardData.Mask(text);
        Assert.False(CardData.Contains(masked), $"{separators}: {masked}");
        Assert.Contains("******", masked);
    }

    // Ordinary numbers whose digits pass Luhn and count 13–19: read by digit count alone, each would be a "card".
    [Theory]
    [InlineData("2026-11-25 00:04:00")] // 4-2-2-2-2-2
    [InlineData("opened 2026-11-25 00:04:00.123 (UTC)")]
    [InlineData("amounts 87.10, 99.67, 44.39, 85.23")] // two-digit groups, separators alternating
    [InlineData("failed at 11:20, 12:26, 18:20, 20:27")]
    [InlineData("call +86 138 0013 0009")] // 2-3-4-4
    [InlineData("hosts 10.36.87.65, 10.12.38.12")]
    [InlineData("8a1f00e2-9b4c-1234-5678-90123456736a")] // a UUID's 4-4-11
    [InlineData("ref 1234567-890123456736")]
    [InlineData("total ¥1,234,567.89, 12 sales")]
    [InlineData("T-000001 T-000002 T-000003")]
    public void Leaves_dates_amounts_phones_and_ids_alone(string text)
    {
        Assert.False(CardData.Contains(text));
        Assert.Equal(text, CardData.Mask(text));
    }

    [Fact]
    public void Masking_shows_no_more_than_six_and_four_digits_of_a_run_holding_a_card()
    {
        Assert.Equal("n 000001************1111 ok", CardData.Mask("n 000001, 4111 1111 1111 1111 ok"));
        Assert.Equal("卡号411111******1111", CardData.Mask("卡号４１１１．１１１１．１１１１．１１１１"));
        // Track data with its service code and discretionary data (where the CVV is): all of it goes.
        Assert.Equal("x [track data removed] y", CardData.Mask("x ;4111111111111111=25121010000012300000? y"));
        Assert.Equal("x [track data removed] y", CardData.Mask("x %B4111111111111111^DOE/JOHN^2512101000000123000000? y"));
    }

    [Fact]
    public void Nothing_masked_is_found_again()
    {
        var random = new Random(15);
        var alphabet = "0123456789 -./_:,\t\u00A0\u200B\u200D\u3000４１aT=^%B;";
        for (var n = 0; n < 20_000; n++)
        {
            var text = RandomText(random, alphabet, 50);
            Assert.False(CardData.Contains(CardData.Mask(text)), text);
        }
    }

    /// <summary>Random text, with a card number in some layout planted now and then.</summary>
    internal static string RandomText(Random random, string alphabet, int maxLength)
    {
        var chars = new char[random.Next(0, maxLength)];
        for (var i = 0; i < chars.Length; i++) chars[i] = alphabet[random.Next(alphabet.Length)];
        var text = new string(chars);
        if (random.Next(3) == 0)
        {
            string[] pans = ["4111111111111111", "4111 1111 1111 1111", "4111.1111.1111.1111", "41 11 11 11 11 11 11 11", "4111  1111\t1111-1111", "378282246310005"];
            var at = random.Next(text.Length + 1);
            text = text[..at] + pans[random.Next(pans.Length)] + text[at..];
        }
        return text;
    }
}

public class CardDataScreenTests
{
    [Theory]
    [InlineData("{\"errorCode\":\"4111111111111111\"}", true)]
    [InlineData("{\"errorCode\":\"4111 1111 1111 1111\"}", true)]
    [InlineData("{\"errorCode\":\"4111.1111.1111.1111\"}", true)]
    [InlineData("{\"errorCode\":\"41_11_11_11_11_11_11_11\"}", true)]
    [InlineData("{\"errorCode\":\"4111\\t1111\\t1111\\t1111\"}", true)] // an escape: looked at closer
    [InlineData("{\"errorCode\":\"４１１１１１１１１１１１１１１１\"}", true)] // non-ASCII: looked at closer
    [InlineData("{\"errorCode\":\"\\u0034111111111111111\"}", true)]
    [InlineData("{\"eventId\":\"e-1\",\"timestamp\":\"2026-11-25T08:00:00.123Z\",\"latencyMs\":123456789012}", false)]
    [InlineData("{\"uptimeSec\":4111111111111111}", true)]
    [InlineData("{\"eventId\":\"1234567890123456-a\"}", false)] // Luhn-invalid 16 digits
    [InlineData("{\"memo\":\";4111111112=2512\"}", false)] // too short for track data
    [InlineData("{\"memo\":\";4111111111111112=2512\"}", true)] // track data needs no Luhn
    [InlineData("{\"memo\":\"1234567890123456789012345=2512\"}", true)] // track data inside a longer run
    [InlineData("{\"eventId\":\"8a1f0000-1234-4321-9999-123456789012\"}", false)]
    public void The_body_screen_never_misses_a_digit_run_long_enough_for_a_pan(string body, bool mayContain) =>
        Assert.Equal(mayContain, CardData.MayContain(System.Text.Encoding.UTF8.GetBytes(body)));

    /// <summary>The body screen only skips the per-field check when no field can hold card data: it must say "look closer" whenever <see cref="CardData.Contains"/> finds some.</summary>
    [Fact]
    public void The_body_screen_says_look_closer_whenever_a_field_holds_card_data()
    {
        var random = new Random(16);
        var relaxed = new System.Text.Json.JsonSerializerOptions { Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping };
        var found = 0;
        for (var n = 0; n < 100_000; n++)
        {
            // Mostly ASCII text, where the screen decides on its own; now and then a character it leaves to the field check.
            var alphabet = random.Next(10) == 0 ? "0123456789 -./_:,ab=^\u00A0４" : "0123456789 -./_:,ab=^";
            var text = CardDataTests.RandomText(random, alphabet, 40);
            if (!CardData.Contains(text)) continue;
            found++;
            var body = System.Text.Json.JsonSerializer.SerializeToUtf8Bytes(new { terminalId = "T-1", errorCode = text }, relaxed);
            Assert.True(CardData.MayContain(body), text);
        }
        Assert.InRange(found, 10_000, 90_000);
    }
}

public class CardDataScreenEquivalenceTests
{
    /// <summary>The body screen written plainly: the vectorised, buffered one must answer the same for every input.</summary>
    private static bool Reference(ReadOnlySpan<byte> utf8)
    {
        foreach (var b in utf8)
            if (b == (byte)'\\' || b >= 0x80) return true;
        var i = 0;
        while (i < utf8.Length)
        {
            if (!char.IsAsciiDigit((char)utf8[i]))
            {
                i++;
                continue;
            }
            // A run: groups of digits, at most three separators between two (spaces in a row count once).
            var groups = new List<string>();
            var group = "";
            while (true)
            {
                while (i < utf8.Length && char.IsAsciiDigit((char)utf8[i])) group += (char)utf8[i++];
                groups.Add(group);
                if (group.Length >= 13 && i < utf8.Length && utf8[i] is (byte)'=' or (byte)'^') return true;
                group = "";
                var j = i;
                var gap = 0;
                while (j < utf8.Length && " -./_:,"u8.Contains(utf8[j]) && gap <= 3)
                {
                    if (!(utf8[j] == ' ' && utf8[j - 1] == ' ')) gap++;
                    j++;
                }
                if (gap is 0 or > 3 || j >= utf8.Length || !char.IsAsciiDigit((char)utf8[j])) break;
                i = j;
            }
            for (var a = 0; a < groups.Count; a++)
                for (var b = a + 1; b <= groups.Count; b++)
                {
                    var digits = string.Concat(groups.Skip(a).Take(b - a));
                    if (digits.Length is >= 13 and <= 19 && CardData.Luhn(digits)) return true;
                }
        }
        return false;
    }

    [Fact]
    public void The_vectorised_screen_answers_as_the_plain_one()
    {
        var random = new Random(11);
        var alphabet = "0123456789012345678901234567890123456789 --=^\\ua\"{}:,._/"u8.ToArray();
        var mayContain = 0;
        for (var n = 0; n < 200_000; n++)
        {
            var bytes = new byte[random.Next(0, 60)];
            for (var i = 0; i < bytes.Length; i++) bytes[i] = alphabet[random.Next(alphabet.Length)];
            // Plant a real PAN now and then, so both answers are exercised.
            if (random.Next(4) == 0 && bytes.Length > 20) "4111111111111111"u8.CopyTo(bytes.AsSpan(random.Next(bytes.Length - 16)));
            var expected = Reference(bytes);
            if (expected) mayContain++;
            Assert.True(expected == CardData.MayContain(bytes), System.Text.Encoding.ASCII.GetString(bytes));
        }
        Assert.InRange(mayContain, 10_000, 190_000);
    }

    [Fact]
    public void The_vectorised_screen_answers_as_the_plain_one_on_event_sized_bodies()
    {
        // Event-sized bodies with few digits, so runs fall across the 16-byte blocks the quick look reads.
        var random = new Random(12);
        var alphabet = "0123456789 -.:,abcdefghijklmnop"u8.ToArray();
        var mayContain = 0;
        for (var n = 0; n < 50_000; n++)
        {
            var bytes = new byte[random.Next(0, 400)];
            for (var i = 0; i < bytes.Length; i++) bytes[i] = alphabet[random.Next(alphabet.Length)];
            if (random.Next(3) == 0 && bytes.Length > 25)
            {
                var pan = random.Next(2) == 0 ? "4111111111111111"u8 : "4111-1111 1111.11"u8;
                pan.CopyTo(bytes.AsSpan(random.Next(bytes.Length - pan.Length)));
            }
            var expected = Reference(bytes);
            if (expected) mayContain++;
            Assert.True(expected == CardData.MayContain(bytes), System.Text.Encoding.ASCII.GetString(bytes));
        }
        Assert.InRange(mayContain, 2_000, 45_000);
    }

    [Fact]
    public void A_run_longer_than_its_buffer_is_still_read_to_its_end()
    {
        // 30 groups of four before the card: the screen keeps only the digits that can still start a window.
        var run = string.Concat(Enumerable.Repeat("1234 ", 30)) + "4111 1111 1111 1111";
        Assert.True(CardData.MayContain(System.Text.Encoding.ASCII.GetBytes($"{{\"x\":\"{run}\"}}")));
        Assert.Equal(Reference(System.Text.Encoding.ASCII.GetBytes(run)), CardData.MayContain(System.Text.Encoding.ASCII.GetBytes(run)));
    }
}
