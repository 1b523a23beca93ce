using System.Globalization;
using System.Text.Json;
using PosMonitor.Core.Incidents;

namespace PosMonitor.Core.Quality;

/// <summary>
/// One labelled fault of a fleet recorded elsewhere (a field fleet's <c>truth.json</c>): its cause and scope, when it ran,
/// the terminals it touched, and whether it silenced them (a terminal or shop cut off) rather than failing their sales.
/// </summary>
public sealed record LabelledFault(string Id, Cause Cause, ScopeType ScopeType, string ScopeId, DateTimeOffset Start, DateTimeOffset End,
    IReadOnlySet<string> AffectedTerminals, bool Silent, string? Variant);

internal delegate bool TryParser<T>(string? text, out T value);

/// <summary>A field fleet's labels: its span, faults, and the terminals each firmware rollout reached.</summary>
public sealed record FieldTruth(DateTimeOffset Start, DateTimeOffset End, IReadOnlyList<LabelledFault> Faults,
    IReadOnlyDictionary<string, IReadOnlySet<string>> RolloutTerminals)
{
    /// <summary>Faults that silence their terminals instead of failing sales: evidence is their start plus two heartbeat intervals.</summary>
    private static readonly string[] SilentVariants = ["terminal_offline", "merchant_offline"];

    public static FieldTruth Read(Stream json)
    {
        using var doc = JsonDocument.Parse(json);
        var root = doc.RootElement;
        var span = root.GetProperty("span");
        var faults = new List<LabelledFault>();
        foreach (var f in root.GetProperty("faults").EnumerateArray())
        {
            var variant = f.TryGetProperty("variant", out var v) ? v.GetString() : null;
            faults.Add(new LabelledFault(
                f.GetProperty("id").GetString()!,
                Parse<Cause>(f.GetProperty("cause").GetString(), Causes.TryParse),
                Parse<ScopeType>(f.GetProperty("scopeType").GetString(), Causes.TryParse),
                f.GetProperty("scopeId").GetString()!,
                Time(f.GetProperty("start")), Time(f.GetProperty("end")),
                f.GetProperty("affectedTerminals").EnumerateArray().Select(t => t.GetString()!).ToHashSet(StringComparer.Ordinal),
                variant is not null && SilentVariants.Contains(variant), variant));
        }
        var rollouts = new Dictionary<string, IReadOnlySet<string>>(StringComparer.Ordinal);
        if (root.TryGetProperty("firmwareRollouts", out var list))
            foreach (var r in list.EnumerateArray())
            {
                var version = r.GetProperty("version").GetString()!;
                var set = rollouts.TryGetValue(version, out var had) ? new HashSet<string>(had, StringComparer.Ordinal) : new HashSet<string>(StringComparer.Ordinal);
                set.UnionWith(r.GetProperty("terminals").EnumerateArray().Select(t => t.GetString()!));
                rollouts[version] = set;
            }
        return new FieldTruth(Time(span.GetProperty("start")), Time(span.GetProperty("end")), faults, rollouts);

        static T Parse<T>(string? text, TryParser<T> parse) =>
            parse(text, out var value) ? value : throw new FormatException($"truth.json: unknown {typeof(T).Name.ToLowerInvariant()} '{text}'");

        static DateTimeOffset Time(JsonElement e) =>
            DateTimeOffset.Parse(e.GetString()!, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal);
    }
}

/// <summary>How one detector did on one labelled fault.</summary>
/// <param name="LatencyFromEvidence">From when the fault had shown itself (<see cref="FieldScore.EvidenceAt"/>), not below zero.</param>
public sealed record LabelledResult(LabelledFault Fault, bool Detected, bool Attributed, TimeSpan? Latency, TimeSpan? LatencyFromEvidence,
    int Duplicates, Incident? Best);

/// <summary>A detector's figures on one or more labelled fleets.</summary>
public sealed record FieldFigures(IReadOnlyList<LabelledResult> Faults, IReadOnlyList<Incident> FalsePositives, double TerminalHours)
{
    public int Detected => Faults.Count(f => f.Detected);
    public int Attributed => Faults.Count(f => f.Attributed);
    public int Duplicates => Faults.Sum(f => f.Duplicates);
    public double DuplicatesPerFault => Faults.Count == 0 ? 0 : (double)Duplicates / Faults.Count;
    public double FalsePositiveRate => TerminalHours <= 0 ? 0 : 1000.0 * FalsePositives.Count / TerminalHours;

    public TimeSpan? Latency(double p) => FieldScore.Percentile(Faults.Where(f => f.Latency is not null).Select(f => f.Latency!.Value), p);
    public TimeSpan? LatencyFromEvidence(double p) =>
        FieldScore.Percentile(Faults.Where(f => f.LatencyFromEvidence is not null).Select(f => f.LatencyFromEvidence!.Value), p);

