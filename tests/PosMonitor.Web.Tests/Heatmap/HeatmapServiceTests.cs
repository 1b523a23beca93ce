using PosMonitor.Web.Features.Heatmap;
using PosMonitor.Web.Features.Identity;

namespace PosMonitor.Web.Tests.Heatmap;

public class HeatmapServiceTests
{
    private static readonly Viewer Everyone = new(true, null, false);
    private static readonly Viewer Lotus = new(false, "m-0001", false);

    [Fact]
    public void Many_batches_in_one_flush_give_one_cell_per_row_and_minute_with_the_totals()
    {
        var live = new LiveServices();
        var now = live.Time.GetUtcNow();
        for (var i = 0; i < 50; i++) live.Sales("T-000001", now, 2, timeouts: 1);

        var flush = live.Heatmap.TakeChanges();

        var east = flush.Updates.Single(u => u.Scope == HeatmapService.AllMerchants && u.By == HeatmapBy.Region);
        var cell = Assert.Single(east.Cells);
        Assert.Equal(("east", 100, 50), (cell.Row, cell.Transactions, cell.Timeouts));
        Assert.Equal(DateTimeKind.Utc, cell.Minute.Kind);
        Assert.Empty(live.Heatmap.TakeChanges().Updates);
    }

    [Fact]
    public void A_merchant_bound_viewer_sees_only_its_own_terminals_in_every_view()
    {
        var live = new LiveServices();
        var now = live.Time.GetUtcNow();
        live.Sales("T-000001", now, 10, timeouts: 1);   // m-0001, east
        live.Sales("T-000004", now, 20, timeouts: 8);   // m-0002's terminal in east

        var everyone = live.Heatmap.Query(Everyone, new HeatmapQuery(HeatmapBy.Region, 15));
        var lotus = live.Heatmap.Query(Lotus, new HeatmapQuery(HeatmapBy.Region, 15));
        var lotusMerchants = live.Heatmap.Query(Lotus, new HeatmapQuery(HeatmapBy.Merchant, 15));

        Assert.Equal(30, everyone.Rows.Single(r => r.Id == "east").TotalTransactions);
        Assert.Equal((10, 1), (lotus.Rows.Single(r => r.Id == "east").TotalTransactions, lotus.Rows.Single(r => r.Id == "east").TotalTimeouts));
        Assert.DoesNotContain(lotus.Rows, r => r.Id == "north");
        Assert.Equal(["m-0001"], lotusMerchants.Rows.Select(r => r.Id));
        Assert.All(live.Heatmap.TakeChanges().Updates.Where(u => u.Scope == "m-0001").SelectMany(u => u.Cells),
            c => Assert.True(c.Transactions == 10 && c.Row is "east" or "m-0001" or "gw-unionpay" or "3.2.1"));
    }

    [Fact]
    public void A_merchants_own_views_are_sums_of_its_terminals_pushed_for_the_minutes_it_sold_in_and_held_only_once()
    {
        var live = new LiveServices();
        var now = live.Time.GetUtcNow();
        live.Sales("T-000003", now, 7, timeouts: 2);   // m-0002 in north, gw-alipay
        live.Sales("T-000004", now, 5, timeouts: 1);   // m-0002's terminal in east, gw-unionpay
        live.Sales("T-000001", now, 9);                // m-0001
        live.Heatmap.TakeChanges();

        live.Sales("T-000004", now, 3);
        var flush = live.Heatmap.TakeChanges();

        // The merchant's own rows for the changed minute carry its terminals' totals so far, not the batch's.
        Assert.Equal((15, 3), Cell(flush, "m-0002", HeatmapBy.Merchant, "m-0002"));
        Assert.Equal((8, 1), Cell(flush, "m-0002", HeatmapBy.Region, "east"));
        Assert.Equal((8, 1), Cell(flush, "m-0002", HeatmapBy.Gateway, "gw-unionpay"));
        Assert.Equal((15, 3), Cell(flush, "m-0002", HeatmapBy.Firmware, "3.2.2"));
        // A row of the merchant with no new sale in the minute still shows what it had (the whole minute is re-sent).
        Assert.Equal((7, 2), Cell(flush, "m-0002", HeatmapBy.Region, "north"));
        Assert.DoesNotContain(flush.Updates, u => u.Scope == "m-0001");

        var harbin = new Viewer(false, "m-0002", false);
        var gateways = live.Heatmap.Query(harbin, new HeatmapQuery(HeatmapBy.Gateway, 15));
        Assert.Equal([("gw-alipay", 7, 2), ("gw-unionpay", 8, 1)],
            gateways.Rows.Select(r => (r.Id, r.TotalTransactions, r.TotalTimeouts)).OrderBy(r => r.Id));
        Assert.Equal((15, 3), (live.Heatmap.Totals(harbin, 15).RecentTransactions, live.Heatmap.Totals(harbin, 15).RecentTimeouts));
        // Kept once for the whole estate: three terminal rows, and by region, merchant, gateway and firmware two each.
        Assert.Equal(3 + 2 + 2 + 2 + 2, live.Heatmap.RingCount);
    }

