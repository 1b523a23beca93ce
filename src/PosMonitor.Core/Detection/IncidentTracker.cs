using PosMonitor.Core.Incidents;

namespace PosMonitor.Core.Detection;

/// <summary>An open incident and what detection needs to keep, update and resolve it.</summary>
internal sealed class TrackedIncident(Incident incident)
{
    public Incident Incident { get; set; } = incident;
    public DateTimeOffset LastActiveAt { get; set; }
    public HashSet<string> Terminals { get; } = new(incident.AffectedTerminalIds, StringComparer.Ordinal);
    public HashSet<string> Merchants { get; } = new(incident.AffectedMerchantIds, StringComparer.Ordinal);
    /// <summary>Signals that keep it open; silence too when <see cref="Silence"/>.</summary>
    public HashSet<Signal> Signals { get; } = [];
    public bool Silence { get; set; }
    public (Cause, ScopeType, string) Key => (Incident.Cause, Incident.ScopeType, Incident.ScopeId);
}

/// <summary>What <see cref="IncidentTracker.Apply"/> works on in one tick, and where it puts what it decides.</summary>
/// <param name="Frame">The tick's view of the fleet and its minutes.</param>
/// <param name="Findings">What the finders found this tick.</param>
/// <param name="MayOpen">False while warming up: existing incidents are kept and resolved, none opened.</param>
/// <param name="StillElevated">The relaxed test of an incident's scope, for incidents not found this tick.</param>
/// <param name="Persisted">Whether a wide rate finding's failures showed in at least two minutes (a burst within one minute opens nothing).</param>
/// <param name="Changes">Receives the incidents opened, updated and resolved.</param>
/// <param name="Problems">Receives what went wrong with one scope or incident (the others are still applied).</param>
internal sealed record TrackerTick(
    DetectionFrame Frame,
    List<Finding> Findings,
    bool MayOpen,
    Func<TrackedIncident, bool> StillElevated,
    Func<Finding, bool> Persisted,
    List<IncidentChange> Changes,
    List<string> Problems);

/// <summary>
/// Turns each tick's findings into incident changes: one incident per fault (same cause and scope),
/// narrower findings grouped under a wider incident of the same cause (and any finding whose failing terminals are
/// mostly an open incident's of the same cause), a narrow incident promoted
/// when its fault turns out wider, narrow findings confirmed before they open, and resolution only
/// after <see cref="DetectionSettings.QuietPeriod"/> without the signal (hysteresis).
/// </summary>
internal sealed partial class IncidentTracker(DetectionSettings settings, IIncidentIdGenerator ids)
{
    private readonly Dictionary<string, TrackedIncident> _open = new(StringComparer.Ordinal);
    /// <summary>Findings waiting out <see cref="DetectionSettings.NarrowConfirmation"/>: when first and last seen.</summary>
    private readonly Dictionary<(Cause, ScopeType, string), (DateTimeOffset First, DateTimeOffset Last)> _pending = [];

    /// <summary>
    /// Incidents resolved within the last <see cref="DetectionSettings.RareWindow"/>: their cause, terminals and when. A
    /// rare window still holds such an incident's failures, and one ordinary failure more must not reopen it.
    /// </summary>
    private readonly List<(Cause Cause, HashSet<string> Terminals, DateTimeOffset At)> _resolvedLately = [];

    public IEnumerable<TrackedIncident> Open => _open.Values;

    /// <summary>Takes over incidents the host holds as open that this engine does not track (after a restart).</summary>
    public void Adopt(IEnumerable<Incident> incidents, DateTimeOffset now)
    {
        foreach (var incident in incidents)
        {
            if (incident.ResolvedAt is not null || _open.ContainsKey(incident.Id) || TakeBackReopenedByHand(incident, now)) continue;
            if (_open.Values.Any(o => o.Key == (incident.Cause, incident.ScopeType, incident.ScopeId))) continue;
            var tracked = new TrackedIncident(incident) { LastActiveAt = now, Silence = incident.Cause == Cause.Network };
            foreach (var s in Detection.Signals.Of(incident.Cause)) tracked.Signals.Add(s);
            if (incident.ScopeType == ScopeType.Firmware)
                foreach (var s in Detection.Signals.Sale) tracked.Signals.Add(s);
            _open[incident.Id] = tracked;
        }
    }

