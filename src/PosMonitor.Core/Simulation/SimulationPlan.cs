using System.Globalization;
using PosMonitor.Core.Incidents;
using PosMonitor.Core.Telemetry;

namespace PosMonitor.Core.Simulation;

/// <summary>One planned disturbance (fault, decoy or maintenance) over one scope, as the event loop applies it.</summary>
internal sealed class Effect
{
    public required GroundTruthKind Kind { get; init; }
    public required Cause Cause { get; init; }
    public required ScopeType ScopeType { get; init; }
    public required string ScopeId { get; init; }
    public required long Start { get; init; }
    public required long End { get; init; }
    public required double Intensity { get; init; }
    public required string Spec { get; init; }
    public required IReadOnlyList<int> Terminals { get; init; }
    public int ExtraLatencyMs { get; init; }
    public double LossPct { get; init; }
    public bool Offline { get; init; }
    public NetworkType? Via { get; init; }
    public DeviceFault Device { get; init; }
    /// <summary>software: the defect bites only while the terminal runs this version.</summary>
    public string? Firmware { get; init; }

    public bool ActiveAt(long ticks) => ticks >= Start && ticks < End;
}

/// <summary>A version installed on some terminals at given times; with <c>RevertAt</c> they go back to what they ran before.</summary>
internal sealed record Rollout(string Version, IReadOnlyDictionary<int, long> UpgradeAt, long? RevertAt);

/// <summary>A sale the plan places by hand (the sparse-terminal decoy).</summary>
internal readonly record struct ScriptedSale(long Ticks, Outcome Outcome, Stage? Stage);

/// <summary>
/// Turns fault specs and decoys into effects over resolved scopes, firmware rollouts, scripted sales
/// and the ground truth. Everything random here draws from the seed, so a plan is reproducible.
/// </summary>
internal sealed class SimulationPlan
{
    private readonly SimulatedFleet _fleet;
    private readonly TrafficModel _traffic;
    private readonly int _seed;
    private readonly BackgroundNoise _noise;
    private readonly long _start;
    private readonly long _end;
    /// <summary>The run's length, or six hours for a run without an end: what relative placements are relative to.</summary>
    private readonly long _span;
    private readonly List<Effect> _effects = [];
    private readonly List<Rollout> _rollouts = [];
    private readonly List<GroundTruthEntry> _truth = [];

    /// <param name="closingMerchants">Merchants recorded as closing during the run (<see cref="PlanClosings"/>); empty without that decoy.</param>
    public SimulationPlan(SimulatedFleet fleet, TrafficModel traffic, SimulationOptions options, IReadOnlyList<string> closingMerchants)
    {
        _fleet = fleet;
        _traffic = traffic;
        _seed = options.Seed;
        _noise = options.Background;
        _start = options.Start.UtcTicks;
        _end = options.Duration is { } d ? _start + d.Ticks : PowerSchedule.Always;
        _span = (options.Duration ?? TimeSpan.FromHours(6)).Ticks;

        var faultIndex = 0;
        foreach (var spec in options.Faults) AddFault(spec, faultIndex++);
        AddDecoys(options.Decoys);
        Firmware = BuildFirmwareTimelines();
        foreach (var effect in _effects) _truth.Add(Truth(effect));
        _truth.AddRange(ClosingTruth(closingMerchants));
        _truth.Sort((a, b) => a.Start != b.Start ? a.Start.CompareTo(b.Start) : a.Kind.CompareTo(b.Kind));
    }

    public IReadOnlyList<Effect> Effects => _effects;
    public IReadOnlyList<GroundTruthEntry> GroundTruth => _truth;
    /// <summary>Per terminal index: firmware changes in time order (empty when it keeps its version).</summary>
    public IReadOnlyList<(long Ticks, string Version)>[] Firmware { get; }
    public Dictionary<int, List<ScriptedSale>> Scripted { get; } = [];
    /// <summary>Per terminal index: a window in which it makes no sales of its own.</summary>
    public Dictionary<int, (long From, long To)> Quiet { get; } = [];

