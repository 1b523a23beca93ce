using System.Diagnostics;
using PosMonitor.Core.Rollups;
using PosMonitor.Web.Features.Telemetry;
using PosMonitor.Web.Infrastructure.Observability;

namespace PosMonitor.Web.Features.Heatmap;

/// <summary>
/// Seeds the heatmap from the rollups after the fleet and states are loaded, then follows the feed. Only the newest
/// <see cref="ReadyMinutes"/> are read before the portal is ready; the rest of the 240-minute window fills in once it
/// is (at 200,000 terminals that is ~50 million rows to go through, which held the start for tens of seconds), and the
/// heatmap says so meanwhile (<see cref="HeatmapService.HistoryLoadingBefore"/>).
/// </summary>
/// <remarks>
/// Nothing is counted twice or missed: the feed is followed before the portal takes requests, so every commit from then
/// on reaches the heatmap through it; everything committed before is in the database (the writer has written its
/// rollups before it starts), and both parts are read from one snapshot of the database pinned before the portal is
/// ready, so the rows the writer adds or updates for later commits while the history is read are not in what is read.
/// </remarks>
public sealed class HeatmapStartup(HeatmapService heatmap, RollupQueries rollups, TelemetryFeed feed, TimeProvider time,
    IHostApplicationLifetime lifetime, ILogger<HeatmapStartup> logger) : IHostedService
{
    /// <summary>The newest minutes read before the portal is ready: the dashboard's current columns are whole from its first request.</summary>
    public const int ReadyMinutes = 5;

    private readonly CancellationTokenSource _stopping = new();
    private IDisposable? _subscription;

    /// <summary>The rest of the window being read after start; completes when it is in the heatmap.</summary>
    public Task History { get; private set; } = Task.CompletedTask;

    public async Task StartAsync(CancellationToken ct)
    {
        // Subscribe first: requests are not served before every hosted service has started, so no commit falls between.
        _subscription = feed.Subscribe(heatmap.Apply);
        var now = time.GetUtcNow();
        var from = now.AddMinutes(-HeatmapService.WindowMinutes);
        var snapshot = await rollups.SnapshotAsync(ct);
        if (snapshot is null)
        {
            await logger.TimeStepAsync($"heatmap ({HeatmapService.WindowMinutes} min of rollups)", async () =>
                heatmap.Seed(await rollups.SalesAndTimeoutsAsync(from, now.AddMinutes(10), ct)));
            return;
        }
        var recent = TerminalMinute.MinuteOf(now).AddMinutes(1 - ReadyMinutes);
        try
        {
            await logger.TimeStepAsync($"heatmap's newest {ReadyMinutes} min", async () =>
                heatmap.Seed(await snapshot.SalesAndTimeoutsAsync(recent, now.AddMinutes(10), ct)));
        }
        catch
        {
            await snapshot.DisposeAsync();
            throw;
        }
        heatmap.HistoryLoading(recent);
        History = LoadHistoryAsync(snapshot, from, recent);
    }

    /// <summary>Once the portal has started (not competing with the rest of the start), the window's older minutes, newest first.</summary>
    private async Task LoadHistoryAsync(RollupSnapshot snapshot, DateTimeOffset from, DateTimeOffset to)
    {
        await using var _ = snapshot;
        var ct = _stopping.Token;
        try
        {
            var started = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            await using (lifetime.ApplicationStarted.Register(() => started.TrySetResult()))
                await started.Task.WaitAsync(ct);
            var watch = Stopwatch.StartNew();
            // A minute at a time: the heatmap's lock is held for one minute's rows, never long enough to hold the writer.
            for (var end = to; end > from; end = end.AddMinutes(-1))
            {
                var start = end.AddMinutes(-1) < from ? from : end.AddMinutes(-1);
                heatmap.Seed(await snapshot.SalesAndTimeoutsAsync(start, end, ct));
            }
            logger.StepTook($"heatmap's history ({(int)Math.Ceiling((to - from).TotalMinutes)} min, after start)", watch.Elapsed);
        }
        catch (OperationCanceledException) when (ct.IsCancellationRequested)
        {
            return;
        }
        catch (Exception e)
        {
            logger.LogError(e, "The heatmap's history before {To} could not be read; it shows sales from then on only", to);
        }
        heatmap.HistoryLoading(null);
    }

    public async Task StopAsync(CancellationToken ct)
    {
        _subscription?.Dispose();
        await _stopping.CancelAsync();
        await History;
    }
}
