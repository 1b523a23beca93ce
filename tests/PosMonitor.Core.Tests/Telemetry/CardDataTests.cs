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

    // One case per separator class: each was read as ordinary text before.
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
