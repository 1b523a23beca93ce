using PosMonitor.Core.Incidents;
using PosMonitor.Core.Telemetry;

namespace PosMonitor.Core.Simulation;

public sealed record SimulationOptions
{
    public int Terminals { get; init; } = 1000;
    public int Seed { get; init; } = 42;
    public required DateTimeOffset Start { get; init; }
    /// <summary>How long the run lasts; null for a run without end (<see cref="LiveSimulation"/>).</summary>
    public TimeSpan? Duration { get; init; } = TimeSpan.FromHours(6);
    public IReadOnlyList<FaultSpec> Faults { get; init; } = [];
    public Decoys Decoys { get; init; } = Decoys.None;
}

/// <summary>One heartbeat or one transaction, exactly one of the two set.</summary>
public readonly record struct SimulatedEvent(Heartbeat? Heartbeat, Transaction? Transaction)
{
    public DateTimeOffset Timestamp => Heartbeat?.Timestamp ?? Transaction!.Timestamp;
    public string TerminalId => Heartbeat?.TerminalId ?? Transaction!.TerminalId;
}

/// <summary>
/// Simulates a fleet's telemetry: <see cref="Events"/> streams heartbeats and transactions in strict
/// timestamp order (no disorder is modelled), one terminal's state at a time, so a 1,000-terminal,
/// six-hour run never holds more than the fleet in memory. Same options, same stream.
/// </summary>
public sealed class Simulator
{
    private readonly SimulationPlan _plan;
    private readonly Effect[][] _effectsByTerminal;
    private readonly long _start;
    private readonly long _end;

    /// <param name="fleet">A fleet to simulate instead of generating one from <see cref="SimulationOptions.Terminals"/> and the seed.</param>
    /// <exception cref="ArgumentException">A fault names a scope the fleet does not have, or falls outside the run.</exception>
    public Simulator(SimulationOptions options, SimulatedFleet? fleet = null)
    {
        Options = options;
        fleet ??= FleetGenerator.Generate(options.Terminals, options.Seed);
        IReadOnlyList<string> closing = [];
        if (options.Decoys.HasFlag(Decoys.NightClosing))
        {
            var (hours, merchants) = SimulationPlan.PlanClosings(fleet, options);
            fleet = fleet.WithOpeningHours(hours);
            closing = merchants;
        }
        Fleet = fleet;
        Traffic = new TrafficModel(fleet, options.Seed);
        _start = options.Start.UtcTicks;
        _end = options.Duration is { } d ? _start + d.Ticks : PowerSchedule.Always;
        _plan = new SimulationPlan(fleet, Traffic, options, closing);

        var lists = new List<Effect>[fleet.Terminals.Count];
        foreach (var effect in _plan.Effects)
            foreach (var index in effect.Terminals)
                (lists[index] ??= []).Add(effect);
        _effectsByTerminal = lists.Select(l => l?.ToArray() ?? []).ToArray();
        RunTag = (SimRandom.Hash($"{options.Seed}/{_start}/{fleet.Terminals.Count}") & 0xFFFFFF).ToString("x6");
    }

    public SimulationOptions Options { get; }
    public SimulatedFleet Fleet { get; }
    public TrafficModel Traffic { get; }
    /// <summary>Injected faults, decoys and maintenance windows, by start time.</summary>
    public IReadOnlyList<GroundTruthEntry> GroundTruth => _plan.GroundTruth;
    /// <summary>Prefix of every event id, from the seed and start: rerunning the same run resends the same ids (duplicates).</summary>
    public string RunTag { get; }
    public DateTimeOffset Start => Options.Start;
    public DateTimeOffset? End => _end == PowerSchedule.Always ? null : new DateTimeOffset(_end, TimeSpan.Zero);

    public GroundTruthRun GroundTruthRun() =>
        new(Options.Seed, Fleet.Terminals.Count, Start, End ?? DateTimeOffset.MaxValue, GroundTruth);