    // ---- faults ----

    private void AddFault(FaultSpec spec, int index)
    {
        var start = spec.StartAt?.UtcTicks ?? _start + (spec.StartOffset ?? TimeSpan.FromTicks(_end == PowerSchedule.Always ? TimeSpan.TicksPerMinute * 10 : _span / 4)).Ticks;
        var end = start + spec.EffectiveDuration.Ticks;
        if (_end != PowerSchedule.Always && start >= _end)
            throw Problem(spec, $"starts at {Offset(start)}, after the run ends at {Offset(_end)}");
        if (end <= _start)
            throw Problem(spec, $"ends at {Offset(end)}, before the run starts");
        var rng = SimRandom.For(_seed, "fault", index);

        foreach (var scopeId in ResolveScopes(spec, start, end, ref rng))
        {
            var terminals = spec.Cause == Cause.Software
                ? SoftwareTerminals(spec, scopeId, start, end, ref rng)
                : TerminalsOf(spec.ScopeType, scopeId, spec);
            var (loss, latency) = NetworkDefaults(spec);
            _effects.Add(new Effect
            {
                Kind = GroundTruthKind.Fault,
                Cause = spec.Cause,
                ScopeType = spec.ScopeType,
                ScopeId = scopeId,
                Start = start,
                End = end,
                Intensity = spec.EffectiveIntensity,
                Spec = spec.Text,
                Terminals = terminals,
                Offline = spec.Offline,
                LossPct = loss,
                ExtraLatencyMs = spec.Cause switch
                {
                    Cause.Network => latency,
                    Cause.Server => (int)(spec.ExtraLatency ?? TimeSpan.FromSeconds(4)).TotalMilliseconds,
                    Cause.Gateway => (int)(spec.ExtraLatency ?? TimeSpan.FromSeconds(5)).TotalMilliseconds,
                    _ => 0,
                },
                Via = spec.Via,
                Device = spec.Device,
                Firmware = spec.Cause == Cause.Software ? scopeId : null,
            });
        }
    }

    private static (double Loss, int LatencyMs) NetworkDefaults(FaultSpec spec)
    {
        if (spec.Cause != Cause.Network || spec.Offline) return (0, 0);
        var latency = spec.ExtraLatency is { } l ? (int)l.TotalMilliseconds : 0;
        if (spec.LossPct is { } loss) return (loss, latency == 0 ? 300 : latency);
        // Slowness alone is a valid fault; with neither figure, a typical flaky link.
        return spec.ExtraLatency is null ? (25, 400) : (0, latency);
    }

    private IReadOnlyList<string> ResolveScopes(FaultSpec spec, long start, long end, ref SimRandom rng)
    {
        if (spec.ScopeType == ScopeType.Platform) return ["platform"];
        if (spec.RandomCount > 0) return PickRandom(spec, start, end, ref rng);
        foreach (var id in spec.ScopeIds)
        {
            var known = spec.ScopeType switch
            {
                ScopeType.Terminal => _fleet.Fleet.Terminals.ContainsKey(id),
                ScopeType.Merchant => _fleet.Fleet.Merchants.ContainsKey(id),
                ScopeType.Region => _fleet.Fleet.Regions.ContainsKey(id),
                ScopeType.Gateway => _fleet.Fleet.Gateways.ContainsKey(id),
                _ => true,
            };
            if (!known)
                throw Problem(spec, $"{Causes.Name(spec.ScopeType)} '{id}' is not in the fleet{Known(spec.ScopeType)}");
            if (spec.Cause == Cause.Hardware && IsPrinterFault(spec.Device) && !_fleet.FindTerminal(id)!.HasPrinter)
                throw Problem(spec, $"terminal '{id}' has no printer (model {_fleet.FindTerminal(id)!.Terminal.Model})");
            if (spec.Cause == Cause.Hardware && spec.Device == DeviceFault.Scanner && !_fleet.FindTerminal(id)!.HasScanner)
                throw Problem(spec, $"terminal '{id}' has no scanner");
        }
        if (spec.ScopeType == ScopeType.Firmware && spec.Rollout is null && !_fleet.Terminals.Any(t => t.Terminal.Firmware == spec.ScopeIds[0]))
            throw Problem(spec, $"no terminal runs firmware {spec.ScopeIds[0]} (versions: {string.Join(", ", _fleet.FirmwareVersions)}); add rollout=30m to roll it out");
        return spec.ScopeIds;
    }

