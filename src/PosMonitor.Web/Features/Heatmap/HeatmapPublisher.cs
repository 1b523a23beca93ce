using Microsoft.AspNetCore.SignalR;
using Microsoft.Extensions.Options;
using PosMonitor.Web.Infrastructure.Realtime;

namespace PosMonitor.Web.Features.Heatmap;

/// <summary>
/// Coalesces heatmap changes: every <see cref="HeatmapOptions.FlushMilliseconds"/> it takes the
/// dirty cells and sends one HeatmapUpdated per hub group that has changes, then tells the pages to
/// re-read. However many batches arrive, a connection gets at most one update per flush.
/// </summary>
public sealed class HeatmapPublisher(
    HeatmapService heatmap, IHubContext<LiveHub> hub, LiveGroups groups, HubBackplane backplane, IOptions<HeatmapOptions> options, TimeProvider time,
    ILogger<HeatmapPublisher> logger) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var idleTick = TimeSpan.FromSeconds(Math.Max(1, options.Value.IdleTickSeconds));
        var lastTick = time.GetUtcNow();
        using var timer = new PeriodicTimer(TimeSpan.FromMilliseconds(Math.Max(50, options.Value.FlushMilliseconds)), time);
        while (await timer.WaitForNextTickAsync(stoppingToken))
        {
            try
            {
                var now = time.GetUtcNow();
                var flush = heatmap.TakeChanges();
                if (flush.IsEmpty && now - lastTick < idleTick) continue;
                lastTick = now;
                // The pages' tick goes out whether or not the hub can be reached (several nodes: through Redis).
                heatmap.Publish(new HeatmapTick(now, flush.ChangedTerminals, flush.Updates.Count > 0));
                if (!backplane.IsReachable) continue;
                foreach (var update in flush.Updates)
                {
                    if (update.By == HeatmapBy.Terminal) continue;
                    var message = new HeatmapUpdate(HeatmapDimensions.Name(update.By), update.Cells);
                    await hub.Clients.Group(groups.Heatmap(update.By, update.Scope))
                        .SendAsync(LiveHub.HeatmapUpdated, message, stoppingToken);
                }
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                // One failed push must not stop the live views; the next flush carries on.
                logger.LogWarning(e, "Heatmap flush failed");
            }
        }
    }
}
