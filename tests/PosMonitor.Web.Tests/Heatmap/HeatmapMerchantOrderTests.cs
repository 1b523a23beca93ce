using PosMonitor.Web.Features.Heatmap;

namespace PosMonitor.Web.Tests.Heatmap;

public class HeatmapMerchantOrderTests
{
    private static readonly PosMonitor.Web.Features.Identity.Viewer Everyone = new(true, null, false);

    [Fact]
    public void The_merchant_view_puts_most_timeouts_first_and_tells_merchants_of_the_same_name_apart()
    {
        var live = new LiveServices();
        var fleet = PosMonitor.Web.Tests.Infrastructure.TestFleet.Small();
        fleet.Merchants![1] = fleet.Merchants[1] with { Name = fleet.Merchants[0].Name }; // two branches both called "Lotus Noodle House"
        live.Fleet.Replace(PosMonitor.Core.Fleet.Fleet.FromDocument(fleet));
        var now = live.Time.GetUtcNow();
        live.Sales("T-000001", now, 40, timeouts: 1);
        live.Sales("T-000003", now, 40, timeouts: 9);

        var merchants = live.Heatmap.Query(Everyone, new HeatmapQuery(HeatmapBy.Merchant, 15));
        var regions = live.Heatmap.Query(Everyone, new HeatmapQuery(HeatmapBy.Region, 15));

        Assert.Equal(["m-0002", "m-0001"], merchants.Rows.Select(r => r.Id));
        Assert.Equal(["Lotus Noodle House (m-0002)", "Lotus Noodle House (m-0001)"], merchants.Rows.Select(r => r.Label));
        Assert.Equal(["East China", "North China"], regions.Rows.Select(r => r.Label)); // few rows: they keep their place
    }
}
