using Bunit;
using PosMonitor.Web.Features.Heatmap;
using PosMonitor.Web.Tests.Infrastructure;

namespace PosMonitor.Web.Tests.Heatmap;

public class TimeoutHeatmapTests : BunitTest
{
    private static HeatmapView View(params HeatmapRow[] rows) =>
        new(new HeatmapQuery(HeatmapBy.Region, 3), new DateTimeOffset(2026, 11, 25, 8, 0, 0, TimeSpan.Zero), rows, rows.Length);

    [Fact]
    public void Cells_show_rate_colours_hatching_for_little_traffic_and_counts_in_the_tooltip()
    {
        var cut = Render<TimeoutHeatmap>(p => p
            .Add(x => x.View, View(new HeatmapRow("east", "East China", [0, 3, 40], [0, 1, 8])))
            .Add(x => x.MinTransactions, 5));

        var cells = cut.FindAll("[data-row=east] .hm-cell");
        // 8 in 40 is 20%, but only "at least 11.7%" with 95% confidence: the 10–20% bin.
        Assert.Equal(["hm-none", "hm-few", "hm-b5"], cells.Select(c => c.ClassList.Last()));
        Assert.Contains("No sales", cells[0].GetAttribute("data-tip"));
        Assert.Contains("Too little traffic", cells[1].GetAttribute("data-tip"));
        Assert.Contains("40 sales · 8 timed out", cells[2].GetAttribute("data-tip"));
        Assert.Contains("20%", cells[2].GetAttribute("data-tip"));
        Assert.Contains("Too little traffic (under 5 sales)", cut.Find(".hm-legend").TextContent);
    }

    [Fact]
    public void Clicking_a_row_raises_the_drill_down_with_that_row()
    {
        HeatmapRow? clicked = null;
        var cut = Render<TimeoutHeatmap>(p => p
            .Add(x => x.View, View(new HeatmapRow("east", "East China", [1, 1, 1], [0, 0, 0]), new HeatmapRow("north", "North China", [1, 1, 1], [0, 0, 0])))
            .Add(x => x.OnRowClick, (HeatmapRow r) => clicked = r));

        cut.Find("[data-row=north] .hm-label").Click();

        Assert.Equal("north", clicked?.Id);
    }

    [Fact]
    public void Without_a_click_handler_rows_are_not_buttons()
    {
        var cut = Render<TimeoutHeatmap>(p => p.Add(x => x.View, View(new HeatmapRow("east", "East China", [1, 1, 1], [0, 0, 0]))));

        Assert.Empty(cut.FindAll("button"));
    }
}