    /// <summary>Applies one tick's findings; the changes and problems are added to the tick's lists.</summary>
    public void Apply(TrackerTick tick)
    {
        var (f, findings, mayOpen, stillElevated, persisted, changes, problems) = tick;
        var now = f.Now;
        _resolvedLately.RemoveAll(r => now - r.At > settings.RareWindow);
        if (_resolvedLately.Count > 0)
            findings = [.. findings.Where(x => !x.OverRareWindow || !_resolvedLately.Any(r => r.Cause == x.Cause
                && x.Affected.Any(t => r.Terminals.Contains(f.Index.TerminalIds[t]))))];
        var merged = Merge(findings);
        var kept = new List<Group>();
        foreach (var g in merged.OrderByDescending(g => Width(g.Primary.ScopeType)))
        {
            var wider = kept.FirstOrDefault(k => k.Primary.Cause == g.Primary.Cause
                && Width(k.Primary.ScopeType) > Width(g.Primary.ScopeType)
                && g.Affected.All(t => f.Contains(k.Primary.ScopeType, k.Primary.Scope, t)));
            if (wider is not null)
            {
                wider.Affected.UnionWith(g.Affected);
                continue;
            }
            var widerOpen = _open.Values.FirstOrDefault(o => o.Incident.Cause == g.Primary.Cause
                && Width(o.Incident.ScopeType) > Width(g.Primary.ScopeType)
                && Covers(f, o.Incident, g.Affected));
            if (widerOpen is not null)
            {
                GroupUnder(f, widerOpen, g, changes);
                continue;
            }
            kept.Add(g);
        }

        var seen = new HashSet<(Cause, ScopeType, string)>();
        var refreshed = new HashSet<string>(StringComparer.Ordinal);
        foreach (var g in kept)
        {
            try
            {
                var key = (g.Primary.Cause, g.Primary.ScopeType, g.Primary.ScopeId);
                seen.Add(key);
                var same = _open.Values.FirstOrDefault(o => o.Key == key);
                if (same is not null)
                {
                    Refresh(f, same, g, changes, scopeChanged: false);
                    refreshed.Add(same.Incident.Id);
                    continue;
                }
                if (HeldAfterHandResolve(key)) continue;
                // Only a narrow incident opened while this fault could have been spreading is its first sign;
                // one open long before it (a terminal's own weak link, say) is another problem and stays apart.
                var narrower = _open.Values
                    .Where(o => o.Incident.Cause == g.Primary.Cause && Width(o.Incident.ScopeType) < Width(g.Primary.ScopeType)
                        && now - o.Incident.OpenedAt <= settings.LongWindow && Inside(f, o, g.Primary))
                    .OrderBy(o => o.Incident.OpenedAt).ToList();
                if (narrower.Count > 0)
                {
                    var promoted = narrower[0];
                    foreach (var other in narrower.Skip(1))
                    {
                        promoted.Terminals.UnionWith(other.Terminals);
                        promoted.Merchants.UnionWith(other.Merchants);
                        Resolve(other, now, EvidencePhrase.GroupedUnder.Write(promoted.Incident.Id, Causes.Name(g.Primary.ScopeType), g.Primary.ScopeId), changes);
                    }
                    Refresh(f, promoted, g, changes, scopeChanged: true);
                    refreshed.Add(promoted.Incident.Id);
                    continue;
                }
                // The same fault seen through another scope: a rollback moves a firmware's failing terminals back under the
                // versions they came from, where their minutes on the defect add up to a platform-wide finding; a firmware's
                // failures show in a region it is thick in. Most of its failing terminals already in an open incident of the
                // same cause (its scope or its affected terminals): counted there, not opened. As under a wider incident, the
                // incident's own scope keeps it open, not the finding: on the field fleets holding it open too only resolved it later.
                var explaining = _open.Values
                    .Where(o => o.Incident.Cause == g.Primary.Cause && Explains(f, o, g.Primary, g.Affected))
                    .OrderBy(o => o.Incident.OpenedAt).FirstOrDefault();
                if (explaining is not null)
                {
                    _pending.Remove(key);
                    GroupUnder(f, explaining, g, changes);
                    continue;
                }
                if (!mayOpen) continue;
                var firstSeen = _pending.TryGetValue(key, out var at) ? at.First : now;
                _pending[key] = (firstSeen, now);
                if (Width(g.Primary.ScopeType) <= Width(ScopeType.Merchant) && !g.Immediate && now - firstSeen < Confirmation(g.Primary)) continue;
                // Each signal persists by its own rule: a region's sales failing at connect show in two minutes while its
                // poor-link heartbeats, the finding's strongest signal, need a third.
                if (Width(g.Primary.ScopeType) > Width(ScopeType.Merchant) && !g.Primary.Silence && !g.Findings.Any(x => !x.Silence && persisted(x))) continue;
                _pending.Remove(key);
                var opened = OpenNew(f, g, ids.NextId());
                refreshed.Add(opened.Incident.Id);
                changes.Add(new IncidentChange(IncidentChangeKind.Opened, opened.Incident));
            }
            catch (Exception e) when (e is not OutOfMemoryException)
            {
                problems.Add($"{Causes.Name(g.Primary.ScopeType)} {g.Primary.ScopeId}: {e.Message}");
            }
        }
        // A finding near its threshold may miss one check (one sale more in the window's denominator): it keeps its place
        // in the confirmation then, and loses it only when it is gone for longer.
        foreach (var (key, at) in _pending.Where(p => !seen.Contains(p.Key) && now - p.Value.Last > settings.Interval).ToList()) _pending.Remove(key);

        foreach (var tracked in _open.Values.Where(o => !refreshed.Contains(o.Incident.Id)).ToList())
        {
            try
            {
                if (stillElevated(tracked)) tracked.LastActiveAt = now;
                else if (now - tracked.LastActiveAt >= settings.QuietPeriod)
                    Resolve(tracked, now, null, changes);
            }
            catch (Exception e) when (e is not OutOfMemoryException)
            {
                problems.Add($"{tracked.Incident.Id}: {e.Message}");
            }
        }
    }

