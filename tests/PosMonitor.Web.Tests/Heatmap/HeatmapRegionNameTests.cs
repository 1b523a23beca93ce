using PosMonitor.Web.Features.Heatmap;

namespace PosMonitor.Web.Tests.Heatmap;

public class HeatmapRegionNameTests
{
    private static readonly PosMonitor.Web.Features.Identity.Viewer Everyone = new(true, null, false);

    [Theory]
    [InlineData("en", "East China", "North China")]
    [InlineData("zh-CN", "华东", "华北")]
    public void Region_rows_are_named_in_the_reader_s_language(string culture, string east, string north)
    {
        var live = new LiveServices();
        live.Fleet.Replace(PosMonitor.Core.Fleet.Fleet.FromDocument(PosMonitor.Web.Tests.Infrastructure.TestFleet.Small()));
        live.Sales("T-000001", live.Time.GetUtcNow(), 40, timeouts: 1);
        using var scope = PosMonitor.Web.Tests.Infrastructure.CultureScope.UseUi(culture);

        var regions = live.Heatmap.Query(Everyone, new HeatmapQuery(HeatmapBy.Region, 15));

        Assert.Equal(east, regions.Rows.Single(r => r.Id == "east").Label);
        Assert.Equal(north, regions.Rows.Single(r => r.Id == "north").Label);
    }
}
