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
    /// <summary>What an ordinary estate does besides the faults (lost heartbeats, paper rolls, reboots...); <see cref="BackgroundNoise.None"/> for clean traffic.</summary>
    public BackgroundNoise Background { get; init; } = BackgroundNoise.Default;
}

/// <summary>One heartbeat or one transaction, exactly one of the two set.</summary>
public readonly record struct SimulatedEvent(Heartbeat? Heartbeat, Transaction? Transaction)
{
    private readonly DateTimeOffset? _arrivesAt;

    public DateTimeOffset Timestamp => Heartbeat?.Timestamp ?? Transaction!.Timestamp;
    public string TerminalId => Heartbeat?.TerminalId ?? Transaction!.TerminalId;

    /// <summary>
    /// When the event reaches the platform, the order <see cref="Simulator.Events"/> streams in: its timestamp unless
    /// the background delayed it (the relay's trip, a late delivery, sales queued through a link drop, a slow clock).
    /// Never before its timestamp: a fast clock's events are handed over as their stamps fall due, so a replay's clock,
    /// which follows the newest stamp read, is not pulled ahead of the rest of the fleet (and the API's five minutes hold).
    /// </summary>
    public DateTimeOffset ArrivesAt
    {
        get => _arrivesAt ?? Timestamp;
        init => _arrivesAt = value;
    }
}

