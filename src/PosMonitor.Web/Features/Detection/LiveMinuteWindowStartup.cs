using PosMonitor.Core.Detection;
using PosMonitor.Core.Rollups;
using PosMonitor.Web.Features.Telemetry;

namespace PosMonitor.Web.Features.Detection;

/// <summary>
/// Subscribes to the feed, then reads the lookback from the database. Registered after the
/// ingestion writer, which has folded every committed event into the database by then, and runs
/// before the server takes requests, so no change is counted twice or missed.
/// </summary>
public sealed class LiveMinuteWindowStartup(LiveMinuteWindow window, TelemetryFeed feed, RollupQueries rollups, DetectionSettings settings, TimeProvider time) : IHostedService
{
    private IDisposable? _subscription;

    public async Task StartAsync(CancellationToken ct)
    {
        _subscription = feed.Subscribe(delta => window.Apply(delta.Minutes.Values));
        var now = time.GetUtcNow();
        window.Apply(await rollups.MinutesAsync(TerminalMinute.MinuteOf(now - settings.Lookback - TimeSpan.FromMinutes(1)),
            TerminalMinute.MinuteOf(now) + TimeSpan.FromMinutes(6), ct));
    }

    public Task StopAsync(CancellationToken ct)
    {
        _subscription?.Dispose();
        return Task.CompletedTask;
    }
}
