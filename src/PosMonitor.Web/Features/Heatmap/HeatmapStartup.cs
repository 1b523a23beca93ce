using PosMonitor.Web.Features.Telemetry;

namespace PosMonitor.Web.Features.Heatmap;

/// <summary>Seeds the heatmap from the rollups after the fleet and states are loaded, then follows the feed.</summary>
public sealed class HeatmapStartup(HeatmapService heatmap, RollupQueries rollups, TelemetryFeed feed, TimeProvider time) : IHostedService
{
    private IDisposable? _subscription;

    public async Task StartAsync(CancellationToken ct)
    {
        // Subscribe first: requests are not served before every hosted service has started, so nothing is counted twice.
        _subscription = feed.Subscribe(heatmap.Apply);
        var now = time.GetUtcNow();
        heatmap.Seed(await rollups.SalesAndTimeoutsAsync(now.AddMinutes(-HeatmapService.WindowMinutes), now.AddMinutes(10), ct));
    }

    public Task StopAsync(CancellationToken ct)
    {
        _subscription?.Dispose();
        return Task.CompletedTask;
    }
}
