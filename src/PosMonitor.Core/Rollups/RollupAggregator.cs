using PosMonitor.Core.Telemetry;

namespace PosMonitor.Core.Rollups;

/// <summary>What one batch of accepted events changes: per-minute sums, newest states, rollouts seen.</summary>
public sealed class RollupDelta
{
    public RollupDelta()
        : this(0, 0)
    {
    }

    /// <summary>A delta with room for this many rollups and states (a steady stream's deltas are alike: growing them costs more than filling them).</summary>
    public RollupDelta(int minutes, int states)
    {
        Minutes = new(minutes);
        States = new(states, StringComparer.Ordinal);
    }

    public Dictionary<(string TerminalId, DateTimeOffset Minute), TerminalMinute> Minutes { get; }
    public Dictionary<string, TerminalState> States { get; }
    public List<FirmwareChange> FirmwareChanges { get; } = [];

    /// <summary>The commit stamps of the events folded here, when the live writer folded them (a node tells which commits it has seen by them).</summary>
    public List<long> Commits { get; } = [];

    public bool IsEmpty => Minutes.Count == 0 && States.Count == 0;

    /// <summary>Empties the delta keeping its room; dictionaries refilled after a clear enumerate in the new insertion order.</summary>
    internal void Clear()
    {
        Minutes.Clear();
        States.Clear();
        FirmwareChanges.Clear();
        Commits.Clear();
    }

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
        Commits.AddRange(later.Commits);
    }
}

/// <summary>
/// Folds accepted events into a <see cref="RollupDelta"/>. The live writer and the replay both use
/// it, so a replay aggregates exactly as the server does.
/// </summary>
/// <remarks>
/// A terminal's state is updated in place while a delta is open and becomes one <see cref="TerminalState"/>
/// record when the delta is taken, rather than one record per event; its newest minute is kept at hand,
/// so an event costs one dictionary lookup. Only the terminals of the open delta have a pending state. Deltas fill in the order terminals and minutes were first
/// touched, as before, so whoever enumerates them sees the same order.
/// </remarks>
/// <param name="currentState">The stored state of a terminal (null when never seen).</param>
public sealed class RollupAggregator(Func<string, TerminalState?> currentState)
{
    private RollupDelta _delta = new();
    private readonly Dictionary<string, Pending> _pending = new(StringComparer.Ordinal);
    private readonly List<Pending> _touched = [];
    // Deltas and rollups handed back by Recycle, refilled before new ones are made.
    private readonly Stack<RollupDelta> _spareDeltas = new();
    private readonly Stack<TerminalMinute> _spareMinutes = new();
    private readonly Stack<Pending> _sparePending = new();

    public void Add(Heartbeat hb)
    {
        var s = Touch(hb.TerminalId);
        var newer = s.LastHeartbeatAt is not { } last || hb.Timestamp >= last;
        var restarted = newer && s.UptimeSec is { } up && hb.UptimeSec < up;
        MinuteOf(s, hb.Timestamp).Add(hb, restarted);
        s.LastSeenAt = Later(s.LastSeenAt, hb.Timestamp);
        if (!newer) return;
        var firmwareChanged = s.Firmware is not null && s.Firmware != hb.Firmware;
        if (firmwareChanged)
            _delta.FirmwareChanges.Add(new FirmwareChange(hb.TerminalId, hb.Timestamp, s.Firmware, hb.Firmware));
        s.LastHeartbeatAt = hb.Timestamp;
        s.NetworkType = hb.NetworkType;
        s.SignalDbm = hb.SignalDbm;
        s.LatencyMs = hb.LatencyMs;
        s.PacketLossPct = hb.PacketLossPct;
        s.FirmwareSince = firmwareChanged || s.FirmwareSince is null ? hb.Timestamp : s.FirmwareSince;
        s.Firmware = hb.Firmware;
        s.UptimeSec = hb.UptimeSec;
        s.BatteryPct = hb.BatteryPct;
        s.CpuPct = hb.CpuPct;
        s.MemoryPct = hb.MemoryPct;
        s.Printer = hb.Printer;
        s.Scanner = hb.Scanner;
        s.PendingOffline = hb.PendingOffline;
    }

    public void Add(Transaction tx)
    {
        var s = Touch(tx.TerminalId);
        MinuteOf(s, tx.Timestamp).Add(tx);
        // A sale that could not connect did not reach anyone when it was made: it was queued on the device and sent
        // once the link was back, so it says nothing about the terminal being on the air at its timestamp.
        if (tx.Stage != Stage.Connect || tx.Outcome is Outcome.Approved or Outcome.Declined)
            s.LastSeenAt = Later(s.LastSeenAt, tx.Timestamp);
        s.LastTransactionAt = Later(s.LastTransactionAt, tx.Timestamp);
    }