    /// <summary>The run's events in timestamp order; each enumeration starts the run afresh.</summary>
    public IEnumerable<SimulatedEvent> Events()
    {
        var heap = new PriorityQueue<TerminalCursor, (long, int)>(Fleet.Terminals.Count);
        foreach (var t in Fleet.Terminals)
        {
            var cursor = new TerminalCursor(this, t);
            if (cursor.NextTicks < _end) heap.Enqueue(cursor, (cursor.NextTicks, t.Index));
        }
        while (heap.TryDequeue(out var cursor, out _))
        {
            var e = cursor.Step();
            var next = cursor.NextTicks;
            if (next < _end) heap.Enqueue(cursor, (next, cursor.Index));
            if (e is { } ev) yield return ev;
        }
    }

    /// <summary>One terminal's three processes (heartbeats, sales, scripted sales) and its state.</summary>
    private sealed class TerminalCursor
    {
        private const long Ms = TimeSpan.TicksPerMillisecond;
        private const long Second = TimeSpan.TicksPerSecond;

        private readonly Simulator _sim;
        private readonly TerminalProfile _p;
        private readonly TerminalTraffic _t;
        private readonly Effect[] _effects;
        private readonly IReadOnlyList<(long Ticks, string Version)> _firmwareChanges;
        private readonly List<ScriptedSale>? _scripted;
        private readonly (long From, long To) _quiet;
        private readonly double _maxRate;
        private readonly string _idPrefix;
        private readonly string _gateway;
        private readonly int[] _extra = new int[8];

        private SimRandom _hbRng;
        // Heartbeat times and boots draw from their own stream, so a fault that changes readings never moves a heartbeat.
        private SimRandom _clockRng;
        private SimRandom _arrivalRng;
        // The offline queue drains by its own draws: how many sales failed (which faults change) must not shift readings.
        private SimRandom _drainRng;
        private SimRandom _saleRng;
        private long _nextHb;
        private long _nextSale;
        private int _scriptIndex;
        private int _firmwareIndex;
        private string _firmware;
        private long _bootedAt;
        private long _nextBootAt = PowerSchedule.Always;
        private long _downUntil;
        private int _pending;
        private long _hbSeq;
        private long _txSeq;
        private long _powerOn;
        private long _powerOff;
        // Heartbeats and arrivals look at different times (arrivals run ahead), so each keeps its own.
        private readonly OpeningCache _hbOpening = new();
        private readonly OpeningCache _saleOpening = new();

        public TerminalCursor(Simulator sim, TerminalProfile p)
        {
            _sim = sim;
            _p = p;
            _t = sim.Traffic.For(p);
            _effects = sim._effectsByTerminal[p.Index];
            _firmwareChanges = sim._plan.Firmware[p.Index];
            _firmware = p.Terminal.Firmware;
            _scripted = sim._plan.Scripted.GetValueOrDefault(p.Index);
            _quiet = sim._plan.Quiet.TryGetValue(p.Index, out var quiet) ? quiet : (0, 0);
            _maxRate = TrafficModel.MaxSalesPerHour(_t);
            _idPrefix = $"{sim.RunTag}.{p.Id}.";
            _gateway = p.Terminal.GatewayId;
            var seed = sim.Options.Seed;
            _hbRng = SimRandom.For(seed, "heartbeats", p.Index);
            _clockRng = SimRandom.For(seed, "clock", p.Index);
            _arrivalRng = SimRandom.For(seed, "arrivals", p.Index);
            _drainRng = SimRandom.For(seed, "drain", p.Index);
            _saleRng = SimRandom.For(seed, "sales", p.Index);
            var start = sim._start;

            (_powerOn, _powerOff) = PowerSchedule.PoweredAtOrAfter(p, seed, start);
            if (_powerOn <= start)
            {
                // Already on: a till left on has been up for days, one switched on this morning since then.
                _bootedAt = p.WhenClosed == ClosedBehaviour.SwitchedOff && p.Merchant.Hours is not null
                    ? _powerOn
                    : start - _clockRng.Between(1, 40) * TimeSpan.TicksPerDay - _clockRng.Next(86_400) * Second;
                _nextHb = start + _clockRng.Next(p.HeartbeatIntervalSec * 1000) * Ms;
            }
            else
            {
                _bootedAt = _nextBootAt = _powerOn;
                _nextHb = _powerOn + _clockRng.Between(45_000, 90_000) * Ms;
            }
            _nextSale = NextArrival(start);
        }

