using System.Diagnostics;
using System.Reflection;
using Microsoft.Extensions.Options;

namespace PosMonitor.Web.Infrastructure.Cluster;

/// <summary>A node as the Nodes page lists it.</summary>
/// <param name="Lost">Not heard from in three heartbeats: stopped, cut off from the database, or its machine is gone.</param>
public sealed record NodeStatus(string Name, DateTimeOffset StartedAt, DateTimeOffset HeartbeatAt, string Version, bool Leads, bool IsThisNode, bool Lost);

/// <summary>The nodes sharing this database and which one leads detection; a single node (cluster off) lists itself alone.</summary>
public sealed class ClusterOverview(ClusterStore store, DetectionLeadership leadership, IOptions<ClusterOptions> options, TimeProvider time)
{
    private static readonly DateTimeOffset ProcessStarted = Process.GetCurrentProcess().StartTime.ToUniversalTime();

    internal static readonly string Version =
        typeof(ClusterOverview).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion ?? "unknown";

    public bool Clustered => leadership.Clustered;

    /// <summary>How long a node may stay silent before it is shown as lost.</summary>
    public TimeSpan LostAfter => 3 * options.Value.HeartbeatInterval;

    public async Task<IReadOnlyList<NodeStatus>> NodesAsync(CancellationToken ct)
    {
        var now = time.GetUtcNow();
        if (!leadership.Clustered)
            return [new NodeStatus(leadership.NodeName, ProcessStarted, now, Version, Leads: true, IsThisNode: true, Lost: false)];
        var lease = await store.LeaseAsync(ct);
        var leader = lease.ExpiresAt > now ? lease.Holder : null;
        return [.. (await store.NodesAsync(ct)).Select(n => new NodeStatus(n.Name, n.StartedAt, n.HeartbeatAt, n.Version,
            Leads: n.Name == leader, IsThisNode: n.Name == leadership.NodeName, Lost: now - n.HeartbeatAt > LostAfter))];
    }
}