/// <summary>
/// Simulates a fleet's telemetry: <see cref="Events"/> streams heartbeats and transactions in the order they reach
/// the platform (<see cref="SimulatedEvent.ArrivesAt"/>), one terminal's state at a time, so a 1,000-terminal,
/// six-hour run never holds more than the fleet and a few minutes of delayed events in memory. Without the
/// background's disorder (<see cref="BackgroundNoise.None"/>) that is strict timestamp order. Same options, same stream.
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
        options.Background.Validate();
        Traffic = new TrafficModel(fleet, options.Seed, options.Background);
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

    /// <summary>
    /// The run's events in the order they reach the platform, each stamped within the run (a skewed clock's stamps
    /// outside it are left out, as an export of the run's span would); each enumeration starts the run afresh.
    /// </summary>
    public IEnumerable<SimulatedEvent> Events()
    {
        var heap = new PriorityQueue<TerminalCursor, (long, int)>(Fleet.Terminals.Count);
        foreach (var t in Fleet.Terminals)
        {
            var cursor = new TerminalCursor(this, t);
            if (cursor.NextTicks < _end) heap.Enqueue(cursor, (cursor.NextTicks, t.Index));
        }
        var produced = new List<SimulatedEvent>(4);
        if (Options.Background.InOrder)
        {
            while (heap.TryDequeue(out var cursor, out _))
            {
                cursor.Step(produced);
                var next = cursor.NextTicks;
                if (next < _end) heap.Enqueue(cursor, (next, cursor.Index));
                foreach (var e in produced) yield return e;
                produced.Clear();
            }
            yield break;
        }

        // Events wait here until they arrive: nothing a terminal does from its next moment on arrives before that moment.
        var relay = new PriorityQueue<SimulatedEvent, (long Arrives, long Seq)>();
        long seq = 0;
        while (heap.TryPeek(out _, out var head))
        {
            while (relay.TryPeek(out var due, out var key) && key.Arrives <= head.Item1)
            {
                relay.Dequeue();
                yield return due;
            }
            var cursor = heap.Dequeue();
            cursor.Step(produced);
            var next = cursor.NextTicks;
            if (next < _end) heap.Enqueue(cursor, (next, cursor.Index));
            foreach (var e in produced)
            {
                var stamp = e.Timestamp.UtcTicks;
                if (stamp >= _start && stamp < _end) relay.Enqueue(e, (e.ArrivesAt.UtcTicks, seq++));
            }
            produced.Clear();
        }
        while (relay.TryDequeue(out var e, out _)) yield return e;
    }

    /// <summary>One terminal's three processes (heartbeats, sales, scripted sales), its background and its state.</summary>
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
        private readonly BackgroundNoise _noise;
        /// <summary>How far this terminal's clock is off (0 for most): added to every timestamp it sends.</summary>
        private readonly long _skew;
        private readonly bool _printsPaper;
        private readonly bool _inOrder;

        private SimRandom _hbRng;
        // Heartbeat times and boots draw from their own stream, so a fault that changes readings never moves a heartbeat.
        private SimRandom _clockRng;
        private SimRandom _arrivalRng;
        // The offline queue drains by its own draws: how many sales failed (which faults change) must not shift readings.
        private SimRandom _drainRng;
        private SimRandom _saleRng;
        // Each kind of background draws from its own stream, so a fault changes no background and one kind moves no other.
        private SimRandom _lossRng;
        private SimRandom _relayRng;
        private SimRandom _linkRng;
        private SimRandom _rebootRng;
        private SimRandom _paperRng;
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
        private bool _loseNextHeartbeat;
        private long _nextLinkDrop = PowerSchedule.Always;
        private long _linkDownFrom;
        private long _linkUpAt;
        /// <summary>Sales approved offline during a link drop, sent after the first heartbeat back.</summary>
        private List<Transaction>? _offline;
        private long _nextReboot = PowerSchedule.Always;
        private int _receiptsLeft;
        private long _paperOutUntil;
        // Heartbeats and arrivals look at different times (arrivals run ahead), so each keeps its own.
        private readonly OpeningCache _hbOpening;
        private readonly OpeningCache _saleOpening;

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
            _noise = sim.Options.Background;
            _inOrder = _noise.InOrder;
            _hbOpening = new OpeningCache(seed, _noise);
            _saleOpening = new OpeningCache(seed, _noise);
            _hbRng = SimRandom.For(seed, "heartbeats", p.Index);
            _clockRng = SimRandom.For(seed, "clock", p.Index);
            _arrivalRng = SimRandom.For(seed, "arrivals", p.Index);
            _drainRng = SimRandom.For(seed, "drain", p.Index);
            _saleRng = SimRandom.For(seed, "sales", p.Index);
            _lossRng = SimRandom.For(seed, "lost-heartbeats", p.Index);
            _relayRng = SimRandom.For(seed, "relay", p.Index);
            _linkRng = SimRandom.For(seed, "link-drops", p.Index);
            _rebootRng = SimRandom.For(seed, "reboots", p.Index);
            _paperRng = SimRandom.For(seed, "paper", p.Index);
            var start = sim._start;

            var skewRng = SimRandom.For(seed, "clock-skew", p.Index);
            if (skewRng.Chance(_noise.SkewedClockShare))
            {
                var (min, max) = BackgroundNoise.ClockSkewSeconds;
                _skew = (skewRng.Chance(0.5) ? 1 : -1) * (skewRng.Between(min, max) * Second + skewRng.Next(1000) * Ms);
            }
            if (_noise.LinkDropsPerDay > 0) _nextLinkDrop = start + (long)_linkRng.Exponential(TimeSpan.TicksPerDay / _noise.LinkDropsPerDay);
            if (_noise.RebootsPerDay > 0) _nextReboot = start + (long)_rebootRng.Exponential(TimeSpan.TicksPerDay / _noise.RebootsPerDay);
            _printsPaper = p.HasPrinter && _noise.SalesPerPaperRoll > 0;
            // The roll in the printer when the run starts is anywhere between new and nearly done.
            if (_printsPaper) _receiptsLeft = 1 + _paperRng.Next(NewRoll());

            (_powerOn, _powerOff) = PowerSchedule.PoweredAtOrAfter(p, seed, _noise, start);
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

        /// <summary>Takes the terminal's next moment; what it sends then (if anything) is added to <paramref name="sent"/>.</summary>
        public void Step(List<SimulatedEvent> sent)
        {
            var t = NextTicks;
            Advance(t);
            if (_nextHb == t)
            {
                var hb = Heartbeat(t, out var lost);
                ScheduleHeartbeat(t);
                if (hb is null) return;
                if (!lost) sent.Add(Relayed(new SimulatedEvent(hb, null), t));
                if (_offline is { Count: > 0 }) SendQueued(sent, t);
                return;
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
            if (tx is not null) sent.Add(Relayed(new SimulatedEvent(null, tx), t));
        }

        /// <summary>When an event sent at <paramref name="sentAt"/> reaches the platform: the relay's trip, now and then much later.</summary>
        private SimulatedEvent Relayed(SimulatedEvent e, long sentAt)
        {
            if (_inOrder) return e;
            var jitterMs = (int)_noise.RelayJitter.TotalMilliseconds;
            var delay = jitterMs > 0 ? _relayRng.Next(jitterMs) * Ms : 0;
            if (_noise.LateDeliveryRate > 0 && _relayRng.Chance(_noise.LateDeliveryRate))
                delay += _relayRng.Between(BackgroundNoise.LateDeliveryMs.Min, BackgroundNoise.LateDeliveryMs.Max) * Ms;
            return e with { ArrivesAt = new DateTimeOffset(Math.Max(sentAt + delay, e.Timestamp.UtcTicks), TimeSpan.Zero) };
        }

        // Back online: the sales approved offline follow the heartbeat that reported them, a moment apart, with their own stamps.
        private void SendQueued(List<SimulatedEvent> sent, long t)
        {
            var at = t;
            foreach (var tx in _offline!)
            {
                at += _linkRng.Between(200, 900) * Ms;
                sent.Add(Relayed(new SimulatedEvent(null, tx), at));
            }
            _offline.Clear();
        }

        private DateTimeOffset Stamp(long t) => new(t + _skew, TimeSpan.Zero);

        private bool PoweredAt(long t) => t >= _powerOn && t < _powerOff;

        private bool LinkDown(long t) => t >= _linkDownFrom && t < _linkUpAt;

        private int NewRoll() => Math.Max(1, (int)Math.Round(_noise.SalesPerPaperRoll * _paperRng.Between(0.8, 1.2)));

        // Boots, background reboots and link drops, and firmware changes due by now.
        private void Advance(long t)
        {
            if (_nextBootAt <= t)
            {
                _bootedAt = _nextBootAt;
                _nextBootAt = PowerSchedule.Always;
            }
            while (_nextReboot <= t)
            {
                var at = _nextReboot;
                _nextReboot = at + (long)_rebootRng.Exponential(TimeSpan.TicksPerDay / _noise.RebootsPerDay);
                var silence = _rebootRng.Between(BackgroundNoise.RebootSilenceSeconds.Min, BackgroundNoise.RebootSilenceSeconds.Max) * Second + _rebootRng.Next(1000) * Ms;
                // A terminal switched off does not reboot; one already restarting just comes back later.
                if (!PoweredAt(at)) continue;
                _downUntil = Math.Max(_downUntil, at + silence);
                _bootedAt = _downUntil;
            }
            while (_nextLinkDrop <= t)
            {
                var at = _nextLinkDrop;
                _nextLinkDrop = at + (long)_linkRng.Exponential(TimeSpan.TicksPerDay / _noise.LinkDropsPerDay);
                var length = _linkRng.Between(BackgroundNoise.LinkDropSeconds.Min, BackgroundNoise.LinkDropSeconds.Max) * Second + _linkRng.Next(1000) * Ms;
                if (!PoweredAt(at) || LinkDown(at)) continue;
                _linkDownFrom = at;
                _linkUpAt = at + length;
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
                (_powerOn, _powerOff) = PowerSchedule.PoweredAtOrAfter(_p, _sim.Options.Seed, _noise, next);
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

        /// <summary>The heartbeat the terminal takes at <paramref name="t"/>, or null when it takes none or cannot send it.</summary>
        /// <param name="lost">Sent but lost on the way (<see cref="BackgroundNoise.LostHeartbeatRate"/>).</param>
        private Heartbeat? Heartbeat(long t, out bool lost)
        {
            lost = false;
            if (t < _downUntil) return null;
            var printer = _p.HasPrinter ? (t < _paperOutUntil ? PrinterStatus.PaperOut : PrinterStatus.Ok) : PrinterStatus.Absent;
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
                Timestamp = Stamp(t),
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
                PendingOffline = _pending + (_offline?.Count ?? 0),
            };
            // A link drop: the reading is taken and never sent, and nothing queued goes out.
            var cut = LinkDown(t);
            // The heartbeat reports the queue; it drains after, while the link is up (on a lossy link only now and then).
            if (!cut && _pending > 0 && (!lossy || _drainRng.Chance(1 - worstLoss / 100)))
                _pending = Math.Max(0, _pending - (lossy ? _drainRng.Between(1, 3) : _drainRng.Between(5, 20)));
            // A defective build crashes now and then on its own, not only mid-sale.
            foreach (var e in _effects)
                if (e.Cause == Cause.Software && e.Firmware == _firmware && e.ActiveAt(t) && _hbRng.Chance(e.Intensity * 0.03))
                    Crash(t);
            if (cut) return null;
            lost = Lost();
            return hb;
        }

        // Now and then a heartbeat is lost on the way; on cellular the next one sometimes goes with it.
        private bool Lost()
        {
            if (_loseNextHeartbeat)
            {
                _loseNextHeartbeat = false;
                return true;
            }
            if (_noise.LostHeartbeatRate == 0 || !_lossRng.Chance(_noise.LostHeartbeatRate)) return false;
            _loseNextHeartbeat = _p.Network == NetworkType.Cellular && _lossRng.Chance(_noise.CellularSecondLossShare);
            return true;
        }

        // The roll runs out now and then: the slip being printed fails, and so do sales until the cashier has changed it.
        private bool PaperOut(long t)
        {
            if (!_printsPaper) return false;
            if (t < _paperOutUntil) return true;
            if (--_receiptsLeft > 0) return false;
            var (min, max) = BackgroundNoise.PaperChangeSeconds;
            _paperOutUntil = t + _paperRng.Between(min, max) * Second + _paperRng.Next(1000) * Ms;
            _receiptsLeft = NewRoll();
            return true;
        }

        private Transaction? Sale(long t, (Outcome, Stage?, string?)? scripted)
        {
            if (t < _downUntil) return null;
            // Paper is used whatever else happens to the sale, so a fault never moves the background's rolls.
            var paperOut = PaperOut(t);
            if (LinkDown(t))
            {
                // Approved offline, without the platform: queued on the terminal and sent when the link is back.
                (Outcome, Stage?, string?) outcome = paperOut ? (Outcome.Timeout, Stage.Print, null) : (Outcome.Approved, null, null);
                var offline = _sim.Traffic.Sale(ref _saleRng, _t, outcome, null);
                foreach (var stage in OnlineStages) offline.StageMs[(int)stage] = 0;
                (_offline ??= []).Add(Build(t, offline));
                return null;
            }
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
                        // Mostly left timing out at the PIN pad, some cancelled: as cashiers' trouble shows in real estates.
                        forced ??= _saleRng.Chance(0.7) ? (Outcome.Timeout, Stage.Input, null) : (Outcome.Cancelled, Stage.Input, null);
                        break;
                }
            }
            // A sale that failed earlier never reached the printer.
            if (paperOut) forced ??= (Outcome.Timeout, Stage.Print, null);
            var draft = _sim.Traffic.Sale(ref _saleRng, _t, forced, anyExtra ? _extra : null);
            // A sale that timed out on the way to the platform leaves a reversal queued on the terminal.
            if (draft.Outcome == Outcome.Timeout && draft.Stage is Stage.Connect or Stage.Send) _pending++;
            return Build(t, draft);
        }

        private static readonly Stage[] OnlineStages = [Stage.Connect, Stage.Send, Stage.Host, Stage.Gateway, Stage.Notify];

        private Transaction Build(long t, SaleDraft draft) => new()
        {
            EventId = _idPrefix + "t" + (++_txSeq).ToString(System.Globalization.CultureInfo.InvariantCulture),
            TerminalId = _p.Id,
            Timestamp = Stamp(t),
            Gateway = _gateway,
            Outcome = draft.Outcome,
            Stage = draft.Stage,
            LatencyMs = draft.LatencyMs + _saleRng.Between(5, 40),
            StageMs = draft.StageMs,
            ErrorCode = draft.ErrorCode,
            AmountMinor = draft.AmountMinor,
            Currency = draft.AmountMinor is null ? null : _t.Currency,
        };

        private void Crash(long t)
        {
            _downUntil = t + _saleRng.Between(45, 120) * Second;
            _bootedAt = _downUntil;
        }
    }

    /// <summary>The merchant's current or next trading interval (<see cref="PowerSchedule.TradingAtOrAfter"/>), for times that only move forward.</summary>
    private sealed class OpeningCache(int seed, BackgroundNoise noise)
    {
        private long _close = long.MinValue;

        public long Open { get; private set; } = long.MinValue;
        public long UtcOffset { get; private set; }

        public bool IsOpen(MerchantProfile m, long t)
        {
            if (t >= _close)
            {
                (Open, _close) = PowerSchedule.TradingAtOrAfter(m, seed, noise, t);
                UtcOffset = m.Zone.GetUtcOffset(new DateTimeOffset(Math.Max(Open, t), TimeSpan.Zero)).Ticks;
            }
            return t >= Open && t < _close;
        }
    }
}