        public int Index => _p.Index;

        private long NextScripted => _scripted is not null && _scriptIndex < _scripted.Count ? _scripted[_scriptIndex].Ticks : PowerSchedule.Always;

        public long NextTicks => Math.Min(_nextHb, Math.Min(_nextSale, NextScripted));

        public SimulatedEvent? Step()
        {
            var t = NextTicks;
            Advance(t);
            if (_nextHb == t)
            {
                var hb = Heartbeat(t);
                ScheduleHeartbeat(t);
                return hb is null ? null : new SimulatedEvent(hb, null);
            }
            Transaction? tx;
            if (NextScripted == t)
            {
                var script = _scripted![_scriptIndex++];
                tx = Sale(t, (script.Outcome, script.Stage, null));
            }
            else
            {
                tx = _quiet.From <= t && t < _quiet.To ? null : Sale(t, null);
                _nextSale = NextArrival(t);
            }
            return tx is null ? null : new SimulatedEvent(null, tx);
        }

        // Boots and firmware changes due by now.
        private void Advance(long t)
        {
            if (_nextBootAt <= t)
            {
                _bootedAt = _nextBootAt;
                _nextBootAt = PowerSchedule.Always;
            }
            while (_firmwareIndex < _firmwareChanges.Count && _firmwareChanges[_firmwareIndex].Ticks <= t)
            {
                var (at, version) = _firmwareChanges[_firmwareIndex++];
                _firmware = version;
                // Installed while on: it restarts. Installed while off: it boots on the new version anyway.
                if (at >= _powerOn && at < _powerOff)
                {
                    _downUntil = at + _clockRng.Between(60, 120) * Second;
                    _bootedAt = _downUntil;
                }
            }
        }

        private void ScheduleHeartbeat(long from)
        {
            var closed = !_hbOpening.IsOpen(_p.Merchant, from);
            var interval = closed && _p.WhenClosed == ClosedBehaviour.Sleeps
                ? _clockRng.Between(300, 600) * Second
                : _p.HeartbeatIntervalSec * Second + _clockRng.Between(-1500, 1500) * Ms;
            var next = from + interval;
            if (next >= _powerOff)
            {
                (_powerOn, _powerOff) = PowerSchedule.PoweredAtOrAfter(_p, _sim.Options.Seed, next);
                if (_powerOn > next)
                {
                    _nextBootAt = _powerOn;
                    next = _powerOn + _clockRng.Between(45_000, 90_000) * Ms;
                }
            }
            _nextHb = next;
        }


        // A Poisson process whose rate follows the daily curve, sampled by thinning; closed hours are skipped.
        private long NextArrival(long from)
        {
            if (_maxRate <= 0) return PowerSchedule.Always;
            var meanTicks = TimeSpan.TicksPerHour / _maxRate;
            var t = from;
            while (true)
            {
                t += (long)_arrivalRng.Exponential(meanTicks);
                if (t >= _sim._end) return PowerSchedule.Always;
                if (!_saleOpening.IsOpen(_p.Merchant, t))
                {
                    // Memoryless: restarting the draw at the opening is exact.
                    t = _saleOpening.Open;
                    continue;
                }
                var localTime = TimeSpan.FromTicks(((t + _saleOpening.UtcOffset) % TimeSpan.TicksPerDay + TimeSpan.TicksPerDay) % TimeSpan.TicksPerDay);
                var rate = _t.PeakSalesPerHour * _p.Merchant.Kind.CurveAt(localTime);
                if (_arrivalRng.NextDouble() * _maxRate < rate) return t - t % Ms;
            }
        }

