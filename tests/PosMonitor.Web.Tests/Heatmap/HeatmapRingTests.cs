using PosMonitor.Web.Features.Heatmap;

namespace PosMonitor.Web.Tests.Heatmap;

public class HeatmapRingTests
{
    private const int Now = 29_000_000;
    private const int Window = HeatmapService.WindowMinutes;

    [Fact]
    public void A_row_holds_only_the_minutes_it_sold_in()
    {
        var ring = new HeatmapService.Ring(HeatmapBy.Terminal, "T-1");
        ring.Add(Now - 30, 2, 1);
        ring.Add(Now - 10, 1, 0);
        ring.Add(Now - 30, 3, 0); // late sale of an earlier minute

        Assert.Equal(2, ring.Count);
        Assert.Equal((5, 1), ring.Get(Now - 30));
        Assert.Equal((1, 0), ring.Get(Now - 10));
        Assert.Equal((0, 0), ring.Get(Now - 20));
    }

    [Fact]
    public void Minutes_older_than_the_window_from_the_newest_go_and_late_ones_that_old_are_left_out()
    {
        var ring = new HeatmapService.Ring(HeatmapBy.Region, "east");
        for (var m = Now - 600; m <= Now; m++) ring.Add(m, 1, 0);

        Assert.Equal(Window, ring.Count);
        Assert.Equal((1, 0), ring.Get(Now - Window + 1));
        Assert.Equal((0, 0), ring.Get(Now - Window));
        ring.Add(Now - Window, 5, 5);
        Assert.Equal((0, 0), ring.Get(Now - Window));
        Assert.Equal(Window, ring.Count);
    }

    [Fact]
    public void A_late_minute_goes_between_the_minutes_around_it()
    {
        var ring = new HeatmapService.Ring(HeatmapBy.Terminal, "T-1");
        for (var m = Now - 100; m <= Now; m += 10) ring.Add(m, m - (Now - 100) + 1, 1);

        ring.Add(Now - 55, 7, 2);
        ring.Add(Now - 99, 3, 0);

        Assert.Equal(13, ring.Count);
        Assert.Equal((7, 2), ring.Get(Now - 55));
        Assert.Equal((3, 0), ring.Get(Now - 99));
        for (var m = Now - 100; m <= Now; m += 10)
            Assert.Equal((m - (Now - 100) + 1, 1), ring.Get(m));
        Assert.Equal((0, 0), ring.Get(Now - 56));
        Assert.Equal((0, 0), ring.Get(Now - 54));
    }

    [Fact]
    public void A_count_past_65535_in_a_minute_reads_exactly_and_so_do_the_others()
    {
        var ring = new HeatmapService.Ring(HeatmapBy.Gateway, "gw-1");
        for (var m = Now - 20; m <= Now; m++) ring.Add(m, 200, m % 3);
        Assert.Equal(1, ring.CountWidth);

        ring.Add(Now - 5, 60_000, 10); // 60,200: two bytes
        Assert.Equal(2, ring.CountWidth);
        ring.Add(Now - 5, 9_800, 0);   // 70,000: four bytes, for good
        Assert.Equal(4, ring.CountWidth);
        ring.Add(Now - 7, 0, 70_000);

        Assert.Equal((70_000, (Now - 5) % 3 + 10), ring.Get(Now - 5));
        Assert.Equal((200, (Now - 7) % 3 + 70_000), ring.Get(Now - 7));
        for (var m = Now - 20; m <= Now; m++)
            if (m is not (Now - 5 or Now - 7))
                Assert.Equal((200, m % 3), ring.Get(m));
        ring.Add(Now + 1, 1, 0);
        Assert.Equal((1, 0), ring.Get(Now + 1));
        Assert.Equal(4, ring.CountWidth);
    }

    [Fact]
    public void Counts_wider_than_a_byte_read_exactly_at_each_width()
    {
        var ring = new HeatmapService.Ring(HeatmapBy.Merchant, "M-1");
        ring.Add(Now - 2, 255, 255);
        Assert.Equal(1, ring.CountWidth);
        ring.Add(Now - 1, 256, 0);
        Assert.Equal(2, ring.CountWidth);
        ring.Add(Now, 65_535, 65_535);
        Assert.Equal(2, ring.CountWidth);
        ring.Add(Now, 1, 0);
        Assert.Equal(4, ring.CountWidth);

        Assert.Equal((255, 255), ring.Get(Now - 2));
        Assert.Equal((256, 0), ring.Get(Now - 1));
        Assert.Equal((65_536, 65_535), ring.Get(Now));

        var timeouts = new HeatmapService.Ring(HeatmapBy.Firmware, "fw-1"); // the timeouts alone pass each width
        timeouts.Add(Now, 1, 300);
        Assert.Equal(2, timeouts.CountWidth);
        timeouts.Add(Now, 0, 70_000);
        Assert.Equal(4, timeouts.CountWidth);
        Assert.Equal((1, 70_300), timeouts.Get(Now));
    }