    /// <summary>Terminals inside the scope of any open incident (not learned from while it lasts).</summary>
    public void MarkScopes(DetectionFrame f, bool[] mask)
    {
        foreach (var o in _open.Values.Concat(_resolvedByHand.Values))
        {
            var level = f.Level(o.Incident.ScopeType);
            var scope = o.Incident.ScopeType == ScopeType.Platform ? 0 : level.IndexOf.GetValueOrDefault(o.Incident.ScopeId, -1);
            if (scope >= 0)
                foreach (var t in level.Members[scope]) mask[t] = true;
            foreach (var id in o.Terminals)
                if (f.Index.TerminalIndex.TryGetValue(id, out var t)) mask[t] = true;
        }
    }

    private TrackedIncident OpenNew(DetectionFrame f, Group g, string id)
    {
        var p = g.Primary;
        var tracked = new TrackedIncident(new Incident
        {
            Id = id,
            ScopeType = p.ScopeType,
            ScopeId = p.ScopeId,
            Cause = p.Cause,
            Severity = Causes.SeverityOf(p.Cause, p.ScopeType),
            OpenedAt = f.Now,
            RunbookId = Causes.DefaultRunbookId(p.Cause),
            Title = p.Title,
            Evidence = g.Evidence,
            PeakRate = p.Rate,
            UpdatedAt = f.Now,
        }) { LastActiveAt = f.Now };
        AddAffected(f, tracked, g.Affected);
        tracked.Signals.UnionWith(g.Signals);
        tracked.Silence = g.Silence;
        tracked.Incident = WithAffected(tracked, tracked.Incident);
        _open[id] = tracked;
        return tracked;
    }

    private static void Refresh(DetectionFrame f, TrackedIncident tracked, Group g, List<IncidentChange> changes, bool scopeChanged)
    {
        var p = g.Primary;
        tracked.LastActiveAt = f.Now;
        tracked.Signals.UnionWith(g.Signals);
        tracked.Silence |= g.Silence;
        var before = tracked.Incident;
        var grew = AddAffected(f, tracked, g.Affected);
        var peakRose = p.Rate >= before.PeakRate + 0.01;
        if (!grew && !peakRose && !scopeChanged) return;
        var updated = before with
        {
            ScopeType = p.ScopeType,
            ScopeId = p.ScopeId,
            Severity = Causes.SeverityOf(p.Cause, p.ScopeType),
            Title = scopeChanged || peakRose ? p.Title : before.Title,
            Evidence = g.Evidence,
            PeakRate = Math.Max(before.PeakRate, p.Rate),
            UpdatedAt = f.Now,
        };
        tracked.Incident = WithAffected(tracked, updated);
        changes.Add(new IncidentChange(IncidentChangeKind.Updated, tracked.Incident));
    }

