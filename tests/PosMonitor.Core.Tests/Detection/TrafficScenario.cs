using Microsoft.Extensions.Time.Testing;
using PosMonitor.Core.Detection;
using PosMonitor.Core.Fleet;
using PosMonitor.Core.Incidents;
using PosMonitor.Core.Replay;
using PosMonitor.Core.Rollups;
using PosMonitor.Core.Telemetry;
using FleetModel = PosMonitor.Core.Fleet.Fleet;

namespace PosMonitor.Core.Tests.Detection;

/// <summary>What an injected fault does to one terminal in one minute.</summary>
internal sealed record Fault
{
    /// <summary>Share of sales that fail at <see cref="Stage"/>.</summary>
    public double Rate { get; init; }
    public Stage Stage { get; init; }
    public Outcome Outcome { get; init; } = Outcome.Timeout;
    /// <summary>Share of sales cancelled on top of <see cref="Rate"/>.</summary>
    public double CancelRate { get; init; }
    /// <summary>Sales added this minute that all fail at <see cref="Stage"/> (an exact count, where a rate would be drawn).</summary>
    public int ExtraFailures { get; init; }
    /// <summary>Every sale's <see cref="Stage"/> takes this long (ms) without failing: a slow host or gateway.</summary>
    public int SlowMs { get; init; }
    /// <summary>No heartbeats, no sales.</summary>
    public bool Silent { get; init; }
    public PrinterStatus Printer { get; init; } = PrinterStatus.Ok;
    /// <summary>The packet loss heartbeats report (a poor link at 10% or more); the background's 0.2% when null.</summary>
    public double? PacketLossPct { get; init; }
}

/// <summary>
/// A small deterministic traffic generator driving the real aggregation, store and engine on a fake
/// clock: every terminal sends a heartbeat a minute and about two sales, with a low background of
/// failures; <see cref="Inject"/> changes what chosen terminals send.
/// </summary>
internal sealed class TrafficScenario
{
    public static readonly DateTimeOffset Monday9Utc = new(2026, 11, 23, 9, 0, 0, TimeSpan.Zero);

    private readonly Random _random;
    private readonly List<(Heartbeat? Hb, Transaction? Tx)> _queue = [];
    private readonly RollupAggregator _aggregator;
    private readonly Dictionary<string, long> _uptime = [];
    private readonly List<Incident> _open = [];

    public TrafficScenario(FleetModel fleet, DateTimeOffset start, DetectionSettings? settings = null, int seed = 7)
    {
        Fleet = fleet;
        Settings = settings ?? new DetectionSettings();
        Time = new FakeTimeProvider(start);
        Store = new InMemoryTelemetryStore();
        Ids = new SequentialIncidentIdGenerator();
        Engine = new DetectionEngine(Settings, Time, Ids);
        _random = new Random(seed);
        _aggregator = new RollupAggregator(Store.GetState);
        foreach (var t in fleet.Terminals.Values) Firmware[t.Id] = t.Firmware;
    }

    public FleetModel Fleet { get; }
    public DetectionSettings Settings { get; }
    public FakeTimeProvider Time { get; }
    public InMemoryTelemetryStore Store { get; }
    public SequentialIncidentIdGenerator Ids { get; }
    public DetectionEngine Engine { get; set; }
    public List<IncidentChange> Changes { get; } = [];
    public List<string> Problems { get; } = [];
    public List<MaintenanceWindow> Maintenance { get; } = [];
    public Dictionary<string, string> Firmware { get; } = [];
    public double SalesPerMinute { get; set; } = 2;
    /// <summary>Per-terminal override of the background connect-timeout rate (a hot store).</summary>
    public Func<Terminal, double>? BackgroundNetworkRate { get; set; }
    /// <summary>Per-terminal override of the sales rate.</summary>
    public Func<Terminal, double>? SalesRate { get; set; }
    public Func<Terminal, DateTimeOffset, Fault?>? Inject { get; set; }
    /// <summary>Whether the terminal is switched on (defaults to its merchant's opening hours).</summary>
    public Func<Terminal, DateTimeOffset, bool>? PoweredOn { get; set; }
    public TimeSpan MaxEvaluation { get; private set; }