        private Heartbeat? Heartbeat(long t)
        {
            if (t < _downUntil) return null;
            var printer = _p.HasPrinter ? PrinterStatus.Ok : PrinterStatus.Absent;
            var scanner = _p.HasScanner ? ScannerStatus.Ok : ScannerStatus.Absent;
            var r = TrafficModel.NormalReadings(ref _hbRng, _t, new DateTimeOffset(t, TimeSpan.Zero), new DateTimeOffset(_bootedAt, TimeSpan.Zero));
            var lossy = false;
            var worstLoss = 0.0;
            foreach (var e in _effects)
            {
                if (!e.ActiveAt(t)) continue;
                switch (e.Cause)
                {
                    case Cause.Network when e.Offline:
                        return null;
                    case Cause.Network:
                        lossy = true;
                        worstLoss = Math.Max(worstLoss, e.LossPct);
                        // Heartbeats are retried, so only some are lost outright.
                        if (_hbRng.Chance(e.LossPct / 200)) return null;
                        r.LatencyMs += (int)(e.ExtraLatencyMs * _hbRng.Between(0.7, 1.3) + e.LossPct * 10);
                        if (e.LossPct > 0) r.PacketLossPct = Math.Round(Math.Clamp(Math.Max(r.PacketLossPct, e.LossPct * _hbRng.Between(0.75, 1.25)), 0, 100), 1);
                        if (r.SignalDbm is { } s && e.LossPct >= 10) r.SignalDbm = Math.Max(-140, s - _hbRng.Between(8, 18));
                        break;
                    case Cause.Hardware:
                        switch (e.Device)
                        {
                            case DeviceFault.PrinterJam: printer = PrinterStatus.Jam; break;
                            case DeviceFault.PaperOut: printer = PrinterStatus.PaperOut; break;
                            case DeviceFault.PrinterOffline: printer = PrinterStatus.Offline; break;
                            case DeviceFault.PrinterError: printer = PrinterStatus.Error; break;
                            case DeviceFault.Scanner: scanner = ScannerStatus.Error; break;
                            case DeviceFault.Cpu: r.CpuPct = _hbRng.Between(92, 100); break;
                            case DeviceFault.Memory: r.MemoryPct = _hbRng.Between(94, 99); break;
                        }
                        break;
                    case Cause.Software when e.Firmware == _firmware && e.Intensity > 0:
                        r.CpuPct = Math.Min(100, r.CpuPct + _hbRng.Between(5, 25));
                        break;
                }
            }
            var hb = new Heartbeat
            {
                EventId = _idPrefix + "h" + (++_hbSeq).ToString(System.Globalization.CultureInfo.InvariantCulture),
                TerminalId = _p.Id,
                Timestamp = new DateTimeOffset(t, TimeSpan.Zero),
                NetworkType = _p.Network,
                SignalDbm = r.SignalDbm,
                LatencyMs = r.LatencyMs,
                PacketLossPct = r.PacketLossPct,
                Firmware = _firmware,
                UptimeSec = Math.Max(0, (t - _bootedAt) / Second),
                BatteryPct = r.BatteryPct,
                CpuPct = r.CpuPct,
                MemoryPct = r.MemoryPct,
                Printer = printer,
                Scanner = scanner,
                PendingOffline = _pending,
            };
            // The heartbeat reports the queue; it drains after, while the link is up (on a lossy link only now and then).
            if (_pending > 0 && (!lossy || _drainRng.Chance(1 - worstLoss / 100)))
                _pending = Math.Max(0, _pending - (lossy ? _drainRng.Between(1, 3) : _drainRng.Between(5, 20)));
            // A defective build crashes now and then on its own, not only mid-sale.
            foreach (var e in _effects)
                if (e.Cause == Cause.Software && e.Firmware == _firmware && e.ActiveAt(t) && _hbRng.Chance(e.Intensity * 0.03))
                    Crash(t);
            return hb;
        }