    /// <summary>Hands over what was added since the last call and starts a new delta.</summary>
    public RollupDelta TakeDelta()
    {
        var delta = _delta;
        foreach (var s in _touched)
        {
            delta.States[s.Base!.TerminalId] = s.ToState();
            s.Forget();
            _sparePending.Push(s);
        }
        // A terminal's next event starts again from its stored state. Kept for every
        // terminal ever seen, each pending state held the terminal's previous state record and its last rollup: at
        // 200,000 terminals ~165 MB that nothing read.
        _pending.Clear();
        _touched.Clear();
        _delta = _spareDeltas.TryPop(out var spare) ? spare : new RollupDelta(delta.Minutes.Count, delta.States.Count);
        return delta;
    }

    /// <summary>
    /// Takes back a delta from <see cref="TakeDelta"/> that nothing reads any more, its rollups included
    /// (e.g. applied to an <see cref="Replay.InMemoryTelemetryStore"/>, which copies them), to be refilled: a replay
    /// otherwise makes a rollup per terminal-minute and two dictionaries per check only to drop them.
    /// Not for deltas shared with subscribers, which may still hold them.
    /// </summary>
    public void Recycle(RollupDelta delta)
    {
        foreach (var minute in delta.Minutes.Values) _spareMinutes.Push(minute);
        delta.Clear();
        _spareDeltas.Push(delta);
    }

    /// <summary>The terminal's pending state, started from the stored one at its first event in this delta.</summary>
    private Pending Touch(string terminalId)
    {
        if (_pending.TryGetValue(terminalId, out var s)) return s;
        s = _sparePending.TryPop(out var spare) ? spare : new Pending();
        s.Start(currentState(terminalId) ?? new TerminalState { TerminalId = terminalId });
        _pending[terminalId] = s;
        _touched.Add(s);
        return s;
    }

    private TerminalMinute MinuteOf(Pending s, DateTimeOffset at)
    {
        var minute = TerminalMinute.MinuteOf(at);
        if (s.Minute is { } m && m.Minute == minute) return m;
        var key = (s.Base!.TerminalId, minute);
        if (!_delta.Minutes.TryGetValue(key, out var rollup))
        {
            if (_spareMinutes.TryPop(out rollup)) rollup.Reset(key.TerminalId, minute);
            else rollup = new TerminalMinute(key.TerminalId, minute);
            _delta.Minutes[key] = rollup;
        }
        return s.Minute = rollup;
    }

    private static DateTimeOffset Later(DateTimeOffset? a, DateTimeOffset b) => a is { } x && x > b ? x : b;

    /// <summary>A terminal's state while a delta is open: <see cref="TerminalState"/>'s figures, mutable.</summary>
    private sealed class Pending
    {
        public TerminalState? Base;
        /// <summary>The rollup this terminal's last event went to, in this delta.</summary>
        public TerminalMinute? Minute;
        public DateTimeOffset? LastSeenAt, LastHeartbeatAt, LastTransactionAt, FirmwareSince;
        public NetworkType? NetworkType;
        public int? SignalDbm, LatencyMs, BatteryPct, CpuPct, MemoryPct, PendingOffline;
        public double? PacketLossPct;
        public string? Firmware;
        public long? UptimeSec;
        public PrinterStatus? Printer;
        public ScannerStatus? Scanner;

        public void Start(TerminalState state)
        {
            Base = state;
            Minute = null;
            LastSeenAt = state.LastSeenAt;
            LastHeartbeatAt = state.LastHeartbeatAt;
            LastTransactionAt = state.LastTransactionAt;
            NetworkType = state.NetworkType;
            SignalDbm = state.SignalDbm;
            LatencyMs = state.LatencyMs;
            PacketLossPct = state.PacketLossPct;
            Firmware = state.Firmware;
            FirmwareSince = state.FirmwareSince;
            UptimeSec = state.UptimeSec;
            BatteryPct = state.BatteryPct;
            CpuPct = state.CpuPct;
            MemoryPct = state.MemoryPct;
            Printer = state.Printer;
            Scanner = state.Scanner;
            PendingOffline = state.PendingOffline;
        }

        /// <summary>Lets go of the records it points to, before it waits to be reused.</summary>
        public void Forget()
        {
            Base = null;
            Minute = null;
            Firmware = null;
        }

        public TerminalState ToState() => Base! with
        {
            LastSeenAt = LastSeenAt,
            LastHeartbeatAt = LastHeartbeatAt,
            LastTransactionAt = LastTransactionAt,
            NetworkType = NetworkType,
            SignalDbm = SignalDbm,
            LatencyMs = LatencyMs,
            PacketLossPct = PacketLossPct,
            Firmware = Firmware,
            FirmwareSince = FirmwareSince,
            UptimeSec = UptimeSec,
            BatteryPct = BatteryPct,
            CpuPct = CpuPct,
            MemoryPct = MemoryPct,
            Printer = Printer,
            Scanner = Scanner,
            PendingOffline = PendingOffline,
        };
    }
}