    public static FieldFigures Combine(IEnumerable<FieldFigures> all)
    {
        var list = all.ToList();
        return new FieldFigures(list.SelectMany(f => f.Faults).ToList(), list.SelectMany(f => f.FalsePositives).ToList(), list.Sum(f => f.TerminalHours));
    }
}

/// <summary>
/// Scores incidents against labelled faults by the rules the field fleets are judged by (their <c>score.py</c>):
/// <list type="bullet">
/// <item>An incident <em>matches</em> a fault when its span (opened to resolved, or to the end of time while open) overlaps
///   the fault's start to <see cref="Grace"/> after its end, and its scope covers one of the fault's terminals (a firmware
///   scope covers the fleet's terminals on it and those a rollout brought to it).</item>
/// <item>Each matching incident is assigned to one fault: the best match (exact cause and scope first, then the same scope,
///   then the same cause, then the fault in force when it opened, then the longest overlap, then the earliest fault).</item>
/// <item><em>Detected</em>: a fault has an assigned incident; <em>attributed</em>: one of them has its cause, scope type and id.</item>
/// <item>Latency from start: the first assigned incident's opening minus the fault's start (not below zero). Latency from
///   evidence: minus the moment the fault had shown itself: its <see cref="EvidenceFailures"/>th failed sale (timeout, error or
///   cancelled) on its terminals, or, for a silent fault, its start plus two heartbeat intervals; its start if neither.</item>
/// <item>False positives: incidents that match no fault, per 1,000 terminal-hours. Duplicates: assigned incidents beyond the first.</item>
/// </list>
/// </summary>
public static class FieldScore
{
    public static readonly TimeSpan Grace = TimeSpan.FromMinutes(10);
    public const int EvidenceFailures = 5;
    /// <summary>Two heartbeat intervals of a minute: one lost heartbeat is routine.</summary>
    public static readonly TimeSpan SilenceEvidence = TimeSpan.FromSeconds(120);

    /// <param name="evidenceAt">When each fault (by id) had its <see cref="EvidenceFailures"/>th failed sale, where it had.</param>
    public static FieldFigures Evaluate(FieldTruth truth, Fleet.Fleet fleet, IReadOnlyList<Incident> incidents,
        IReadOnlyDictionary<string, DateTimeOffset> evidenceAt)
    {
        var faults = truth.Faults;
        var covers = incidents.Select(i => Coverage(fleet, truth, i.ScopeType, i.ScopeId)).ToList();
        var assigned = faults.Select(_ => new List<Incident>()).ToArray();
        var falsePositives = new List<Incident>();
        for (var i = 0; i < incidents.Count; i++)
        {
            var inc = incidents[i];
            var best = -1;
            (bool, bool, bool, bool, double, long) bestKey = default;
            for (var f = 0; f < faults.Count; f++)
            {
                var fault = faults[f];
                var overlap = Overlap(inc, fault);
                if (overlap < 0 || !fault.AffectedTerminals.Overlaps(covers[i])) continue;
                var key = (Exact(inc, fault), inc.ScopeType == fault.ScopeType && inc.ScopeId == fault.ScopeId, inc.Cause == fault.Cause,
                    inc.OpenedAt >= fault.Start - TimeSpan.FromMinutes(1) && inc.OpenedAt <= fault.End + Grace, overlap, -fault.Start.UtcTicks);
                if (best < 0 || key.CompareTo(bestKey) > 0) (best, bestKey) = (f, key);
            }
            if (best < 0) falsePositives.Add(inc);
            else assigned[best].Add(inc);
        }

        var results = new List<LabelledResult>();
        for (var f = 0; f < faults.Count; f++)
        {
            var fault = faults[f];
            var mine = assigned[f];
            if (mine.Count == 0)
            {
                results.Add(new LabelledResult(fault, false, false, null, null, 0, null));
                continue;
            }
            var first = mine.MinBy(i => i.OpenedAt)!;
            var shown = fault.Silent ? fault.Start + SilenceEvidence : evidenceAt.GetValueOrDefault(fault.Id, fault.Start);
            results.Add(new LabelledResult(fault, true, mine.Any(i => Exact(i, fault)),
                NotBelowZero(first.OpenedAt - fault.Start), NotBelowZero(first.OpenedAt - shown), mine.Count - 1,
                mine.FirstOrDefault(i => Exact(i, fault)) ?? first));
        }
        return new FieldFigures(results, falsePositives, fleet.Terminals.Count * (truth.End - truth.Start).TotalHours);
    }

    /// <summary>Counts each fault's failed sales on its terminals between its start and end, for <see cref="Evaluate"/>'s evidence.</summary>
    public sealed class EvidenceCounter(FieldTruth truth)
    {
        private readonly Dictionary<string, int> _failed = new(StringComparer.Ordinal);
        private readonly Dictionary<string, List<LabelledFault>> _watch = truth.Faults.Where(f => !f.Silent)
            .SelectMany(f => f.AffectedTerminals.Select(t => (t, f)))
            .GroupBy(p => p.t, StringComparer.Ordinal).ToDictionary(g => g.Key, g => g.Select(p => p.f).ToList(), StringComparer.Ordinal);