    private string Known(ScopeType scope) => scope switch
    {
        ScopeType.Region => $" (regions: {string.Join(", ", _fleet.Fleet.Regions.Keys)})",
        ScopeType.Gateway => $" (gateways: {string.Join(", ", _fleet.Fleet.Gateways.Keys)})",
        ScopeType.Merchant => $" (merchants: {_fleet.Merchants[0].Merchant.Id} to {_fleet.Merchants[^1].Merchant.Id})",
        ScopeType.Terminal => $" (terminals: {_fleet.Terminals[0].Id} to {_fleet.Terminals[^1].Id})",
        _ => "",
    };

    /// <summary>Failing sales per quarter hour a randomly picked scope must produce for a sales-only fault to show.</summary>
    private const double RateFaultMinFailures = 12;
    /// <summary>
    /// Failing sales over its whole course a quiet pick's fault must produce (and fewer than <see cref="RateFaultMinFailures"/>
    /// in any quarter hour): a cashier's trouble in a shop making a few dozen sales an hour, a handful of sales left at
    /// the PIN pad, as real estates have them. Fewer (three or four input timeouts in 45 minutes) no test tells from
    /// an ordinary day's one in a thousand.
    /// </summary>
    private const double QuietFaultMinFailures = 8;

    // A random scope is one where the fault will show: busy, trading through the window, not already hot.
    private List<string> PickRandom(FaultSpec spec, long start, long end, ref SimRandom rng)
    {
        var mid = start + (end - start) / 2;
        bool Trading(MerchantProfile m) => m.IsOpen(new DateTimeOffset(start, TimeSpan.Zero)) && m.IsOpen(new DateTimeOffset(mid, TimeSpan.Zero));
        // A fault seen only in sales (operator trouble: no heartbeat shows it) shows only where there are sales:
        // busy means it fails at least RateFaultMinFailures sales in a quarter of an hour, at the scope's traffic
        // when it starts and at its middle. Two failed sales in 45 minutes are no rate (src/PosMonitor.Core/Detection/timeout-causes.md).
        bool Busy(IEnumerable<int> terminals)
        {
            if (spec.Cause != Cause.Operator) return true;
            double at(long ticks) => terminals.Sum(i => _traffic.SalesPerHour(_traffic.Terminals[i], new DateTimeOffset(ticks, TimeSpan.Zero)));
            var perQuarter = Math.Min(at(start), at(mid)) * 0.25 * spec.EffectiveIntensity;
            if (!spec.Quiet) return perQuarter >= RateFaultMinFailures;
            var peak = Math.Max(at(start), at(mid)) * 0.25 * spec.EffectiveIntensity;
            return peak < RateFaultMinFailures && perQuarter * (end - start) / TimeSpan.FromMinutes(15).Ticks >= QuietFaultMinFailures;
        }
        string[] candidates = spec.ScopeType switch
        {
            ScopeType.Terminal => _traffic.Terminals
                .Where(t => !t.IsHot && t.PeakSalesPerHour >= 8 && Trading(t.Terminal.Merchant) && Busy([t.Terminal.Index])
                    && (spec.Cause != Cause.Hardware || !IsPrinterFault(spec.Device) || t.Terminal.HasPrinter)
                    && (spec.Cause != Cause.Hardware || spec.Device != DeviceFault.Scanner || t.Terminal.HasScanner))
                .Select(t => t.Terminal.Id).ToArray(),
            ScopeType.Merchant => _fleet.Merchants
                .Where(m => Trading(m) && TerminalsOf(ScopeType.Merchant, m.Merchant.Id, spec).All(i => !_traffic.Terminals[i].IsHot)
                    && Busy(TerminalsOf(ScopeType.Merchant, m.Merchant.Id, spec)))
                .Select(m => m.Merchant.Id).ToArray(),
            ScopeType.Region => _fleet.Fleet.Regions.Keys.Where(r => _fleet.Terminals.Any(t => t.Terminal.RegionId == r)).ToArray(),
            ScopeType.Gateway => _fleet.Fleet.Gateways.Keys.Where(g => _fleet.Terminals.Any(t => t.Terminal.GatewayId == g)).ToArray(),
            _ => [],
        };
        if (candidates.Length < spec.RandomCount)
            throw Problem(spec, $"asks for {spec.RandomCount} random {Causes.Name(spec.ScopeType)}(s) but only {candidates.Length} in the fleet are busy through the window");
        var picked = new List<string>(spec.RandomCount);
        var pool = candidates.ToList();
        for (var i = 0; i < spec.RandomCount; i++)
        {
            var k = rng.Next(pool.Count);
            picked.Add(pool[k]);
            pool.RemoveAt(k);
        }
        picked.Sort(StringComparer.Ordinal);
        return picked;
    }

