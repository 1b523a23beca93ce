using PosMonitor.Core.Incidents;

namespace PosMonitor.Core.Detection;

/// <summary>
/// What detection tells the host about the incidents it holds (is the fault still there, how bad is it now), and how
/// an agent's resolve reaches it (src/PosMonitor.Web/Features/Incidents/incident-state.md).
/// </summary>
public sealed partial class DetectionEngine
{
    private IReadOnlyDictionary<string, FaultNow> _failing = new Dictionary<string, FaultNow>();

    /// <summary>The open incidents whose fault the last evaluation still saw, by id.</summary>
    public IReadOnlyDictionary<string, FaultNow> Failing => _failing;

    /// <summary>
    /// An agent resolved the incident: detection stops updating it and watches its scope instead; the fault seen again in
    /// what is reported after <paramref name="at"/> reopens it. False when this engine does not hold the incident open.
    /// </summary>
    public bool ResolveByHand(string incidentId, DateTimeOffset at) =>
        _tracker.ResolveByHand(incidentId, at, failingThen: _failing.ContainsKey(incidentId));

    private IReadOnlyDictionary<string, FaultNow> Watch(DetectionFrame f, List<IncidentChange> changes, List<string> problems)
    {
        _tracker.CheckResolvedByHand(f.Now, (tracked, since) => SeenSince(f, tracked, since), changes, problems);
        var failing = new Dictionary<string, FaultNow>(StringComparer.Ordinal);
        foreach (var tracked in _tracker.Open)
        {
            try
            {
                if (tracked.LastActiveAt == f.Now && FigureNow(f, tracked) is { } figure)
                    failing[tracked.Incident.Id] = new FaultNow(tracked.Incident.Id, f.Now, figure);
            }
            catch (Exception e) when (e is not OutOfMemoryException)
            {
                problems.Add($"{tracked.Incident.Id}: {e.Message}");
            }
        }
        return _failing = failing;
    }

    private static int ScopeIndex(DetectionFrame f, Incident incident) =>
        incident.ScopeType == ScopeType.Platform ? 0 : f.Level(incident.ScopeType).IndexOf.GetValueOrDefault(incident.ScopeId, -1);

    /// <summary>
    /// The worst of the incident's signals that is still elevated, at its rate over the recent window (the last minute and
    /// the one under way) when that has the traffic, else over the window it was judged on; or its silent terminals.
    /// </summary>
    private IncidentTitle? FigureNow(DetectionFrame f, TrackedIncident tracked)
    {
        var incident = tracked.Incident;
        var scope = ScopeIndex(f, incident);
        if (scope < 0) return null;
        var level = f.Level(incident.ScopeType);
        (Signal Signal, double Rate)? worst = null;
        foreach (var signal in tracked.Signals)
        {
            var verdict = _test.Test(level.ShortOf(scope), level.LongOf(scope), signal, f.Normal(incident.ScopeType, scope, signal), Strictness.Elevated);
            if (!verdict.Anomalous) continue;
            var recent = _recent.Of(incident.ScopeType, scope);
            var d = Signals.Denominator(signal);
            var rate = recent[d] >= MinVolume(signal) ? recent[Signals.Index(signal)] / recent[d] : verdict.Rate;
            if (worst is null || rate > worst.Value.Rate) worst = (signal, rate);
        }
        if (worst is { } w) return new IncidentTitle(incident.ScopeType, incident.ScopeId, null, "rate:" + w.Signal, Rate: Wording.Pct(w.Rate));
        return tracked.Silence ? Silent(f, tracked, level.Members[scope]) : null;
    }

    /// <summary>
    /// The fault in what was reported since <paramref name="since"/> only (the windows still hold the minutes before an
    /// agent's resolve): the scope's sales in minutes that started then or later, judged as strictly as opening an
    /// incident; or half of its terminals still silent once a silent one cannot have reported since.
    /// </summary>
    private IncidentTitle? SeenSince(DetectionFrame f, TrackedIncident tracked, DateTimeOffset since)
    {
        var incident = tracked.Incident;
        var scope = ScopeIndex(f, incident);
        if (scope < 0) return null;
        var members = f.Level(incident.ScopeType).Members[scope];
        var sums = new double[Signals.Width];
        foreach (var block in _minutes.Blocks)
        {
            if (block.Minute < since || block.Minute > f.Now) continue;
            foreach (var t in members)
                if (!f.Excluded[t]) DetectionFrame.AddTo(sums, block.Of(t));
        }
        (Signal Signal, double Rate)? worst = null;
        foreach (var signal in tracked.Signals)
        {
            var d = Signals.Denominator(signal);
            if (sums[d] < MinVolume(signal)) continue;
            var verdict = _test.Decide(sums[Signals.Index(signal)], sums[d], f.Normal(incident.ScopeType, scope, signal), Strictness.Open, shortWindow: true);
            if (verdict.Anomalous && (worst is null || verdict.Rate > worst.Value.Rate)) worst = (signal, verdict.Rate);
        }
        if (worst is { } w) return new IncidentTitle(incident.ScopeType, incident.ScopeId, null, "rate:" + w.Signal, Rate: Wording.Pct(w.Rate));
        if (!tracked.Silence || f.Now - since < settings.SilenceAfter) return null;
        var silent = Silent(f, tracked, members);
        return silent is not null && silent.Silent * 2 >= Math.Max(1, tracked.Terminals.Count) ? silent : null;
    }

    private IncidentTitle? Silent(DetectionFrame f, TrackedIncident tracked, int[] members)
    {
        var silent = members.Count(t => _silence.Silent.Length > t && _silence.Silent[t]);
        if (silent == 0) return null;
        var incident = tracked.Incident;
        return incident.ScopeType == ScopeType.Terminal
            ? new IncidentTitle(incident.ScopeType, incident.ScopeId, null, "silent")
            : new IncidentTitle(incident.ScopeType, incident.ScopeId, null, "silent-of", Silent: silent, Expected: members.Length);
    }

    private int MinVolume(Signal signal) => Signals.PerHeartbeatMinute(signal) ? settings.MinHeartbeatMinutes : settings.MinTransactions;
}