        public Dictionary<string, DateTimeOffset> EvidenceAt { get; } = new(StringComparer.Ordinal);

        public void Add(Telemetry.Transaction tx)
        {
            if (tx.Outcome is not (Telemetry.Outcome.Timeout or Telemetry.Outcome.Error or Telemetry.Outcome.Cancelled)) return;
            if (!_watch.TryGetValue(tx.TerminalId, out var faults)) return;
            foreach (var f in faults)
            {
                if (tx.Timestamp < f.Start || tx.Timestamp > f.End || EvidenceAt.ContainsKey(f.Id)) continue;
                var n = _failed[f.Id] = _failed.GetValueOrDefault(f.Id) + 1;
                if (n >= EvidenceFailures) EvidenceAt[f.Id] = tx.Timestamp;
            }
        }
    }

    /// <summary>The markdown table of a field report, one column per detector (and fleet).</summary>
    public static string Table(IReadOnlyList<(string Name, FieldFigures Figures)> columns)
    {
        var inv = CultureInfo.InvariantCulture;
        var rows = new (string Label, Func<FieldFigures, string> Value)[]
        {
            ("Faults detected", f => Ratio(f.Detected, f.Faults.Count)),
            ("Right cause and scope (type and id)", f => Ratio(f.Attributed, f.Faults.Count)),
            ("Latency from evidence p50", f => Seconds(f.LatencyFromEvidence(0.5))),
            ("Latency from evidence p95", f => Seconds(f.LatencyFromEvidence(0.95))),
            ("Latency from fault start p50", f => Seconds(f.Latency(0.5))),
            ("Latency from fault start p95", f => Seconds(f.Latency(0.95))),
            ("False positives per 1,000 terminal-hours", f => string.Create(inv, $"{f.FalsePositiveRate:0.00} ({f.FalsePositives.Count})")),
            ("Duplicate incidents per fault", f => string.Create(inv, $"{f.DuplicatesPerFault:0.00} ({f.Duplicates})")),
        };
        var lines = new List<string>
        {
            "| Figure | " + string.Join(" | ", columns.Select(c => c.Name)) + " |",
            "|---|" + string.Concat(columns.Select(_ => "---|")),
        };
        foreach (var (label, value) in rows)
            lines.Add($"| {label} | " + string.Join(" | ", columns.Select(c => value(c.Figures))) + " |");
        return string.Join("\n", lines);

        string Ratio(int n, int of) => of == 0 ? "n/a" : string.Create(inv, $"{100.0 * n / of:0.0}% ({n}/{of})");
        string Seconds(TimeSpan? t) => t is { } v ? string.Create(inv, $"{v.TotalSeconds:0} s") : "n/a";
    }

    private static bool Exact(Incident i, LabelledFault f) => i.Cause == f.Cause && i.ScopeType == f.ScopeType && i.ScopeId == f.ScopeId;

    /// <summary>Seconds the incident's span overlaps the fault's window (negative: apart).</summary>
    private static double Overlap(Incident i, LabelledFault f)
    {
        var lo = i.OpenedAt > f.Start ? i.OpenedAt : f.Start;
        var hi = i.ResolvedAt is { } r && r < f.End + Grace ? r : f.End + Grace;
        return (hi - lo).TotalSeconds;
    }

    private static IReadOnlySet<string> Coverage(Fleet.Fleet fleet, FieldTruth truth, ScopeType type, string id)
    {
        var terminals = fleet.Terminals.Values;
        IEnumerable<string> ids = type switch
        {
            ScopeType.Terminal => fleet.Terminals.ContainsKey(id) ? [id] : [],
            ScopeType.Merchant => terminals.Where(t => t.MerchantId == id).Select(t => t.Id),
            ScopeType.Region => terminals.Where(t => t.RegionId == id).Select(t => t.Id),
            ScopeType.Gateway => terminals.Where(t => t.GatewayId == id).Select(t => t.Id),
            ScopeType.Firmware => terminals.Where(t => t.Firmware == id).Select(t => t.Id)
                .Concat(truth.RolloutTerminals.GetValueOrDefault(id) ?? new HashSet<string>()),
            _ => id == "platform" ? terminals.Select(t => t.Id) : [],
        };
        return ids.ToHashSet(StringComparer.Ordinal);
    }

    private static TimeSpan NotBelowZero(TimeSpan t) => t < TimeSpan.Zero ? TimeSpan.Zero : t;

    /// <summary>Nearest rank, as the field scorer takes it.</summary>
    internal static TimeSpan? Percentile(IEnumerable<TimeSpan> values, double p)
    {
        var sorted = values.Order().ToList();
        if (sorted.Count == 0) return null;
        return sorted[Math.Clamp((int)Math.Ceiling(p * sorted.Count - 1e-9) - 1, 0, sorted.Count - 1)];
    }
}