    private IReadOnlyList<int> TerminalsOf(ScopeType scope, string id, FaultSpec? spec) => _fleet.Terminals
        .Where(t => scope switch
        {
            ScopeType.Terminal => t.Id == id,
            ScopeType.Merchant => t.Terminal.MerchantId == id,
            ScopeType.Region => t.Terminal.RegionId == id,
            ScopeType.Gateway => t.Terminal.GatewayId == id,
            ScopeType.Firmware => t.Terminal.Firmware == id,
            _ => true,
        })
        .Where(t => spec?.Via is not { } via || t.Network == via)
        .Select(t => t.Index).ToArray();

    // Terminals already on the version, plus those a rollout brings it to.
    private IReadOnlyList<int> SoftwareTerminals(FaultSpec spec, string version, long start, long end, ref SimRandom rng)
    {
        var on = TerminalsOf(ScopeType.Firmware, version, spec).ToList();
        if (spec.Rollout is { } window)
        {
            var rollout = PlanRollout(version, start, window.Ticks, spec.RolloutShare ?? 0.4, revertAt: end, ref rng);
            on.AddRange(rollout.UpgradeAt.Keys);
        }
        on.Sort();
        return on;
    }

    private Rollout PlanRollout(string version, long start, long window, double share, long? revertAt, ref SimRandom rng)
    {
        var upgrades = new Dictionary<int, long>();
        foreach (var t in _fleet.Terminals)
        {
            if (t.Terminal.Firmware == version || _rollouts.Any(r => r.UpgradeAt.ContainsKey(t.Index))) continue;
            if (rng.Chance(share)) upgrades[t.Index] = start + (long)(rng.NextDouble() * window);
        }
        var rollout = new Rollout(version, upgrades, revertAt);
        _rollouts.Add(rollout);
        return rollout;
    }

    private IReadOnlyList<(long, string)>[] BuildFirmwareTimelines()
    {
        var timelines = new List<(long, string)>[_fleet.Terminals.Count];
        for (var i = 0; i < timelines.Length; i++) timelines[i] = [];
        foreach (var rollout in _rollouts)
            foreach (var (index, at) in rollout.UpgradeAt)
            {
                var before = _fleet.Terminals[index].Terminal.Firmware;
                timelines[index].Add((at, rollout.Version));
                // A halted rollout is rolled back over ten minutes.
                if (rollout.RevertAt is { } revert)
                    timelines[index].Add((Math.Max(at + 1, revert) + SimRandom.For(_seed, "revert", index).Next(600) * TimeSpan.TicksPerSecond, before));
            }
        foreach (var timeline in timelines) timeline.Sort((a, b) => a.Item1.CompareTo(b.Item1));
        return timelines;
    }

