using System.Globalization;
using PosMonitor.Core.Incidents;
using PosMonitor.Core.Simulation;

namespace PosMonitor.Core.Quality;

/// <summary>
/// Scores incidents against a simulator's ground truth.
/// <list type="bullet">
/// <item>An incident <em>belongs</em> to a fault when it opened between one minute before the fault's
///   start and <see cref="Grace"/> after its end, and either names the fault's scope or shares at least
///   one affected terminal with it. An incident that could belong to several faults goes to the one it
///   attributes exactly (cause, scope type and id), else to the one whose terminals it shares most.</item>
/// <item>A fault is <em>detected</em> when at least one incident belongs to it; <em>attributed</em> when its
///   first such incident (as last updated: a promoted incident counts at its final scope) has the fault's
///   cause, scope type and scope id.</item>
/// <item>A merchant with a single terminal and that terminal are the same scope: a fault injected on either
///   is rightly attributed to either (the telemetry cannot tell them apart).</item>
/// <item>Latency: the first belonging incident's opening minus the fault's start.</item>
/// <item>Duplicates: belonging incidents beyond the first.</item>
/// <item>False positives: incidents belonging to no fault (decoys included), per 1,000 terminal-hours.</item>
/// </list>
/// </summary>
public static class QualityScore
{
    public static readonly TimeSpan Grace = TimeSpan.FromMinutes(5);

    /// <param name="soleTerminals">Merchant id to its only terminal, for merchants that have one.</param>
    public static Score Evaluate(IReadOnlyList<GroundTruthEntry> truth, IReadOnlyList<Incident> incidents, double terminalHours,
        IReadOnlyDictionary<string, string>? soleTerminals = null)
    {
        (ScopeType, string) Norm(ScopeType type, string id) =>
            type == ScopeType.Merchant && soleTerminals?.GetValueOrDefault(id) is { } only ? (ScopeType.Terminal, only) : (type, id);
        var faults = truth.Where(e => e.Kind == GroundTruthKind.Fault && e.AffectedTerminals.Count > 0).ToList();
        var terminals = faults.Select(f => f.AffectedTerminals.ToHashSet(StringComparer.Ordinal)).ToList();
        var owner = new int[incidents.Count];
        for (var i = 0; i < incidents.Count; i++)
        {
            var inc = incidents[i];
            owner[i] = -1;
            var best = (Exact: false, Shared: 0);
            for (var f = 0; f < faults.Count; f++)
            {
                var fault = faults[f];
                if (inc.OpenedAt < fault.Start - TimeSpan.FromMinutes(1) || inc.OpenedAt > fault.End + Grace) continue;
                var sameScope = Norm(inc.ScopeType, inc.ScopeId) == Norm(fault.ScopeType, fault.ScopeId);
                var shared = inc.AffectedTerminalIds.Count(terminals[f].Contains);
                if (!sameScope && shared == 0) continue;
                var exact = sameScope && inc.Cause == fault.Cause;
                if (owner[i] < 0 || (exact && !best.Exact) || (exact == best.Exact && shared > best.Shared))
                    (owner[i], best) = (f, (exact, shared));
            }
        }

        var results = new List<FaultResult>();
        for (var f = 0; f < faults.Count; f++)
        {
            var mine = Enumerable.Range(0, incidents.Count).Where(i => owner[i] == f).Select(i => incidents[i]).OrderBy(i => i.OpenedAt).ToList();
            var first = mine.FirstOrDefault();
            var fault = faults[f];
            results.Add(new FaultResult(fault, first,
                first is not null && first.Cause == fault.Cause && Norm(first.ScopeType, first.ScopeId) == Norm(fault.ScopeType, fault.ScopeId),
                first is null ? null : Max(first.OpenedAt - fault.Start, TimeSpan.Zero),
                mine.Skip(1).ToList()));
        }
        var falsePositives = Enumerable.Range(0, incidents.Count).Where(i => owner[i] < 0).Select(i => incidents[i]).ToList();
        return new Score(results, falsePositives, terminalHours);
    }

    private static TimeSpan Max(TimeSpan a, TimeSpan b) => a > b ? a : b;

    /// <summary>
    /// When a fault had shown itself: its <see cref="EvidenceCounter.EnoughFailures"/>th failed sale on its terminals, or, for a
    /// terminal or shop cut off (which fails no sale), its start plus two heartbeat intervals (one lost heartbeat is routine);
    /// its start when neither.
    /// </summary>
    public static DateTimeOffset EvidenceAt(GroundTruthEntry fault, FaultEvidence? evidence) =>
        fault.Cause == Cause.Network && fault.Intensity >= 1 ? fault.Start + FieldScore.SilenceEvidence
        : evidence?.EvidenceAt is { } at && at > fault.Start ? at : fault.Start;

