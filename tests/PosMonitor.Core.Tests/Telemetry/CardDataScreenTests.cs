using PosMonitor.Core.Telemetry;

namespace PosMonitor.Core.Tests.Telemetry;

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