    public IReadOnlyList<Incident> Opened => Changes.Where(c => c.Kind == IncidentChangeKind.Opened).Select(c => c.Incident).ToList();
    public IReadOnlyList<Incident> OpenIncidents => _open;

    public DateTimeOffset Now => Time.GetUtcNow();

    /// <summary>Generates and evaluates minute by minute, ticking at the engine's interval.</summary>
    public void Run(TimeSpan span)
    {
        var end = Now + span;
        while (Now < end)
        {
            var minute = TerminalMinute.MinuteOf(Now);
            if (Now == minute) Generate(minute);
            Feed(Now);
            Evaluate();
            Time.Advance(Settings.Interval);
        }
    }

    /// <summary>An agent resolves the incident now, as the portal does: the host stops holding it open and tells the engine.</summary>
    public bool ResolveByHand(string incidentId)
    {
        _open.RemoveAll(i => i.Id == incidentId);
        return Engine.ResolveByHand(incidentId, Now);
    }

    public DetectionResult Evaluate()
    {
        var input = Store.DetectionInput(Fleet, Now, Settings, Maintenance, _open.ToList());
        var started = System.Diagnostics.Stopwatch.GetTimestamp();
        var result = Engine.Evaluate(input);
        var took = System.Diagnostics.Stopwatch.GetElapsedTime(started);
        if (took > MaxEvaluation) MaxEvaluation = took;
        foreach (var change in result.Changes)
        {
            Changes.Add(change);
            _open.RemoveAll(i => i.Id == change.Incident.Id);
            if (change.Kind != IncidentChangeKind.Resolved) _open.Add(change.Incident);
        }
        Problems.AddRange(result.Problems);
        return result;
    }

    private void Feed(DateTimeOffset now)
    {
        var due = _queue.Where(e => (e.Hb?.Timestamp ?? e.Tx!.Timestamp) <= now).ToList();
        if (due.Count == 0) return;
        foreach (var e in due)
        {
            if (e.Hb is not null) _aggregator.Add(e.Hb);
            else _aggregator.Add(e.Tx!);
        }
        _queue.RemoveAll(e => (e.Hb?.Timestamp ?? e.Tx!.Timestamp) <= now);
        Store.Apply(_aggregator.TakeDelta());
    }

    private void Generate(DateTimeOffset minute)
    {
        foreach (var t in Fleet.Terminals.Values.OrderBy(t => t.Id, StringComparer.Ordinal))
        {
            var on = PoweredOn?.Invoke(t, minute) ?? IsOpen(t, minute);
            if (!on) continue;
            var fault = Inject?.Invoke(t, minute);
            if (fault?.Silent == true) continue;
            var phase = t.Id.Sum(c => c) % 50 + 5;
            var up = _uptime[t.Id] = _uptime.GetValueOrDefault(t.Id) + 60;
            _queue.Add((new Heartbeat
            {
                EventId = $"hb-{t.Id}-{minute:HHmm}",
                TerminalId = t.Id,
                Timestamp = minute.AddSeconds(phase),
                NetworkType = NetworkType.Wifi,
                SignalDbm = -60,
                LatencyMs = 80,
                PacketLossPct = fault?.PacketLossPct ?? 0.2,
                Firmware = Firmware[t.Id],
                UptimeSec = up,
                CpuPct = 30,
                MemoryPct = 40,
                Printer = fault?.Printer ?? PrinterStatus.Ok,
                Scanner = ScannerStatus.Ok,
                PendingOffline = 0,
            }, null));
            var sales = Poisson(SalesRate?.Invoke(t) ?? SalesPerMinute);
            var networkRate = BackgroundNetworkRate?.Invoke(t) ?? 0.003;
            var extra = fault?.ExtraFailures ?? 0;
            for (var i = 0; i < sales + extra; i++)
            {
                var (outcome, stage) = i >= sales ? (fault!.Outcome, fault.Stage) : Pick(fault, networkRate);
                _queue.Add((null, new Transaction
                {
                    EventId = $"tx-{t.Id}-{minute:HHmm}-{i}",
                    TerminalId = t.Id,
                    Timestamp = minute.AddSeconds(_random.Next(0, 60)),
                    Outcome = outcome,
                    Stage = stage,
                    LatencyMs = outcome == Outcome.Timeout ? 30_000 : 1_200,
                    StageMs = StageTimes(fault),
                }));
            }
        }
    }