    /// <summary>A narrower finding of the same cause inside an open wider incident: counted there, not opened.</summary>
    private static void GroupUnder(DetectionFrame f, TrackedIncident wider, Group g, List<IncidentChange> changes)
    {
        if (!AddAffected(f, wider, g.Affected)) return;
        wider.Incident = WithAffected(wider, wider.Incident with { UpdatedAt = f.Now });
        changes.Add(new IncidentChange(IncidentChangeKind.Updated, wider.Incident));
    }

    private void Resolve(TrackedIncident tracked, DateTimeOffset now, string? note, List<IncidentChange> changes)
    {
        _open.Remove(tracked.Incident.Id);
        if (settings.RareWindow > TimeSpan.Zero) _resolvedLately.Add((tracked.Incident.Cause, [.. tracked.Terminals], now));
        var resolved = tracked.Incident with
        {
            ResolvedAt = now,
            UpdatedAt = now,
            Evidence = note is null ? tracked.Incident.Evidence : [.. tracked.Incident.Evidence, note],
        };
        changes.Add(new IncidentChange(IncidentChangeKind.Resolved, resolved));
    }

    private static bool AddAffected(DetectionFrame f, TrackedIncident tracked, IEnumerable<int> terminals)
    {
        var grew = false;
        foreach (var t in terminals)
        {
            grew |= tracked.Terminals.Add(f.Index.TerminalIds[t]);
            tracked.Merchants.Add(f.Index.MerchantIds[f.Index.MerchantOf[t]]);
        }
        return grew;
    }

    private static Incident WithAffected(TrackedIncident tracked, Incident incident) => incident with
    {
        AffectedTerminals = tracked.Terminals.Count,
        AffectedMerchants = tracked.Merchants.Count,
        AffectedTerminalIds = tracked.Terminals.Order(StringComparer.Ordinal).ToList(),
        AffectedMerchantIds = tracked.Merchants.Order(StringComparer.Ordinal).ToList(),
    };

    /// <summary>Whether every terminal in <paramref name="terminals"/> lies in the incident's scope.</summary>
    private static bool Covers(DetectionFrame f, Incident incident, IEnumerable<int> terminals)
    {
        var level = f.Level(incident.ScopeType);
        var scope = incident.ScopeType == ScopeType.Platform ? 0 : level.IndexOf.GetValueOrDefault(incident.ScopeId, -1);
        if (scope < 0) return false;
        // Mostly inside is inside: a chain's stores outside a failing region, or one terminal's own noise,
        // must not split one fault into a wide incident and a narrow duplicate.
        var list = terminals as IReadOnlyCollection<int> ?? terminals.ToList();
        return list.Count > 0 && list.Count(t => level.Of[t] == scope) * 2 > list.Count;
    }

    /// <summary>
    /// Whether most of the finding's failures lie in the incident's scope or on its affected terminals. Counted in
    /// failures, not terminals: one store's operator fault makes its region's input failures look raised, while the
    /// region's other terminals add a cancelled sale each, as every day, and outnumber the store's terminals.
    /// </summary>
    private static bool Explains(DetectionFrame f, TrackedIncident tracked, Finding finding, IReadOnlyCollection<int> terminals)
    {
        var level = f.Level(tracked.Incident.ScopeType);
        var scope = tracked.Incident.ScopeType == ScopeType.Platform ? 0 : level.IndexOf.GetValueOrDefault(tracked.Incident.ScopeId, -1);
        var x = finding.Signal is { } signal ? Detection.Signals.Index(signal) : -1;
        double inside = 0, all = 0;
        foreach (var t in terminals)
        {
            // A silence finding counts no failures, and a silent terminal fails no sale: each weighs one.
            var failures = x < 0 ? 1 : Math.Max(1, f.Terminals.LongOf(t)[x]);
            all += failures;
            if ((scope >= 0 && level.Of[t] == scope) || tracked.Terminals.Contains(f.Index.TerminalIds[t])) inside += failures;
        }
        return all > 0 && inside * 2 > all;
    }

