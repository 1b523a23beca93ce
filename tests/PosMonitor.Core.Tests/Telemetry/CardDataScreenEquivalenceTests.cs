using PosMonitor.Core.Telemetry;

namespace PosMonitor.Core.Tests.Telemetry;

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
