using System.Text;
using System.Text.Json;
using PosMonitor.Core.Simulation;
using PosMonitor.Core.Telemetry;

namespace PosMonitor.Core.Tests.Simulation;

/// <summary>
/// Small runs shared by the simulation tests: 300 terminals, 10:00 to 13:00 Shanghai time, over a <see cref="Steady"/>
/// background: these tests hold the base model and the faults event by event (a skewed clock or a late event would move
/// events across a fault's start). The rest of the background has its own tests (<see cref="BackgroundNoiseTests"/>).
/// </summary>
internal static class SimulationRuns
{
    /// <summary>The hot stores and cancelled sales of an ordinary day, and nothing that drops, delays or reorders an event.</summary>
    public static readonly BackgroundNoise Steady = BackgroundNoise.None with
    {
        HotStoreShare = BackgroundNoise.Default.HotStoreShare, CancelledSaleRate = BackgroundNoise.Default.CancelledSaleRate,
    };

    public static readonly DateTimeOffset Start = new(2026, 11, 25, 2, 0, 0, TimeSpan.Zero);
    /// <summary>Faults in these tests start at +1h (<c>at=1h</c>).</summary>
    public static readonly DateTimeOffset FaultStart = Start.AddHours(1);

    private static readonly Lazy<List<SimulatedEvent>> LazyBaseline = new(() => Run().Events);

    public static List<SimulatedEvent> Baseline => LazyBaseline.Value;

    public static SimulationOptions Options(params string[] faults) => new()
    {
        Terminals = 300,
        Seed = 7,
        Start = Start,
        Duration = TimeSpan.FromHours(3),
        Faults = faults.Select(FaultSpec.Parse).ToArray(),
        Background = Steady,
    };

    public static (Simulator Simulator, List<SimulatedEvent> Events) Run(params string[] faults)
    {
        var simulator = new Simulator(Options(faults));
        return (simulator, simulator.Events().ToList());
    }

    public static string Json(SimulatedEvent e)
    {
        using var stream = new MemoryStream();
        using (var writer = new Utf8JsonWriter(stream))
        {
            if (e.Heartbeat is { } hb) TelemetryWriter.Write(writer, hb, withType: true);
            else TelemetryWriter.Write(writer, e.Transaction!, withType: true);
        }
        return Encoding.UTF8.GetString(stream.ToArray());
    }

    /// <summary>Each terminal's events as wire JSON, to compare two runs terminal by terminal.</summary>
    public static Dictionary<string, string> ByTerminal(IEnumerable<SimulatedEvent> events) => events
        .GroupBy(e => e.TerminalId)
        .ToDictionary(g => g.Key, g => string.Join("\n", g.Select(Json)));

    /// <summary>The terminals whose events differ between the two runs.</summary>
    public static HashSet<string> Changed(List<SimulatedEvent> a, List<SimulatedEvent> b)
    {
        var x = ByTerminal(a);
        var y = ByTerminal(b);
        return x.Keys.Union(y.Keys).Where(k => x.GetValueOrDefault(k) != y.GetValueOrDefault(k)).ToHashSet();
    }

    public static IEnumerable<Transaction> Sales(this IEnumerable<SimulatedEvent> events) =>
        events.Where(e => e.Transaction is not null).Select(e => e.Transaction!);

    public static IEnumerable<Heartbeat> Heartbeats(this IEnumerable<SimulatedEvent> events) =>
        events.Where(e => e.Heartbeat is not null).Select(e => e.Heartbeat!);

    public static IEnumerable<T> Between<T>(this IEnumerable<T> items, DateTimeOffset from, DateTimeOffset to, Func<T, DateTimeOffset> at) =>
        items.Where(i => at(i) >= from && at(i) < to);

    public static IEnumerable<Transaction> Between(this IEnumerable<Transaction> sales, DateTimeOffset from, DateTimeOffset to) =>
        sales.Between(from, to, s => s.Timestamp);

    public static double TimeoutShare(this IEnumerable<Transaction> sales, params Stage[] stages)
    {
        var list = sales.ToList();
        return list.Count == 0 ? 0 : (double)list.Count(s => s.Outcome == Outcome.Timeout && s.Stage is { } st && stages.Contains(st)) / list.Count;
    }
}
