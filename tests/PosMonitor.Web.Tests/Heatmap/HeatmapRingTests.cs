using PosMonitor.Web.Features.Heatmap;

namespace PosMonitor.Web.Tests.Heatmap;

public class HeatmapRingTests
{
    private const int Now = 29_000_000;

    [Fact]
    public void A_row_holds_only_the_minutes_it_sold_in()
    {
        var ring = new HeatmapService.Ring("*", HeatmapBy.Terminal, "T-1");
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
        var ring = new HeatmapService.Ring("*", HeatmapBy.Region, "east");
        for (var m = Now - 600; m <= Now; m++) ring.Add(m, 1, 0);

        Assert.Equal(HeatmapService.WindowMinutes, ring.Count);
        Assert.Equal((1, 0), ring.Get(Now - HeatmapService.WindowMinutes + 1));
        Assert.Equal((0, 0), ring.Get(Now - HeatmapService.WindowMinutes));
        ring.Add(Now - HeatmapService.WindowMinutes, 5, 5);
        Assert.Equal((0, 0), ring.Get(Now - HeatmapService.WindowMinutes));
        Assert.Equal(HeatmapService.WindowMinutes, ring.Count);
    }
}
