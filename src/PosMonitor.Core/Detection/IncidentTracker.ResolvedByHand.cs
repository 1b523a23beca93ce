using PosMonitor.Core.Incidents;

namespace PosMonitor.Core.Detection;

/// <summary>
/// Incidents an agent resolved while detection still tracked them (docs: src/PosMonitor.Web/Features/Incidents/incident-state.md).
/// Detection keeps watching the fault's scope for <see cref="DetectionSettings.QuietPeriod"/> after the resolve, as it
/// would have before resolving the incident itself: the same fault seen again on what was reported since the resolve
/// reopens the incident (never a duplicate); a resolve made over detection's warning is confirmed by a
/// <see cref="IncidentChangeKind.Resolved"/> change once the minutes since it show nothing, so merchants hear
/// "resolved" only then.
/// </summary>
internal sealed partial class IncidentTracker
{
    private readonly Dictionary<string, TrackedIncident> _resolvedByHand = new(StringComparer.Ordinal);
    private readonly Dictionary<string, HandResolve> _handResolves = new(StringComparer.Ordinal);

    /// <summary>When the agent resolved it, and whether detection saw the fault at that moment (an override).</summary>
    private sealed class HandResolve(DateTimeOffset at, bool failingThen)
    {
        public DateTimeOffset At { get; } = at;
        public bool FailingThen { get; } = failingThen;
        public bool Confirmed { get; set; }
    }

    /// <summary>Incidents resolved by hand that detection still watches.</summary>
    public IEnumerable<TrackedIncident> ResolvedByHand => _resolvedByHand.Values;

    /// <summary>An agent resolved the incident at <paramref name="at"/>; false when detection does not track it.</summary>
    /// <param name="failingThen">Detection saw the fault at its last check: the resolve overrode its warning.</param>
    public bool ResolveByHand(string incidentId, DateTimeOffset at, bool failingThen)
    {
        if (!_open.Remove(incidentId, out var tracked)) return false;
        tracked.Incident = tracked.Incident with { ResolvedAt = at, UpdatedAt = at };
        _resolvedByHand[incidentId] = tracked;
        _handResolves[incidentId] = new HandResolve(at, failingThen);
        return true;
    }

    /// <summary>The host holds an incident open again that was resolved by hand (an agent reopened it): tracked as open again.</summary>
    private bool TakeBackReopenedByHand(Incident incident, DateTimeOffset now)
    {
        if (!_resolvedByHand.Remove(incident.Id, out var tracked)) return false;
        _handResolves.Remove(incident.Id);
        tracked.Incident = tracked.Incident with { ResolvedAt = null, UpdatedAt = now };
        tracked.LastActiveAt = now;
        _open[incident.Id] = tracked;
        return true;
    }

    /// <summary>A finding of a fault whose incident was resolved by hand is that incident's: it never opens a new one.</summary>
    private bool HeldAfterHandResolve((Cause, ScopeType, string) key) => _resolvedByHand.Values.Any(o => o.Key == key);

    /// <param name="seenSince">
    /// The fault as it shows in what was reported since the given time, when it shows as strongly as it takes to open
    /// an incident (a title of its scope and figure); null when it does not.
    /// </param>
    public void CheckResolvedByHand(DateTimeOffset now, Func<TrackedIncident, DateTimeOffset, IncidentTitle?> seenSince,
        List<IncidentChange> changes, List<string> problems)
    {
        foreach (var (id, tracked) in _resolvedByHand.ToList())
        {
            var resolve = _handResolves[id];
            try
            {
                if (seenSince(tracked, resolve.At) is { } figure)
                {
                    Reopen(tracked, now, figure, changes);
                    continue;
                }
                // The short window then holds only minutes reported after the resolve, and none showed the fault.
                if (resolve.FailingThen && !resolve.Confirmed && now - resolve.At >= settings.ShortWindow + TimeSpan.FromMinutes(1))
                {
                    resolve.Confirmed = true;
                    changes.Add(new IncidentChange(IncidentChangeKind.Resolved, tracked.Incident));
                }
                if (now - resolve.At >= settings.QuietPeriod)
                {
                    _resolvedByHand.Remove(id);
                    _handResolves.Remove(id);
                }
            }
            catch (Exception e) when (e is not OutOfMemoryException)
            {
                problems.Add($"{id}: {e.Message}");
            }
        }
    }

    private void Reopen(TrackedIncident tracked, DateTimeOffset now, IncidentTitle figure, List<IncidentChange> changes)
    {
        _resolvedByHand.Remove(tracked.Incident.Id);
        _handResolves.Remove(tracked.Incident.Id);
        tracked.LastActiveAt = now;
        // A detection title says the figure now; a title an agent wrote stays theirs.
        var title = IncidentTitle.Parse(tracked.Incident.Title) is null ? tracked.Incident.Title : figure.ToString();
        tracked.Incident = tracked.Incident with { ResolvedAt = null, UpdatedAt = now, Title = title };
        _open[tracked.Incident.Id] = tracked;
        changes.Add(new IncidentChange(IncidentChangeKind.Reopened, tracked.Incident));
    }
}
