using Microsoft.Extensions.Options;
using PosMonitor.Web.Infrastructure.Cluster;
using Quartz;

namespace PosMonitor.Web.Features.Telemetry;

/// <summary>
/// With PosMonitor:Cluster, on the detection leader (<see cref="LeaderOnlyJobs"/>): folds the events whose rollups a
/// node that is gone never wrote. A node is gone when its heartbeat row has not been renewed for a lease
/// (<see cref="ClusterOptions.LeaseDuration"/>), the time after which it no longer leads either. A node only paused
/// finds its rollups adopted at its next commit or flush and drops its copy, so each event is counted once either way.
/// </summary>
[DisallowConcurrentExecution]
public sealed class AdoptRollupsJob(
    TelemetryStore store, RollupAdoption adoption, ClusterStore cluster, TerminalStateCache states, IOptions<ClusterOptions> options,
    TimeProvider time) : IJob
{
    public static readonly TimeSpan Interval = TimeSpan.FromSeconds(10);

    public Task Execute(IJobExecutionContext context) => AdoptGoneAsync(context.CancellationToken);

    /// <returns>How many holders were adopted here.</returns>
    public async Task<int> AdoptGoneAsync(CancellationToken ct)
    {
        var since = time.GetUtcNow() - options.Value.LeaseDuration;
        var alive = (await cluster.NodesAsync(ct)).Where(n => n.HeartbeatAt >= since).Select(n => n.Name).ToHashSet(StringComparer.Ordinal);
        var gone = (await store.HoldersAsync(ct))
            // Never this node's own, even when its heartbeat is late: its writer holds them.
            .Where(h => h.Node != store.Node && !alive.Contains(h.Node) && h.RegisteredAt < since).ToList();
        if (gone.Count == 0) return 0;
        // States another node wrote while this one did not hear from it: folding on older ones would set them back.
        await states.LoadNewerAsync(ct);
        var adopted = 0;
        foreach (var holder in gone)
            if (await adoption.AdoptAsync(holder, ct) is not null) adopted++;
        return adopted;
    }
}