    private static (int Transactions, int Timeouts) Cell(HeatmapFlush flush, string scope, HeatmapBy by, string row)
    {
        var cell = Assert.Single(flush.Updates.Where(u => u.Scope == scope && u.By == by).SelectMany(u => u.Cells), c => c.Row == row);
        return (cell.Transactions, cell.Timeouts);
    }

    [Fact]
    public void Drilling_into_a_region_counts_only_each_merchants_terminals_in_that_region()
    {
        var live = new LiveServices();
        var now = live.Time.GetUtcNow();
        live.Sales("T-000003", now, 7);   // m-0002 in north
        live.Sales("T-000004", now, 5);   // m-0002's terminal in east

        var east = live.Heatmap.Query(Everyone, new HeatmapQuery(HeatmapBy.Merchant, 15, HeatmapBy.Region, "east"));
        var terminals = live.Heatmap.Query(Everyone, new HeatmapQuery(HeatmapBy.Terminal, 15, HeatmapBy.Merchant, "m-0002"));

        Assert.Equal(5, east.Rows.Single(r => r.Id == "m-0002").TotalTransactions);
        Assert.Equal(["T-000003", "T-000004"], terminals.Rows.Select(r => r.Id));
        Assert.Empty(live.Heatmap.Query(Lotus, new HeatmapQuery(HeatmapBy.Terminal, 15, HeatmapBy.Merchant, "m-0002")).Rows);
    }

    [Fact]
    public void Minutes_older_than_the_window_are_ignored_and_the_newest_column_is_the_current_minute()
    {
        var live = new LiveServices();
        var now = live.Time.GetUtcNow();
        live.Sales("T-000001", now.AddMinutes(-HeatmapService.WindowMinutes - 1), 9);
        live.Sales("T-000001", now, 3);

        var view = live.Heatmap.Query(Everyone, new HeatmapQuery(HeatmapBy.Region, HeatmapService.WindowMinutes));

        Assert.Equal(3, view.Rows.Single(r => r.Id == "east").TotalTransactions);
        Assert.Equal(3, view.Rows.Single(r => r.Id == "east").Transactions[^1]);
        Assert.Equal(now.AddSeconds(-now.Second), view.MinuteAt(view.Columns - 1));
    }

    [Fact]
    public void Totals_give_sales_per_minute_and_rates_now_and_before()
    {
        var live = new LiveServices();
        var now = live.Time.GetUtcNow();
        live.Sales("T-000001", now.AddMinutes(-60), 200, timeouts: 2);
        live.Sales("T-000002", now.AddMinutes(-1), 50, timeouts: 10);

        var totals = live.Heatmap.Totals(Everyone, 5);

        Assert.Equal(0.2, totals.RecentRate(5)!.Value, 3);
        Assert.Equal(0.01, totals.EarlierRate(5)!.Value, 3);
        Assert.InRange(totals.SalesPerMinute, 50 / 5.0, 50 / 4.0);
        Assert.Null(new TrafficTotals(3, 1, 0, 0, 1).RecentRate(5));
    }

    [Theory]
    [InlineData(0, 0, "hm-none")]
    [InlineData(4, 4, "hm-few")]
    [InlineData(100, 0, "hm-b0")]
    [InlineData(400, 20, "hm-b3")]
    [InlineData(10, 10, "hm-b7 hm-uncertain")]
    public void Cells_are_coloured_by_rate_and_too_little_traffic_is_never_a_rate(int sales, int timeouts, string css) =>
        Assert.Equal(css, HeatmapScale.CssClass(sales, timeouts, 5));
}