    /// <summary>The markdown table of the quality report, one column per detector.</summary>
    /// <param name="shown">
    /// When each fault had shown itself (<see cref="EvidenceAt"/>): latency from evidence is counted from there, and reported
    /// beside latency from the fault's start.
    /// </param>
    public static string Table(IReadOnlyList<(string Name, Score Score)> columns, Func<FaultResult, DateTimeOffset>? shown = null)
    {
        var inv = CultureInfo.InvariantCulture;
        var fromEvidence = shown is null ? [] : new (string Label, Func<Score, string> Value)[]
        {
            ("Latency from evidence p50", s => Latency(s.LatencyPercentile(0.5, shown))),
            ("Latency from evidence p95", s => Latency(s.LatencyPercentile(0.95, shown))),
        };
        (string Label, Func<Score, string> Value)[] rows =
        [
            ("Faults detected", s => Ratio(s.Detected, s.Faults.Count)),
            ("Correctly attributed (cause and scope)", s => Ratio(s.Attributed, s.Faults.Count)),
            .. fromEvidence,
            ("Latency from fault start p50", s => Latency(s.LatencyPercentile(0.5))),
            ("Latency from fault start p95", s => Latency(s.LatencyPercentile(0.95))),
            ("False positives per 1,000 terminal-hours", s => string.Create(inv, $"{s.FalsePositiveRate:0.00} ({s.FalsePositives.Count})")),
            ("Duplicate incidents per fault", s => string.Create(inv, $"{s.DuplicatesPerFault:0.00} ({s.Duplicates})")),
        ];
        var lines = new List<string>
        {
            "| Figure | " + string.Join(" | ", columns.Select(c => c.Name)) + " |",
            "|---|" + string.Concat(columns.Select(_ => "---|")),
        };
        foreach (var (label, value) in rows)
            lines.Add($"| {label} | " + string.Join(" | ", columns.Select(c => value(c.Score))) + " |");
        return string.Join("\n", lines);

        string Ratio(int n, int of) => of == 0 ? "n/a" : string.Create(inv, $"{100.0 * n / of:0.0}% ({n}/{of})");
        string Latency(TimeSpan? t) => t is { } v ? string.Create(inv, $"{v.TotalSeconds:0} s") : "n/a";
    }
}

/// <param name="Later">The fault's incidents after the first: its duplicates.</param>
public sealed record FaultResult(GroundTruthEntry Fault, Incident? First, bool Attributed, TimeSpan? Latency, IReadOnlyList<Incident> Later)
{
    public bool Detected => First is not null;
    public int Duplicates => Later.Count;
}

public sealed record Score(IReadOnlyList<FaultResult> Faults, IReadOnlyList<Incident> FalsePositives, double TerminalHours)
{
    public int Detected => Faults.Count(f => f.Detected);
    public int Attributed => Faults.Count(f => f.Attributed);
    public int Duplicates => Faults.Sum(f => f.Duplicates);
    public double DuplicatesPerFault => Faults.Count == 0 ? 0 : (double)Duplicates / Faults.Count;
    public double FalsePositiveRate => TerminalHours <= 0 ? 0 : 1000.0 * FalsePositives.Count / TerminalHours;

    public TimeSpan? LatencyPercentile(double p) => Percentile(Faults.Where(f => f.Latency is not null).Select(f => f.Latency!.Value), p);

    /// <summary>
    /// The latency percentile counted from <paramref name="from"/> of each detected fault (never before its start, never
    /// below zero) instead of from its start: e.g. from when the fault had shown enough to be told from noise.
    /// </summary>
    public TimeSpan? LatencyPercentile(double p, Func<FaultResult, DateTimeOffset> from) => Percentile(Faults
        .Where(f => f.First is not null)
        .Select(f => f.First!.OpenedAt - (from(f) > f.Fault.Start ? from(f) : f.Fault.Start))
        .Select(t => t < TimeSpan.Zero ? TimeSpan.Zero : t), p);

    private static TimeSpan? Percentile(IEnumerable<TimeSpan> latencies, double p)
    {
        var sorted = latencies.Order().ToList();
        if (sorted.Count == 0) return null;
        // Nearest rank: the smallest value with at least p of the values at or below it.
        return sorted[Math.Clamp((int)Math.Ceiling(p * sorted.Count) - 1, 0, sorted.Count - 1)];
    }

    /// <summary>Scores of several runs as one.</summary>
    public static Score Combine(IEnumerable<Score> scores)
    {
        var list = scores.ToList();
        return new Score(list.SelectMany(s => s.Faults).ToList(), list.SelectMany(s => s.FalsePositives).ToList(), list.Sum(s => s.TerminalHours));
    }
}
