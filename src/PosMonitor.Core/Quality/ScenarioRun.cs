using PosMonitor.Core.Detection;
using PosMonitor.Core.Incidents;
using PosMonitor.Core.Replay;
using PosMonitor.Core.Simulation;

namespace PosMonitor.Core.Quality;

/// <summary>
/// One simulated scenario run through detection exactly as <c>posmonitor replay</c> runs it (the
/// <see cref="Replayer"/>), and, when asked, through the <see cref="StaticRule"/> on the same events.
/// The ground truth's maintenance windows are given to detection as one-off <see cref="MaintenanceWindow"/>s,
/// as an operator would have entered them.
/// </summary>
public sealed record ScenarioRun(
    Simulator Simulator,
    IReadOnlyList<GroundTruthEntry> GroundTruth,
    IReadOnlyList<Incident> Engine,
    IReadOnlyList<Incident>? Static,
    IReadOnlyList<string> Problems,
    DateTimeOffset End,
    IReadOnlyDictionary<string, string> SoleTerminals)
{
    public static ScenarioRun Execute(SimulationOptions options, DetectionSettings? settings = null, bool withStaticRule = false)
    {
        var simulator = new Simulator(options);
        var fleet = Fleet.Fleet.FromDocument(simulator.Fleet.Document);
        var truth = simulator.GroundTruth;
        var replayer = new Replayer(fleet, settings ?? new DetectionSettings(), MaintenanceWindows(truth));
        var rule = withStaticRule ? new StaticRule(fleet) : null;
        foreach (var e in simulator.Events())
        {
            if (e.Heartbeat is { } hb) replayer.Add(hb);
            else
            {
                replayer.Add(e.Transaction!);
                rule?.Add(e.Transaction!);
            }
        }
        replayer.Finish();
        rule?.Finish();
        var end = simulator.End ?? replayer.LastEvent ?? options.Start;
        var sole = fleet.Terminals.Values.GroupBy(t => t.MerchantId).Where(g => g.Count() == 1)
            .ToDictionary(g => g.Key, g => g.Single().Id, StringComparer.Ordinal);
        return new ScenarioRun(simulator, truth, replayer.Incidents, rule?.Incidents, replayer.Problems, end, sole);
    }

    public static IReadOnlyList<MaintenanceWindow> MaintenanceWindows(IEnumerable<GroundTruthEntry> truth) => truth
        .Where(e => e.Kind == GroundTruthKind.Maintenance)
        .Select((e, i) => new MaintenanceWindow
        {
            Id = $"gt-maintenance-{i + 1}",
            ScopeType = e.ScopeType,
            ScopeId = e.ScopeId,
            StartsAt = e.Start,
            EndsAt = e.End,
        })
        .ToList();
}
