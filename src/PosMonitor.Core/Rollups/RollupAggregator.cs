using PosMonitor.Core.Telemetry;

namespace PosMonitor.Core.Rollups;

/// <summary>What one batch of accepted events changes: per-minute sums, newest states, rollouts seen.</summary>
public sealed class RollupDelta
{
    public Dictionary<(string TerminalId, DateTimeOffset Minute), TerminalMinute> Minutes { get; } = [];
    public Dictionary<string, TerminalState> States { get; } = new(StringComparer.Ordinal);
    public List<FirmwareChange> FirmwareChanges { get; } = [];

    public bool IsEmpty => Minutes.Count == 0 && States.Count == 0;

    /// <summary>
    /// Folds a later delta into this one (sums add, the later state wins). Minutes are copied, so the
    /// later delta's objects, possibly still read by feed subscribers, are never changed.
    /// </summary>
    public void MergeFrom(RollupDelta later)
    {
        foreach (var (key, minute) in later.Minutes)
        {
            if (!Minutes.TryGetValue(key, out var existing))
                Minutes[key] = existing = new TerminalMinute(minute.TerminalId, minute.Minute);
            existing.Merge(minute);
        }
        foreach (var (id, state) in later.States) States[id] = state;
        FirmwareChanges.AddRange(later.FirmwareChanges);
    }
}

/// <summary>
/// Folds accepted events into a <see cref="RollupDelta"/>. The live writer and the replay both use
/// it, so a replay aggregates exactly as the server does.
/// </summary>
/// <param name="currentState">The stored state of a terminal (null when never seen).</param>
public sealed class RollupAggregator(Func<string, TerminalState?> currentState)
{
    private RollupDelta _delta = new();

    public void Add(Heartbeat hb)
    {
        var state = StateOf(hb.TerminalId);
        var newer = state.LastHeartbeatAt is not { } last || hb.Timestamp >= last;
        var restarted = newer && state.UptimeSec is { } up && hb.UptimeSec < up;
        MinuteOf(hb.TerminalId, hb.Timestamp).Add(hb, restarted);
        if (!newer)
        {
            _delta.States[hb.TerminalId] = Seen(state, hb.Timestamp);
            return;
        }
        var firmwareChanged = state.Firmware is not null && state.Firmware != hb.Firmware;
        if (firmwareChanged)
            _delta.FirmwareChanges.Add(new FirmwareChange(hb.TerminalId, hb.Timestamp, state.Firmware, hb.Firmware));
        _delta.States[hb.TerminalId] = Seen(state, hb.Timestamp) with
        {
            LastHeartbeatAt = hb.Timestamp,
            NetworkType = hb.NetworkType,
            SignalDbm = hb.SignalDbm,
            LatencyMs = hb.LatencyMs,
            PacketLossPct = hb.PacketLossPct,
            Firmware = hb.Firmware,
            FirmwareSince = firmwareChanged || state.FirmwareSince is null ? hb.Timestamp : state.FirmwareSince,
            UptimeSec = hb.UptimeSec,
            BatteryPct = hb.BatteryPct,
            CpuPct = hb.CpuPct,
            MemoryPct = hb.MemoryPct,
            Printer = hb.Printer,
            Scanner = hb.Scanner,
            PendingOffline = hb.PendingOffline,
        };
    }

    public void Add(Transaction tx)
    {
        MinuteOf(tx.TerminalId, tx.Timestamp).Add(tx);
        var state = StateOf(tx.TerminalId);
        _delta.States[tx.TerminalId] = Seen(state, tx.Timestamp) with
        {
            LastTransactionAt = Later(state.LastTransactionAt, tx.Timestamp),
        };
    }

    /// <summary>Hands over what was added since the last call and starts a new delta.</summary>
    public RollupDelta TakeDelta()
    {
        var delta = _delta;
        _delta = new RollupDelta();
        return delta;
    }

    private TerminalState StateOf(string terminalId) =>
        _delta.States.TryGetValue(terminalId, out var pending) ? pending
        : currentState(terminalId) ?? new TerminalState { TerminalId = terminalId };

    private TerminalMinute MinuteOf(string terminalId, DateTimeOffset at)
    {
        var key = (terminalId, TerminalMinute.MinuteOf(at));
        if (!_delta.Minutes.TryGetValue(key, out var minute))
            _delta.Minutes[key] = minute = new TerminalMinute(terminalId, key.Item2);
        return minute;
    }

    private static TerminalState Seen(TerminalState s, DateTimeOffset at) => s with { LastSeenAt = Later(s.LastSeenAt, at) };

    private static DateTimeOffset Later(DateTimeOffset? a, DateTimeOffset b) => a is { } x && x > b ? x : b;
}