    /// <summary>
    /// Whether the (narrower) incident lies inside the finding's scope: its affected terminals when it has
    /// any (a chain's merchant spans regions, but a regional fault only touches its stores in the region),
    /// else its whole scope.
    /// </summary>
    private static bool Inside(DetectionFrame f, TrackedIncident tracked, Finding wider)
    {
        var affected = tracked.Terminals.Select(id => f.Index.TerminalIndex.GetValueOrDefault(id, -1)).ToList();
        if (affected.Count > 0 && affected.All(t => t >= 0))
            return affected.All(t => f.Contains(wider.ScopeType, wider.Scope, t));
        var incident = tracked.Incident;
        var level = f.Level(incident.ScopeType);
        var scope = level.IndexOf.GetValueOrDefault(incident.ScopeId, -1);
        if (incident.ScopeType == ScopeType.Platform) scope = 0;
        return scope >= 0 && level.Members[scope].Length > 0
            && level.Members[scope].All(t => f.Contains(wider.ScopeType, wider.Scope, t));
    }

    /// <summary>Scopes by how much they span; gateway, region and firmware are peers.</summary>
    /// <summary>
    /// A store's operator trouble has nothing wider to wait for: it is one store's or one terminal's (src/PosMonitor.Core/Detection/timeout-causes.md),
    /// so it waits only to be seen at two checks in a row (a blip's finding does not persist), not the whole
    /// <see cref="DetectionSettings.NarrowConfirmation"/> that lets a spreading fault open as one wide incident: operator
    /// incidents open 15 s sooner. Opening at the first check instead (30 s sooner) added a false positive on the
    /// held-out quality seeds 22–24, a tea shop's one-check burst of cancellations. Should a wider input wave form after
    /// all, it takes the store's incident in, as any wider finding does.
    /// </summary>
    private static bool NothingWider(Finding f) => f.ScopeType == ScopeType.Merchant && f.Cause == Cause.Operator;

    /// <summary>
    /// How long a narrow finding must hold before it opens: <see cref="DetectionSettings.NarrowConfirmation"/>, a check for a
    /// store's operator trouble (<see cref="NothingWider"/>), and for a terminal's failing receipts as long as an unusual device
    /// state waits (<see cref="DetectionSettings.UnusualDevicePersistence"/>): a paper roll running out between two heartbeats
    /// fails a few receipts without the printer ever saying so, and is changed within minutes.
    /// </summary>
    private TimeSpan Confirmation(Finding f) =>
        NothingWider(f) ? settings.Interval
        : f.ScopeType == ScopeType.Terminal && f.Signal == Signal.Print ? Max(settings.NarrowConfirmation, settings.UnusualDevicePersistence)
        : settings.NarrowConfirmation;

    private static TimeSpan Max(TimeSpan a, TimeSpan b) => a > b ? a : b;

    private static int Width(ScopeType type) => type switch
    {
        ScopeType.Terminal => 1,
        ScopeType.Merchant => 2,
        ScopeType.Platform => 4,
        _ => 3,
    };

    /// <summary>Findings of this tick with the same cause and scope, taken together.</summary>
    private static List<Group> Merge(List<Finding> findings) =>
        findings.GroupBy(x => (x.Cause, x.ScopeType, x.ScopeId)).Select(grp =>
        {
            var all = grp.OrderByDescending(x => x.Silence ? double.MaxValue : x.Surprise).ToList();
            var g = new Group(all[0]);
            foreach (var x in all)
            {
                g.Affected.UnionWith(x.Affected);
                foreach (var line in x.Evidence)
                    if (!g.Evidence.Contains(line)) g.Evidence.Add(line);
                g.Findings.Add(x);
                if (x.Signal is { } s) g.Signals.Add(s);
                else g.Silence = true;
                g.Immediate |= x.Immediate;
            }
            return g;
        }).ToList();

    private sealed class Group(Finding primary)
    {
        public Finding Primary { get; } = primary;
        public HashSet<int> Affected { get; } = [];
        /// <summary>The findings taken together, strongest first.</summary>
        public List<Finding> Findings { get; } = [];
        public List<string> Evidence { get; } = [];
        public HashSet<Signal> Signals { get; } = [];
        public bool Silence { get; set; }
        /// <summary>Any of its findings opens without confirmation (a device state that outlasted its routine, say).</summary>
        public bool Immediate { get; set; }
    }
}
