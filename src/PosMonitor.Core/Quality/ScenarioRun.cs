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
    IReadOnlyDictionary<string, string> SoleTerminals,
    IReadOnlyDictionary<GroundTruthEntry, FaultEvidence> Evidence)
{
    /// <summary>How far into a fault <see cref="FaultEvidence"/> counts: the latency target (issue: p95 under two minutes).</summary>
    public static readonly TimeSpan EvidenceSpan = TimeSpan.FromMinutes(2);

    public static ScenarioRun Execute(SimulationOptions options, DetectionSettings? settings = null, bool withStaticRule = false)
    {
        var simulator = new Simulator(options);
        var fleet = Fleet.Fleet.FromDocument(simulator.Fleet.Document);
        var truth = simulator.GroundTruth;
        var replayer = new Replayer(fleet, settings ?? new DetectionSettings(), MaintenanceWindows(truth));
        var rule = withStaticRule ? new StaticRule(fleet) : null;
        var evidence = new EvidenceCounter(truth);
        foreach (var e in simulator.Events())
        {
            if (e.Heartbeat is { } hb) replayer.Add(hb);
            else
            {
                replayer.Add(e.Transaction!);
                rule?.Add(e.Transaction!);
                evidence.Add(e.Transaction!);
            }
        }
        replayer.Finish();
        rule?.Finish();
        var end = simulator.End ?? replayer.LastEvent ?? options.Start;
        var sole = fleet.Terminals.Values.GroupBy(t => t.MerchantId).Where(g => g.Count() == 1)
            .ToDictionary(g => g.Key, g => g.Single().Id, StringComparer.Ordinal);
        return new ScenarioRun(simulator, truth, replayer.Incidents, rule?.Incidents, replayer.Problems, end, sole, evidence.Result);
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

/// <summary>
/// What a fault had shown by <see cref="ScenarioRun.EvidenceSpan"/> after its start, on its terminals: its sales and the
/// failed ones (timeout, error, cancelled), and the same for the span before it. It tells a fault detected late because
/// its evidence came late (two failed sales in two minutes cannot be told from noise) from one the engine was slow on.
/// </summary>
/// <param name="EvidenceAt">When the fault's terminals had failed <see cref="EvidenceCounter.EnoughFailures"/> sales since its start (null if never).</param>
public readonly record struct FaultEvidence(int SalesBefore, int FailedBefore, int Sales, int Failed, DateTimeOffset? EvidenceAt = null);

public sealed class EvidenceCounter
{
    /// <summary>
    /// Failed sales that can be told from noise: against a normal of about 1% over a few dozen sales, five failures
    /// are the fewest that reach the engine's default sensitivity (one in a million, <c>MinSurprise</c> 6).
    /// </summary>
    public const int EnoughFailures = 5;

    private readonly List<(GroundTruthEntry Fault, HashSet<string> Terminals)> _faults;
    private readonly int[] _counts;
    private readonly int[] _failedSinceStart;
    private readonly DateTimeOffset?[] _evidenceAt;

    internal EvidenceCounter(IEnumerable<GroundTruthEntry> truth)
    {
        _faults = truth.Where(e => e.Kind == GroundTruthKind.Fault)
            .Select(e => (e, e.AffectedTerminals.ToHashSet(StringComparer.Ordinal))).ToList();
        _counts = new int[_faults.Count * 4];
        _failedSinceStart = new int[_faults.Count];
        _evidenceAt = new DateTimeOffset?[_faults.Count];
    }

    internal void Add(Telemetry.Transaction tx)
    {
        var failed = tx.Outcome is Telemetry.Outcome.Timeout or Telemetry.Outcome.Error or Telemetry.Outcome.Cancelled ? 1 : 0;
        for (var i = 0; i < _faults.Count; i++)
        {
            var (fault, terminals) = _faults[i];
            var offset = tx.Timestamp - fault.Start;
            if (offset < -ScenarioRun.EvidenceSpan || tx.Timestamp > fault.End || !terminals.Contains(tx.TerminalId)) continue;
            if (failed == 1 && offset >= TimeSpan.Zero && ++_failedSinceStart[i] == EnoughFailures) _evidenceAt[i] = tx.Timestamp;
            if (offset >= ScenarioRun.EvidenceSpan) continue;
            var at = i * 4 + (offset < TimeSpan.Zero ? 0 : 2);
            _counts[at]++;
            _counts[at + 1] += failed;
        }
    }

    internal IReadOnlyDictionary<GroundTruthEntry, FaultEvidence> Result => _faults
        .Select((f, i) => (f.Fault, new FaultEvidence(_counts[i * 4], _counts[i * 4 + 1], _counts[i * 4 + 2], _counts[i * 4 + 3], _evidenceAt[i])))
        .ToDictionary(p => p.Fault, p => p.Item2);
}
