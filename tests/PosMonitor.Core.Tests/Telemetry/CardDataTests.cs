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
}

public class CardDataScreenTests
{
    [Theory]
    [InlineData("{\"errorCode\":\"4111111111111111\"}", true)]
    [InlineData("{\"errorCode\":\"4111 1111 1111 1111\"}", true)]
    [InlineData("{\"errorCode\":\"\\u0034111111111111111\"}", true)]
    [InlineData("{\"eventId\":\"e-1\",\"timestamp\":\"2026-11-25T08:00:00.123Z\",\"latencyMs\":123456789012}", false)]
    [InlineData("{\"uptimeSec\":4111111111111111}", true)]
    [InlineData("{\"eventId\":\"1234567890123456-a\"}", false)] // Luhn-invalid 16 digits
    [InlineData("{\"memo\":\";4111111111111112=2512\"}", true)] // track data needs no Luhn
    [InlineData("{\"eventId\":\"8a1f0000-1234-4321-9999-123456789012\"}", false)]
    public void The_body_screen_never_misses_a_digit_run_long_enough_for_a_pan(string body, bool mayContain) =>
        Assert.Equal(mayContain, CardData.MayContain(System.Text.Encoding.UTF8.GetBytes(body)));
}

public class CardDataScreenEquivalenceTests
{
    /// <summary>The byte-by-byte screen as first written: the vectorised one must answer the same for every input.</summary>
    private static bool Reference(ReadOnlySpan<byte> utf8)
    {
        Span<char> digits = stackalloc char[20];
        var count = 0;
        var separatorBefore = false;
        for (var i = 0; i <= utf8.Length; i++)
        {
            var b = i < utf8.Length ? utf8[i] : (byte)0;
            if (b is >= (byte)'0' and <= (byte)'9')
            {
                if (count < digits.Length) digits[count] = (char)b;
                count++;
                separatorBefore = false;
                continue;
            }
            if (b is (byte)' ' or (byte)'-' && count > 0 && !separatorBefore && i + 1 < utf8.Length && utf8[i + 1] is >= (byte)'0' and <= (byte)'9')
            {
                separatorBefore = true;
                continue;
            }
            if (count is >= 13 and <= 19 && (CardData.Luhn(digits[..count]) || b is (byte)'=' or (byte)'^')) return true;
            if (b == (byte)'\\' && i + 1 < utf8.Length && utf8[i + 1] == (byte)'u') return true;
            count = 0;
            separatorBefore = false;
        }
        return false;
    }

    [Fact]
    public void The_vectorised_screen_answers_as_the_byte_by_byte_one()
    {
        var random = new Random(11);
        var alphabet = "0123456789012345678901234567890123456789 --=^\\ua\"{}:,"u8.ToArray();
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
    public void The_vectorised_screen_answers_as_the_byte_by_byte_one_on_event_sized_bodies()
    {
        // Event-sized bodies with few digits, so runs fall across the 16-byte blocks the quick look reads.
        var random = new Random(12);
        var alphabet = "0123456789 -abcdefghijklmnop\\"u8.ToArray();
        for (var n = 0; n < 50_000; n++)
        {
            var bytes = new byte[random.Next(0, 400)];
            for (var i = 0; i < bytes.Length; i++) bytes[i] = alphabet[random.Next(alphabet.Length)];
            if (random.Next(3) == 0 && bytes.Length > 25)
            {
                var pan = random.Next(2) == 0 ? "4111111111111111"u8 : "4111-1111 1111-11"u8;
                pan.CopyTo(bytes.AsSpan(random.Next(bytes.Length - pan.Length)));
            }
            Assert.True(Reference(bytes) == CardData.MayContain(bytes), System.Text.Encoding.ASCII.GetString(bytes));
        }
    }
}