    // ---- decoys ----

    private void AddDecoys(Decoys decoys)
    {
        var rng = SimRandom.For(_seed, "decoys");
        // Decoys on a gateway pick one without an injected fault, so the two do not blur.
        var faulted = _effects.Where(e => e.Cause == Cause.Gateway).Select(e => e.ScopeId).ToHashSet();
        var inUse = _fleet.Fleet.Gateways.Keys.Where(g => _fleet.Terminals.Any(t => t.Terminal.GatewayId == g)).ToArray();
        var quiet = inUse.Where(g => !faulted.Contains(g)).ToArray();
        var gateways = quiet.Length > 0 ? quiet : inUse;
        string PickGateway(ref SimRandom r) => gateways[r.Next(gateways.Length)];

        if (decoys.HasFlag(Decoys.Blip))
        {
            var gateway = PickGateway(ref rng);
            // A gateway's hiccup starts when it starts, not on a minute boundary, and lasts a minute or a little more: it
            // spans two or three of detection's minutes, as one in a real estate does. Its own stream, so the rest of the
            // scenario is drawn as before.
            var shape = SimRandom.For(_seed, "blip");
            var at = RoundToMinute(_start + _span * 6 / 10) + shape.Next(60) * TimeSpan.TicksPerSecond;
            var lasts = shape.Between(45, 90) * TimeSpan.TicksPerSecond;
            _effects.Add(new Effect
            {
                Kind = GroundTruthKind.Decoy, Cause = Cause.Gateway, ScopeType = ScopeType.Gateway, ScopeId = gateway,
                Start = at, End = at + lasts, Intensity = 0.6, Spec = DecoyNames.Name(Decoys.Blip),
                Terminals = TerminalsOf(ScopeType.Gateway, gateway, null), ExtraLatencyMs = 5000,
            });
        }
        if (decoys.HasFlag(Decoys.SparseTerminal)) AddSparseTerminal(ref rng);
        if (decoys.HasFlag(Decoys.HotStores))
        {
            foreach (var group in _traffic.Terminals.Where(t => t.IsHot).GroupBy(t => t.Terminal.Merchant))
                _truth.Add(new GroundTruthEntry
                {
                    Kind = GroundTruthKind.Decoy, Cause = Cause.Network, ScopeType = ScopeType.Merchant, ScopeId = group.Key.Merchant.Id,
                    Start = Time(_start), End = Time(_end == PowerSchedule.Always ? _start + _span : _end),
                    Intensity = group.Average(t => t.NormalTimeoutRate), AffectedTerminals = group.Select(t => t.Terminal.Id).ToArray(),
                    AffectedMerchants = 1, Spec = DecoyNames.Name(Decoys.HotStores),
                    Description = $"always runs hot: {group.Average(t => t.NormalTimeoutRate):P1} of sales time out on any day (weak signal)",
                });
        }
        if (decoys.HasFlag(Decoys.QuietRollout))
        {
            var targeted = _effects.Where(e => e.Cause == Cause.Software).Select(e => e.ScopeId).ToHashSet();
            var version = new[] { _fleet.RollingOutFirmware, _fleet.NextFirmware, "3.3.1" }.First(v => !targeted.Contains(v));
            var at = RoundToMinute(_start + _span * 35 / 100);
            var rollout = PlanRollout(version, at, TimeSpan.TicksPerHour, 0.4, revertAt: null, ref rng);
            _effects.Add(new Effect
            {
                Kind = GroundTruthKind.Decoy, Cause = Cause.Software, ScopeType = ScopeType.Firmware, ScopeId = version,
                Start = at, End = at + TimeSpan.TicksPerHour, Intensity = 0, Spec = DecoyNames.Name(Decoys.QuietRollout),
                Terminals = rollout.UpgradeAt.Keys.Order().ToArray(), Firmware = version,
            });
        }
        if (decoys.HasFlag(Decoys.MaintenanceWindow))
        {
            var gateway = PickGateway(ref rng);
            var at = RoundToMinute(_start + _span * 8 / 10);
            _effects.Add(new Effect
            {
                Kind = GroundTruthKind.Maintenance, Cause = Cause.Gateway, ScopeType = ScopeType.Gateway, ScopeId = gateway,
                Start = at, End = at + 20 * TimeSpan.TicksPerMinute, Intensity = 0.7, Spec = DecoyNames.Name(Decoys.MaintenanceWindow),
                Terminals = TerminalsOf(ScopeType.Gateway, gateway, null), ExtraLatencyMs = 8000,
            });
        }
    }

