using PosMonitor.Core.Rollups;
using PosMonitor.Core.Telemetry;

namespace PosMonitor.Web.Features.Telemetry;

/// <summary>
/// Folds into the rollups, once, the events a writer committed and did not write the rollups of (it crashed, or its node
/// is gone): at start-up a node adopts its own earlier holders (a single node: every holder), and with
/// PosMonitor:Cluster the detection leader adopts those of nodes gone (<see cref="AdoptRollupsJob"/>). A holder's events
/// go into the rows its unfinished flush had not written; the adoption's one transaction deletes the holder's commits,
/// so two nodes adopting it together write it once.
/// </summary>
public sealed class RollupAdoption(TelemetryStore store, TerminalStateCache states, ILogger<RollupAdoption> logger)
{
    /// <summary>The events folded, or null when another node (or a chunk of the holder) got there first: nothing written.</summary>
    public async Task<int?> AdoptAsync(RollupHolder holder, CancellationToken ct)
    {
        var pending = await store.PendingAsync(holder.Holder, ct);
        var delta = await FoldAsync(holder, pending, ct);
        if (!await store.AdoptAsync(holder, pending, delta, ct))
        {
            logger.LogInformation("The unwritten rollups of {Holder} were adopted meanwhile by another node, or it wrote more of them; not adopted here", holder.Holder);
            return null;
        }
        states.Apply(delta.States.Values);
        var events = pending.Heartbeats.Count + pending.Transactions.Count;
        if (events > 0)
            logger.LogWarning("Folded {Count} events of {Commits} commits whose rollups {Holder} (node {Node}) had not written", events, pending.Commits, holder.Holder, holder.Node);
        return events;
    }

    private async Task<RollupDelta> FoldAsync(RollupHolder holder, PendingEvents pending, CancellationToken ct)
    {
        if (pending.Heartbeats.Count + pending.Transactions.Count == 0) return new RollupDelta();
        // Heartbeats and sales are merged by timestamp so restarts and states fold as they did live.
        var events = pending.Heartbeats.Select(h => (h.ReceivedAt, h.Event.TerminalId, h.Event.Timestamp, Event: (object)h.Event))
            .Concat(pending.Transactions.Select(t => (t.ReceivedAt, t.Event.TerminalId, t.Event.Timestamp, Event: (object)t.Event)))
            .OrderBy(x => x.Timestamp).ToList();
        // Before per-node holders an unfinished flush was told by each row's folded_to, ahead of the one watermark.
        var foldedAhead = holder.Holder == RollupHolder.BeforePerNodeRollups
            ? await store.FoldedAheadAsync(holder.FlushThrough,
                RecentEventKeys.MinuteOf(events.Min(e => e.Timestamp).ToUnixTimeMilliseconds()),
                RecentEventKeys.MinuteOf(events.Max(e => e.Timestamp).ToUnixTimeMilliseconds()), ct)
            : null;
        // States and firmware changes are idempotent (the newest wins), so every event goes to them;
        // minute sums are not, so an event goes only to the rows an unfinished flush has not written.
        var all = new RollupAggregator(states.Get);
        var unwritten = new RollupAggregator(states.Get);
        foreach (var e in events)
        {
            Add(all, e.Event);
            if (!Written(e.ReceivedAt, e.TerminalId, RecentEventKeys.MinuteOf(e.Timestamp.ToUnixTimeMilliseconds()))) Add(unwritten, e.Event);
        }
        var delta = all.TakeDelta();
        delta.Minutes.Clear();
        foreach (var (key, minute) in unwritten.TakeDelta().Minutes) delta.Minutes[key] = minute;
        // Only the states these events moved on: another node may have written newer ones meanwhile.
        foreach (var (id, state) in delta.States.ToList())
            if (state == states.Get(id)) delta.States.Remove(id);
        return delta;

        bool Written(long receivedAt, string terminal, long minute)
        {
            if (foldedAhead is not null) return receivedAt <= foldedAhead.GetValueOrDefault((terminal, minute), holder.FlushThrough);
            return holder.FlushMinute is { } lastMinute && receivedAt <= holder.FlushThrough
                && TelemetryStore.FlushOrder.UpTo(terminal, minute, lastMinute, holder.FlushTerminal!);
        }

        static void Add(RollupAggregator aggregator, object e)
        {
            if (e is Heartbeat h) aggregator.Add(h);
            else aggregator.Add((Transaction)e);
        }
    }
}
