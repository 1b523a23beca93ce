using Bunit;
using Microsoft.Extensions.DependencyInjection;
using PosMonitor.Web.Features.Heatmap;
using PosMonitor.Web.Features.Identity;
using PosMonitor.Web.Infrastructure.Time;
using PosMonitor.Web.Tests.Infrastructure;

namespace PosMonitor.Web.Tests.Heatmap;

public sealed class LiveHeatmapTests : BunitTest
{
    [Theory]
    [InlineData("en", "The portal has just restarted: sales before {0} are still being read back")]
    [InlineData("zh-CN", "门户刚刚重启：{0} 之前的交易仍在读取中")]
    public void While_its_history_is_read_back_after_a_start_the_heatmap_says_so_until_it_is_whole(string culture, string text)
    {
        using var _ = CultureScope.UseUi(culture);
        var live = new LiveServices();
        Services.AddSingleton(live.Heatmap);
        var loadingBefore = new DateTimeOffset(2026, 11, 25, 8, 26, 0, TimeSpan.Zero);
        live.Heatmap.HistoryLoading(loadingBefore);

        var cut = Render<LiveHeatmap>(p => p.Add(c => c.Viewer, new Viewer(true, null, false)).Add(c => c.Controls, false));

        Assert.Contains(string.Format(text, new DisplayTime(TimeZoneInfo.Utc).Time(loadingBefore)),
            cut.Find("[data-testid=heatmap-history-loading]").TextContent);
        live.Heatmap.HistoryLoading(null);
        live.Heatmap.Publish(new HeatmapTick(live.Time.GetUtcNow(), new HashSet<string>(), true));
        cut.WaitForAssertion(() => Assert.Empty(cut.FindAll("[data-testid=heatmap-history-loading]")));
    }

    [Fact]
    public void A_whole_history_shows_no_notice()
    {
        var live = new LiveServices();
        Services.AddSingleton(live.Heatmap);

        var cut = Render<LiveHeatmap>(p => p.Add(c => c.Viewer, new Viewer(true, null, false)).Add(c => c.Controls, false));

        Assert.Empty(cut.FindAll("[data-testid=heatmap-history-loading]"));
    }
}