    private void AddSparseTerminal(ref SimRandom rng)
    {
        var centre = RoundToMinute(_start + _span * 3 / 10);
        var from = centre - 30 * TimeSpan.TicksPerMinute;
        var to = centre + 30 * TimeSpan.TicksPerMinute;
        bool OpenThrough(MerchantProfile m) =>
            PowerSchedule.TradingAtOrAfter(m, _seed, _noise, from) is var (open, close) && open <= from && close >= to;
        var candidates = _traffic.Terminals
            .Where(t => !t.IsHot && OpenThrough(t.Terminal.Merchant))
            .OrderBy(t => _fleet.Terminals.Count(o => o.Merchant.Index == t.Terminal.Merchant.Index)) // a one-till shop: the merchant sees 1 in 2 too
            .ThenBy(t => t.PeakSalesPerHour)
            .Take(10).ToArray();
        if (candidates.Length == 0) return;
        var terminal = candidates[rng.Next(candidates.Length)].Terminal;
        Quiet[terminal.Index] = (from, to);
        Scripted[terminal.Index] =
        [
            new(centre - 10 * TimeSpan.TicksPerMinute + rng.Next(60_000) * TimeSpan.TicksPerMillisecond, Outcome.Timeout, Stage.Connect),
            new(centre + 12 * TimeSpan.TicksPerMinute + rng.Next(60_000) * TimeSpan.TicksPerMillisecond, Outcome.Approved, null),
        ];
        _truth.Add(new GroundTruthEntry
        {
            Kind = GroundTruthKind.Decoy, Cause = Cause.Network, ScopeType = ScopeType.Terminal, ScopeId = terminal.Id,
            Start = Time(from), End = Time(to), Intensity = 0.5, AffectedTerminals = [terminal.Id], AffectedMerchants = 1,
            Spec = DecoyNames.Name(Decoys.SparseTerminal),
            Description = "two sales in an hour, one timed out at connect: too little traffic for a rate",
        });
    }

    // Merchants that close during the run: their silence is expected (fleet.json says when they trade).
    private IEnumerable<GroundTruthEntry> ClosingTruth(IReadOnlyList<string> nightClosings)
    {
        foreach (var id in nightClosings)
        {
            var m = _fleet.Merchants.First(x => x.Merchant.Id == id);
            var (_, close) = PowerSchedule.OpeningAtOrAfter(m, _start);
            var (reopen, _) = PowerSchedule.OpeningAtOrAfter(m, close);
            var runEnd = _end == PowerSchedule.Always ? _start + _span : _end;
            var terminals = _fleet.Terminals.Where(t => t.Merchant.Index == m.Index).ToArray();
            var off = terminals.Count(t => t.WhenClosed == ClosedBehaviour.SwitchedOff);
            yield return new GroundTruthEntry
            {
                Kind = GroundTruthKind.Decoy, Cause = Cause.Network, ScopeType = ScopeType.Merchant, ScopeId = id,
                Start = Time(close), End = Time(Math.Min(reopen, runEnd)), Intensity = 0,
                AffectedTerminals = terminals.Select(t => t.Id).ToArray(), AffectedMerchants = 1,
                Spec = DecoyNames.Name(Decoys.NightClosing),
                Description = $"closes at {m.Merchant.OpeningHours?.Split('-')[1]} local: {off} of {terminals.Length} terminal(s) switched off, the rest quiet",
            };
        }
    }