        private Transaction? Sale(long t, (Outcome, Stage?, string?)? scripted)
        {
            if (t < _downUntil) return null;
            Array.Clear(_extra);
            var anyExtra = false;
            var forced = scripted;
            foreach (var e in _effects)
            {
                if (!e.ActiveAt(t)) continue;
                if (e.Cause == Cause.Network && e.Offline)
                {
                    // Sold offline: queued on the terminal, reported later only as pendingOffline.
                    _pending++;
                    return null;
                }
                if (e.Firmware is not null && e.Firmware != _firmware) continue;
                var fails = e.Intensity > 0 && _saleRng.Chance(e.Intensity);
                switch (e.Cause)
                {
                    case Cause.Network:
                        _extra[(int)Stage.Connect] += e.ExtraLatencyMs;
                        _extra[(int)Stage.Send] += 2 * e.ExtraLatencyMs;
                        anyExtra = true;
                        if (fails) forced ??= (Outcome.Timeout, _saleRng.Chance(0.4) ? Stage.Connect : Stage.Send, null);
                        break;
                    case Cause.Server:
                        _extra[(int)Stage.Host] += e.ExtraLatencyMs;
                        anyExtra = true;
                        if (fails) forced ??= _saleRng.Chance(0.9) ? (Outcome.Timeout, Stage.Host, null) : (Outcome.Error, Stage.Host, "96");
                        break;
                    case Cause.Gateway:
                        _extra[(int)Stage.Gateway] += e.ExtraLatencyMs;
                        anyExtra = true;
                        if (fails) forced ??= _saleRng.Chance(0.9) ? (Outcome.Timeout, Stage.Gateway, null) : (Outcome.Error, Stage.Gateway, "91");
                        break;
                    case Cause.Software when fails && forced is null:
                        if (_saleRng.Chance(0.55))
                        {
                            forced = (Outcome.Error, Stage.App, "E-APP-CRASH");
                            if (_saleRng.Chance(0.35)) Crash(t);
                        }
                        else forced = (Outcome.Timeout, Stage.App, null);
                        break;
                    case Cause.Hardware:
                        if (e.Device == DeviceFault.Cpu)
                        {
                            _extra[(int)Stage.App] += 2500;
                            anyExtra = true;
                        }
                        if (!fails || forced is not null) break;
                        if (SimulationPlan.IsPrinterFault(e.Device) && !_p.HasPrinter) break;
                        forced = e.Device == DeviceFault.Memory && _saleRng.Chance(0.3)
                            ? (Outcome.Error, Stage.App, "E-OUT-OF-MEMORY")
                            : (Outcome.Timeout, SimulationPlan.FailingStage(e.Device), null);
                        break;
                    case Cause.ThirdParty when fails && _t.SendsNotifications:
                        forced ??= (Outcome.Timeout, Stage.Notify, null);
                        break;
                    case Cause.Operator when fails:
                        forced ??= _saleRng.Chance(0.5) ? (Outcome.Timeout, Stage.Input, null) : (Outcome.Cancelled, Stage.Input, null);
                        break;
                }
            }
            var draft = _sim.Traffic.Sale(ref _saleRng, _t, forced, anyExtra ? _extra : null);
            // A sale that timed out on the way to the platform leaves a reversal queued on the terminal.
            if (draft.Outcome == Outcome.Timeout && draft.Stage is Stage.Connect or Stage.Send) _pending++;
            return new Transaction
            {
                EventId = _idPrefix + "t" + (++_txSeq).ToString(System.Globalization.CultureInfo.InvariantCulture),
                TerminalId = _p.Id,
                Timestamp = new DateTimeOffset(t, TimeSpan.Zero),
                Gateway = _gateway,
                Outcome = draft.Outcome,
                Stage = draft.Stage,
                LatencyMs = draft.LatencyMs + _saleRng.Between(5, 40),
                StageMs = draft.StageMs,
                ErrorCode = draft.ErrorCode,
                AmountMinor = draft.AmountMinor,
                Currency = draft.AmountMinor is null ? null : _t.Currency,
            };
        }

        private void Crash(long t)
        {
            _downUntil = t + _saleRng.Between(45, 120) * Second;
            _bootedAt = _downUntil;
        }
    }

    /// <summary>The merchant's current or next opening interval, for times that only move forward.</summary>
    private sealed class OpeningCache
    {
        private long _close = long.MinValue;

        public long Open { get; private set; } = long.MinValue;
        public long UtcOffset { get; private set; }

        public bool IsOpen(MerchantProfile m, long t)
        {
            if (t >= _close)
            {
                (Open, _close) = PowerSchedule.OpeningAtOrAfter(m, t);
                UtcOffset = m.Zone.GetUtcOffset(new DateTimeOffset(Math.Max(Open, t), TimeSpan.Zero)).Ticks;
            }
            return t >= Open && t < _close;
        }
    }
}