    [Fact]
    public void The_window_is_short_enough_for_a_minute_s_low_byte_and_the_newest_minute_to_name_it() =>
        Assert.True(Window <= 256, "Ring keeps a minute's low byte: a longer window needs a wider minute.");

    [Theory]
    [InlineData(65_536 * 440)] // a multiple of 65,536 (and so of 256) within the window
    [InlineData(65_536 * 440 + 128)]
    public void Minutes_across_a_wrap_of_the_stored_minute_read_right(int wrap)
    {
        var ring = new HeatmapService.Ring(HeatmapBy.Terminal, "T-1");
        for (var m = wrap - 200; m <= wrap + 30; m += 3) ring.Add(m, (m & 7) + 1, m & 1);
        ring.Add(wrap - 1, 40, 0);  // late, just before the wrap
        ring.Add(wrap + 31, 41, 1); // newest, after it

        for (var m = wrap - 240; m <= wrap + 40; m++)
        {
            var expected = m == wrap - 1 ? (40, 0)
                : m == wrap + 31 ? (41, 1)
                : m >= wrap - 200 && m <= wrap + 30 && (m - (wrap - 200)) % 3 == 0 ? ((m & 7) + 1, m & 1)
                : (0, 0);
            Assert.Equal(expected, ring.Get(m));
        }
    }

    [Fact]
    public void A_row_silent_for_a_while_drops_what_fell_out_of_the_window_even_when_the_stored_minute_repeats()
    {
        var ring = new HeatmapService.Ring(HeatmapBy.Terminal, "T-1");
        ring.Add(Now, 3, 1);
        ring.Add(Now + 256, 5, 0); // same low byte as Now, a whole window later

        Assert.Equal(1, ring.Count);
        Assert.Equal((0, 0), ring.Get(Now));
        Assert.Equal((5, 0), ring.Get(Now + 256));

        ring.Add(Now + 256 + Window - 1, 2, 2); // the window's far edge: both held
        Assert.Equal(2, ring.Count);
        Assert.Equal((5, 0), ring.Get(Now + 256));
        ring.Add(Now + 256 + Window, 1, 0);     // one further: the first goes
        Assert.Equal(2, ring.Count);
        Assert.Equal((0, 0), ring.Get(Now + 256));
        Assert.Equal((2, 2), ring.Get(Now + 256 + Window - 1));
    }

    [Fact]
    public void The_slots_grow_by_a_quarter_and_never_past_the_window()
    {
        var ring = new HeatmapService.Ring(HeatmapBy.Region, "east");
        var capacities = new List<int>();
        for (var m = Now - 500; m <= Now; m++)
        {
            ring.Add(m, 1, 0);
            if (capacities.Count == 0 || capacities[^1] != ring.Capacity) capacities.Add(ring.Capacity);
        }

        Assert.Equal([4, 8, 12, 16, 20, 25, 31, 38, 47, 58, 72, 90, 112, 140, 175, 218, Window], capacities);
        Assert.Equal(Window, ring.Count);
        for (var m = Now - Window + 1; m <= Now; m++) Assert.Equal((1, 0), ring.Get(m));
    }

    [Fact]
    public void Reads_what_a_plain_map_of_the_window_would_through_random_sales()
    {
        var rng = new Random(7);
        for (var run = 0; run < 20; run++)
        {
            var ring = new HeatmapService.Ring(HeatmapBy.Merchant, "M-1");
            var model = new Dictionary<int, (int Transactions, int Timeouts)>();
            int? newest = null;
            var clock = 65_536 * 300 - 400 + rng.Next(800);
            for (var step = 0; step < 2_000; step++)
            {
                // Mostly the newest minutes; now and then a late one, a jump ahead, or a big count.
                clock += rng.Next(10) == 0 ? rng.Next(1, 300) : rng.Next(2);
                var minute = clock - (rng.Next(5) == 0 ? rng.Next(Window + 20) : 0);
                var tx = rng.Next(50) == 0 ? rng.Next(100_000) : rng.Next(4);
                var to = rng.Next(60) == 0 ? rng.Next(70_000) : rng.Next(2);
                ring.Add(minute, tx, to);
                if (newest is null || minute > newest - Window)
                {
                    newest = Math.Max(newest ?? minute, minute);
                    foreach (var gone in model.Keys.Where(m => m <= newest - Window).ToList()) model.Remove(gone);
                    var (t, o) = model.GetValueOrDefault(minute);
                    model[minute] = (t + tx, o + to);
                }

                Assert.Equal(model.Count, ring.Count);
                for (var m = clock - Window - 5; m <= clock + 2; m += 1 + step % 7)
                    Assert.Equal(model.GetValueOrDefault(m), ring.Get(m));
            }
        }
    }
}