    /// <summary>
    /// Merchants that close during the run (at most 6 hours for a run without end); when fewer than
    /// three do, picks up to three trading at the start and ends their day at mid-run. Returns the
    /// hours to change and the ids to record.
    /// </summary>
    public static (Dictionary<string, string> NewHours, List<string> Closing) PlanClosings(SimulatedFleet fleet, SimulationOptions options)
    {
        var start = options.Start.UtcTicks;
        var end = start + (options.Duration ?? TimeSpan.FromHours(6)).Ticks;
        var closing = fleet.Merchants
            .Where(m => m.Hours is not null && m.IsOpen(options.Start) && PowerSchedule.OpeningAtOrAfter(m, start).Close < end)
            .Select(m => m.Merchant.Id).ToList();
        var newHours = new Dictionary<string, string>(StringComparer.Ordinal);
        if (closing.Count >= 3) return (newHours, closing);

        var rng = SimRandom.For(options.Seed, "night-closing");
        var mid = new DateTimeOffset(start + (end - start) / 2, TimeSpan.Zero);
        var pool = fleet.Merchants.Where(m => m.Hours is not null && m.IsOpen(options.Start) && !closing.Contains(m.Merchant.Id)).ToList();
        while (closing.Count < 3 && pool.Count > 0)
        {
            var m = pool[rng.Next(pool.Count)];
            pool.Remove(m);
            var local = TimeZoneInfo.ConvertTime(mid, m.Zone);
            var closeAt = new TimeOnly(local.Hour, local.Minute < 30 ? 0 : 30);
            var opens = m.Hours!.Value.Opens;
            if (closeAt == opens || !new Fleet.OpeningHours(opens, closeAt).Contains(TimeOnly.FromDateTime(TimeZoneInfo.ConvertTime(options.Start, m.Zone).DateTime)))
                continue;
            newHours[m.Merchant.Id] = opens.ToString("HH:mm", CultureInfo.InvariantCulture) + "-" + closeAt.ToString("HH:mm", CultureInfo.InvariantCulture);
            closing.Add(m.Merchant.Id);
        }
        return (newHours, closing);
    }

    // ---- ground truth ----

    private GroundTruthEntry Truth(Effect e)
    {
        var runEnd = _end == PowerSchedule.Always ? PowerSchedule.Always : _end;
        var end = Math.Min(e.End, runEnd);
        var affected = e.Terminals
            .Where(i => AffectedBy(e, i))
            .Select(i => _fleet.Terminals[i])
            .ToArray();
        return new GroundTruthEntry
        {
            Kind = e.Kind,
            Cause = e.Cause,
            ScopeType = e.ScopeType,
            ScopeId = e.ScopeId,
            Start = Time(Math.Max(e.Start, _start)),
            End = Time(end),
            Intensity = e.Intensity,
            ExpectedSeverity = e.Kind == GroundTruthKind.Fault ? ExpectedSeverity(e) : null,
            AffectedTerminals = affected.Select(t => t.Id).ToArray(),
            AffectedMerchants = affected.Select(t => t.Terminal.MerchantId).Distinct().Count(),
            Spec = e.Spec,
            Description = Describe(e),
        };
    }

    private bool AffectedBy(Effect e, int index)
    {
        var t = _fleet.Terminals[index];
        if (!PowerSchedule.PoweredDuring(t, _seed, _noise, e.Start, e.End)) return false;
        if (e.Cause == Cause.ThirdParty && !_traffic.Terminals[index].SendsNotifications) return false;
        if (e.Firmware is { } version)
        {
            var timeline = Firmware[index];
            var current = t.Terminal.Firmware;
            foreach (var (at, v) in timeline)
            {
                if (at >= e.End) break;
                if (at <= e.Start) current = v;
                else if (v == version) return true;
            }
            return current == version;
        }
        return true;
    }

