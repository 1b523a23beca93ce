using PosMonitor.Core.Detection;
using PosMonitor.Core.Rollups;
using PosMonitor.Web.Features.Telemetry;
using PosMonitor.Web.Infrastructure.Observability;

namespace PosMonitor.Web.Features.Detection;

/// <summary>
/// Subscribes to the feed, then reads the lookback from the database. Registered after the
/// ingestion writer, which has folded every committed event into the database by then, and runs
/// before the server takes requests, so no change is counted twice or missed.
/// </summary>
public sealed class LiveMinuteWindowStartup(LiveMinuteWindow window, TelemetryFeed feed, RollupQueries rollups, DetectionSettings settings,
    TimeProvider time, ILogger<LiveMinuteWindowStartup> logger) : IHostedService
{
    /// <summary>Rows handed to the window at a time as they are read: a few MB alive, not the lookback's millions of rows at once.</summary>
    internal const int ChunkRows = 20_000;

    private IDisposable? _subscription;

    public async Task StartAsync(CancellationToken ct)
    {
        _subscription = feed.Subscribe(delta => window.Apply(delta.Minutes.Values));
        var now = time.GetUtcNow();
        var from = TerminalMinute.MinuteOf(now - settings.Lookback - TimeSpan.FromMinutes(1));
        await logger.TimeStepAsync($"detection's lookback ({(int)(now - from).TotalMinutes} min of rollups)", async () =>
        {
            var chunk = new List<TerminalMinute>(ChunkRows);
            await foreach (var row in rollups.StreamMinutesAsync(from, TerminalMinute.MinuteOf(now) + TimeSpan.FromMinutes(6), ct))
            {
                chunk.Add(row);
                if (chunk.Count < ChunkRows) continue;
                window.Apply(chunk);
                chunk = new List<TerminalMinute>(ChunkRows);
            }
            window.Apply(chunk);
        });
    }

    public Task StopAsync(CancellationToken ct)
    {
        _subscription?.Dispose();
        return Task.CompletedTask;
    }
}
