using StackExchange.Redis;

namespace PosMonitor.Web.Infrastructure.Cluster;

/// <summary>
/// Whether this node's detection window holds every node's telemetry. The other nodes' sales and heartbeats reach it
/// only through Redis: while Redis is unreachable, and for <see cref="Grace"/> after it is back (until every terminal's
/// next heartbeat has come through), terminals that report to other nodes look silent here. Detection run on that would
/// open "stopped reporting" for half the estate, so the leader holds detection instead (<see cref="LeaderOnlyJobs"/>):
/// an operations centre is better served by a pause it can see in the log than by a flood of false incidents.
/// </summary>
public sealed class PeerTelemetry
{
    /// <summary>Two terminal heartbeat intervals: every terminal still reporting has been heard through the relays by then.</summary>
    public static readonly TimeSpan Grace = TimeSpan.FromMinutes(2);

    private readonly Func<bool> _connected;
    private readonly TimeProvider _time;
    private long _restoredAt = long.MinValue;
    private bool _lost;

    public PeerTelemetry(IConnectionMultiplexer redis, TimeProvider time) : this(() => redis.IsConnected, time)
    {
        redis.ConnectionFailed += (_, _) => Lost();
        redis.ConnectionRestored += (_, _) => Restored();
    }

    internal PeerTelemetry(Func<bool> connected, TimeProvider time)
    {
        _connected = connected;
        _time = time;
    }

    /// <summary>Whether the window has every node's telemetry, so detection may run on it.</summary>
    public bool Complete
    {
        get
        {
            if (!_connected()) return false;
            var restoredAt = Interlocked.Read(ref _restoredAt);
            return restoredAt == long.MinValue || _time.GetElapsedTime(restoredAt) >= Grace;
        }
    }

    internal void Lost() => Volatile.Write(ref _lost, true);

    internal void Restored()
    {
        // Only a reconnection after a loss starts the grace: the first connection at start-up does not (the window is
        // seeded from the database then, which holds every node's committed rollups).
        if (Volatile.Read(ref _lost)) Interlocked.Exchange(ref _restoredAt, _time.GetTimestamp());
        Volatile.Write(ref _lost, false);
    }
}