    private static Severity ExpectedSeverity(Effect e) => (e.Cause, e.ScopeType) switch
    {
        (Cause.Hardware or Cause.ThirdParty, _) => Severity.Minor,
        (_, ScopeType.Terminal) => Severity.Minor,
        (_, ScopeType.Merchant or ScopeType.Firmware) => Severity.Major,
        _ => Severity.Critical,
    };

    private static string Describe(Effect e) => e.Kind switch
    {
        GroundTruthKind.Decoy when e.Cause == Cause.Gateway => $"{(e.End - e.Start) / TimeSpan.TicksPerSecond} s blip on {e.ScopeId}: {e.Intensity:P0} gateway timeouts, then normal",
        GroundTruthKind.Decoy => $"firmware {e.ScopeId} rolls out with no defect: each terminal restarts once, nothing else changes",
        GroundTruthKind.Maintenance => $"planned maintenance of {e.ScopeId}: {e.Intensity:P0} of its sales time out at the gateway",
        _ => e.Cause switch
        {
            Cause.Network when e.Offline => "terminals offline: heartbeats stop, sales queue offline (pendingOffline)",
            Cause.Network => $"network: {e.LossPct:0.#}% packet loss, +{e.ExtraLatencyMs} ms round trip; {e.Intensity:P0} of sales time out at connect/send",
            Cause.Server => $"platform slow: {e.Intensity:P0} of sales time out at the host stage, host time +{e.ExtraLatencyMs} ms",
            Cause.Gateway => $"gateway slow: {e.Intensity:P0} of its sales time out at the gateway stage, gateway time +{e.ExtraLatencyMs} ms",
            Cause.Software => $"defect in firmware {e.Firmware}: {e.Intensity:P0} of sales fail in the app (error or timeout), crashes restart terminals",
            Cause.Hardware => $"{DeviceName(e.Device)}: {e.Intensity:P0} of sales time out at the {FailingStage(e.Device)} stage",
            Cause.ThirdParty => $"notification provider slow: {e.Intensity:P0} of notifications time out; payments healthy",
            _ => $"operator trouble: {e.Intensity:P0} of sales time out at input or are cancelled",
        },
    };

    internal static bool IsPrinterFault(DeviceFault d) => d is DeviceFault.PrinterJam or DeviceFault.PaperOut or DeviceFault.PrinterOffline or DeviceFault.PrinterError;

    internal static Stage FailingStage(DeviceFault d) => d switch
    {
        DeviceFault.Scanner => Stage.Input,
        DeviceFault.Cpu or DeviceFault.Memory => Stage.App,
        _ => Stage.Print,
    };

    private static string DeviceName(DeviceFault d) => d switch
    {
        DeviceFault.PrinterJam => "printer jammed",
        DeviceFault.PaperOut => "printer out of paper",
        DeviceFault.PrinterOffline => "printer offline",
        DeviceFault.PrinterError => "printer error",
        DeviceFault.Scanner => "scanner broken",
        DeviceFault.Cpu => "CPU saturated",
        _ => "memory exhausted",
    };

    private string Offset(long ticks)
    {
        var d = TimeSpan.FromTicks(ticks - _start);
        var a = d.Duration();
        var text = (a.TotalHours >= 1 ? $"{(int)a.TotalHours}h" : "") + (a.Minutes > 0 || a < TimeSpan.FromHours(1) ? $"{a.Minutes}m" : "");
        return (d < TimeSpan.Zero ? "-" : "+") + text;
    }

    private static long RoundToMinute(long ticks) => ticks - ticks % TimeSpan.TicksPerMinute;

    private static DateTimeOffset Time(long ticks) =>
        ticks >= DateTimeOffset.MaxValue.UtcTicks ? DateTimeOffset.MaxValue : new DateTimeOffset(ticks, TimeSpan.Zero);

    private static ArgumentException Problem(FaultSpec spec, string message) => new($"fault '{spec.Text}': {message}");
}