    /// <summary>Healthy stage times, with a slow fault's stage as long as it says.</summary>
    private static int[] StageTimes(Fault? fault)
    {
        int[] ms = [4_000, 150, 200, 120, 600, 1_500, 200, 60];
        if (fault is { SlowMs: > 0 } slow) ms[(int)slow.Stage] = slow.SlowMs;
        return ms;
    }

    private (Outcome, Stage?) Pick(Fault? fault, double networkRate)
    {
        var r = _random.NextDouble();
        if (fault is { Rate: > 0 } && r < fault.Rate) return (fault.Outcome, fault.Stage);
        r = _random.NextDouble();
        if (fault is { CancelRate: > 0 } && r < fault.CancelRate) return (Outcome.Cancelled, null);
        r = _random.NextDouble();
        var background = new (double P, Outcome O, Stage? S)[]
        {
            (networkRate, Outcome.Timeout, Stage.Connect),
            (0.002, Outcome.Timeout, Stage.Host),
            (0.002, Outcome.Timeout, Stage.Gateway),
            (0.001, Outcome.Error, Stage.App),
            (0.002, Outcome.Timeout, Stage.Print),
            (0.002, Outcome.Timeout, Stage.Notify),
            (0.001, Outcome.Timeout, Stage.Input),
            (0.01, Outcome.Cancelled, null),
            (0.05, Outcome.Declined, null),
        };
        foreach (var (p, o, s) in background)
        {
            if (r < p) return (o, s);
            r -= p;
        }
        return (Outcome.Approved, null);
    }

    private bool IsOpen(Terminal t, DateTimeOffset at)
    {
        var m = Fleet.Merchants[t.MerchantId];
        return OpeningHours.IsOpen(m.OpeningHours, TimeZones.FindOrUtc(m.TimeZone), at);
    }

    private int Poisson(double lambda)
    {
        var l = Math.Exp(-lambda);
        var k = 0;
        var p = 1.0;
        do { k++; p *= _random.NextDouble(); } while (p > l);
        return k - 1;
    }

    /// <summary>
    /// Regions north/east/south; four merchants per region (m-north-1 …) with four terminals each;
    /// merchant i pays through gateway gw-{a,b,c}[i % 3], so every gateway spans regions.
    /// </summary>
    public static FleetModel MakeFleet(int merchantsPerRegion = 4, int terminalsPerMerchant = 4,
        string? openingHours = null, string timeZone = "UTC", string[]? regions = null)
    {
        regions ??= ["north", "east", "south"];
        string[] gateways = ["gw-a", "gw-b", "gw-c"];
        var merchants = new List<Merchant>();
        var terminals = new List<Terminal>();
        var n = 0;
        foreach (var r in regions)
            for (var i = 1; i <= merchantsPerRegion; i++)
            {
                var m = new Merchant($"m-{r}-{i}", $"Shop {r} {i}", r, timeZone, openingHours);
                merchants.Add(m);
                for (var j = 1; j <= terminalsPerMerchant; j++)
                    terminals.Add(new Terminal($"T-{r}-{i}-{j}", m.Id, r, gateways[n % gateways.Length], "A920", "1.0.0", null));
                n++;
            }
        return new FleetModel(regions.Select(r => new Region(r, r)), gateways.Select(g => new Gateway(g, g)), merchants, terminals);
    }
}
