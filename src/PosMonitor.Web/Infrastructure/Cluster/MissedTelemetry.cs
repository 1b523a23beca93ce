using PosMonitor.Core.Rollups;
using PosMonitor.Core.Telemetry;
using PosMonitor.Web.Features.Telemetry;

namespace PosMonitor.Web.Infrastructure.Cluster;

/// <summary>
/// The other nodes' commits this node missed while Redis was away, folded from the raw events once it is back, so the
/// heatmap, detection's window and the live pages here recover by themselves. Every change carries the stamps of the
/// commits it folds (<see cref="RollupDelta.Commits"/>), and this node remembers which commits reached its feed, its
/// own and the others': after the outage, the commits of that time it has not seen are exactly the ones it missed.
/// </summary>
/// <remarks>
/// Commit stamps are the committing nodes' clocks, kept within well under a second of each other (NTP, as the lease
/// needs). A change for a commit folded here already (a message held back by a node's Redis client and sent after the
/// catch-up) is dropped.
/// </remarks>
public sealed class MissedTelemetry(TelemetryStore store, TelemetryFeed feed, TerminalStateCache states, TimeProvider time, ILogger<MissedTelemetry> logger)
{
    /// <summary>How long before the loss was noticed commits may already have gone missing (a connection takes seconds to be declared dead).</summary>
    public static readonly TimeSpan Margin = TimeSpan.FromMinutes(1);

    /// <summary>The longest gap filled in: older minutes are past detection's window and stay missing from the heatmap.</summary>
    public static readonly TimeSpan MaxCatchUp = TimeSpan.FromMinutes(30);

    /// <summary>Commits this recent are still on their way (the writer's fold, the relay): the catch-up leaves them to the feed.</summary>
    private static readonly TimeSpan InFlight = TimeSpan.FromSeconds(2);

    private readonly Lock _gate = new();
    private readonly SortedSet<long> _seen = [];
    private DateTimeOffset? _lostAt;
    private DateTimeOffset _since = DateTimeOffset.MinValue;

    /// <summary>
    /// The relay starts listening: the views were seeded from the database just before, so a catch-up never reaches
    /// further back (a node started without Redis would otherwise fold again commits its seed holds).
    /// </summary>
    public void Started()
    {
        lock (_gate) _since = time.GetUtcNow();
    }

    /// <summary>A change committed on this node, as it goes to the feed.</summary>
    public void Own(RollupDelta delta)
    {
        lock (_gate) Remember(delta.Commits);
    }

    /// <summary>A change from another node: into the feed, unless its commits were folded here already.</summary>
    public void FromPeer(RollupDelta delta)
    {
        lock (_gate)
        {
            if (delta.Commits.Count > 0 && delta.Commits.All(_seen.Contains)) return;
            Remember(delta.Commits);
            feed.PublishFromPeer(delta);
        }
    }

    /// <summary>Redis was lost: the other nodes' changes from now (and a <see cref="Margin"/> before) may be missing here.</summary>
    public void Lost()
    {
        lock (_gate) _lostAt ??= time.GetUtcNow();
    }

    /// <summary>
    /// Once Redis is back and the other nodes' held-back messages have come: folds the commits since the loss that never
    /// reached this node's feed and hands them to it as another node's change.
    /// </summary>
    /// <returns>The events folded.</returns>
    public async Task<int> CatchUpAsync(CancellationToken ct)
    {
        DateTimeOffset lostAt, since;
        lock (_gate)
        {
            if (_lostAt is null) return 0;
            (lostAt, since) = (_lostAt.Value, _since);
        }
        var to = time.GetUtcNow() - InFlight;
        var from = Max(Max(lostAt - Margin, to - MaxCatchUp), since);
        var (heartbeats, transactions) = await store.CommittedBetweenAsync(from.ToUnixTimeMilliseconds(), to.ToUnixTimeMilliseconds(), ct);
        lock (_gate)
        {
            // Under the lock: a change arriving meanwhile is either seen here (and skipped) or dropped by FromPeer.
            var missed = heartbeats.Select(h => (h.ReceivedAt, h.Event.Timestamp, Event: (object)h.Event))
                .Concat(transactions.Select(t => (t.ReceivedAt, t.Event.Timestamp, Event: (object)t.Event)))
                .Where(e => !_seen.Contains(e.ReceivedAt))
                .OrderBy(e => e.Timestamp).ToList();
            _lostAt = null;
            if (missed.Count == 0) return 0;
            var aggregator = new RollupAggregator(states.Get);
            foreach (var (_, _, e) in missed)
            {
                if (e is Heartbeat h) aggregator.Add(h);
                else aggregator.Add((Transaction)e);
            }
            var delta = aggregator.TakeDelta();
            // States came back from the database already, and firmware changes are written by the node that took them.
            delta.States.Clear();
            delta.FirmwareChanges.Clear();
            delta.Commits.AddRange(missed.Select(e => e.ReceivedAt).Distinct());
            Remember(delta.Commits);
            feed.PublishFromPeer(delta);
            logger.LogInformation("Folded {Count} events of {Commits} commits other nodes made while Redis was away into this node's live views",
                missed.Count, delta.Commits.Count);
            return missed.Count;
        }
    }

    private void Remember(List<long> commits)
    {
        foreach (var stamp in commits) _seen.Add(stamp);
        // Kept as far back as a catch-up reaches: a margin before the loss (or before now), at most MaxCatchUp.
        var now = time.GetUtcNow();
        var keepFrom = (Max(Min(_lostAt ?? now, now) - Margin, now - MaxCatchUp) - InFlight).ToUnixTimeMilliseconds();
        while (_seen.Count > 0 && _seen.Min < keepFrom) _seen.Remove(_seen.Min);
    }

    private static DateTimeOffset Max(DateTimeOffset a, DateTimeOffset b) => a > b ? a : b;
    private static DateTimeOffset Min(DateTimeOffset a, DateTimeOffset b) => a < b ? a : b;
}
