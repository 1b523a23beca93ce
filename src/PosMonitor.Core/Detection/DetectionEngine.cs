using PosMonitor.Core.Incidents;
using PosMonitor.Core.Rollups;

namespace PosMonitor.Core.Detection;

/// <summary>
/// Finds timeout and failure anomalies in the per-minute rollups and keeps one incident per fault.
/// The host calls <see cref="Evaluate"/> every <see cref="DetectionSettings.Interval"/> with the last
/// <see cref="DetectionSettings.Lookback"/> of rollups, publishes the returned changes, and persists
/// the incidents and, from time to time, <see cref="ExportBaselines"/>. After a restart it calls
/// <see cref="ImportBaselines"/> and passes its open incidents in <see cref="DetectionInput.OpenIncidents"/>.
/// </summary>
/// <remarks>
/// Stateful and not thread-safe: one evaluation at a time (the scheduled job disallows concurrency).
/// Time comes from <paramref name="time"/> only, so a replay on a simulated clock behaves as live.
/// </remarks>
public sealed partial class DetectionEngine(DetectionSettings settings, TimeProvider time, IIncidentIdGenerator ids)
{
    private readonly AnomalyTest _test = new(settings);
    private readonly Baselines _baselines = new(settings.PriorFailures);
    private readonly IncidentTracker _tracker = new(settings, ids);
    private readonly SilenceFinder _silence = new(settings, new AnomalyTest(settings));
    private readonly RateFinder _rates = new(settings, new AnomalyTest(settings));
    private readonly MinuteCache _minutes = new();
    private readonly NormalsCache _normals = new();
    private readonly FrameBuffers _buffers = new();
    private readonly RecentWindow _recent = new();
    private FleetIndex? _index;
    private DateTimeOffset? _startedAt;

    public DetectionSettings Settings => settings;

    /// <summary>
    /// Until when this engine only learns (a cold start: no baselines imported, <see cref="DetectionSettings.WarmUp"/>);
    /// null once it may open incidents. Set by each <see cref="Evaluate"/>, for the pages to say why nothing opens.
    /// </summary>
    public DateTimeOffset? LearningUntil { get; private set; }

    /// <summary>The incidents this engine holds open.</summary>
    public IReadOnlyList<Incident> OpenIncidents => _tracker.Open.Select(o => o.Incident).OrderBy(i => i.OpenedAt).ToList();

    /// <summary>Where learning stands, for the host to persist with <see cref="ExportScopeBaselines"/> (e.g. every few minutes and at shutdown).</summary>
    public BaselineHeader BaselineHeader => _baselines.Header;

    /// <summary>
    /// What each scope has learned, encoded one scope at a time as the host enumerates (it writes them in batches:
    /// a fleet's worth held at once was gigabytes). Enumerate before the next <see cref="Evaluate"/>.
    /// </summary>
    public IEnumerable<SavedScopeBaseline> ExportScopeBaselines() => _baselines.ExportScopes();

    /// <summary>
    /// Starts restoring learned normals (each scope follows with <see cref="ImportScopeBaseline"/>); a restored engine that
    /// has learned enough skips the warm-up. False when the saved figures are of another layout: the scopes are then skipped.
    /// </summary>
    public bool ImportBaselines(BaselineHeader header) => _baselines.Import(header);

    /// <summary>Restores one scope's saved figures (after <see cref="ImportBaselines(BaselineHeader)"/>).</summary>
    public void ImportScopeBaseline(SavedScopeBaseline saved) => _baselines.ImportScope(saved);

    /// <summary>Restores learned normals from the whole-fleet document older builds saved.</summary>
    public void ImportBaselines(BaselineState state) => _baselines.Import(state);

    public DetectionResult Evaluate(DetectionInput input)
    {
        var now = time.GetUtcNow();
        _startedAt ??= now;
        var changes = new List<IncidentChange>();
        var problems = new List<string>();
        if (_index is null || !ReferenceEquals(_index.Fleet, input.Fleet)) _index = new FleetIndex(input.Fleet);
        _tracker.Adopt(input.OpenIncidents, now);

        _minutes.Update(_index, input, now - settings.Lookback, settings.RareWindow - settings.Lookback);
        var frame = new DetectionFrame(_index, input, _minutes, _normals, _buffers, now, settings, _baselines);
        var findings = new List<Finding>();
        try
        {
            var tracked = _tracker.Open.Where(o => o.Incident.Cause == Cause.Network)
                .SelectMany(o => o.Terminals).ToHashSet(StringComparer.Ordinal);
            _silence.Find(frame, _minutes.Blocks.FirstOrDefault()?.Minute, tracked, findings, problems);
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            problems.Add($"silence: {e.Message}");
        }
        _recent.Fill(frame, _minutes);
        _rates.Devices.Update(frame, _tracker.Open.SelectMany(o => o.Terminals).ToHashSet(StringComparer.Ordinal));
        foreach (var signal in Signals.All)
        {
            try
            {
                _rates.Find(frame, _recent, signal, findings);
            }
            catch (Exception e) when (e is not OutOfMemoryException)
            {
                problems.Add($"{signal}: {e.Message}");
            }
        }

        var warm = now - _startedAt.Value >= settings.WarmUp || _baselines.LearnedMinutes >= settings.WarmUp.TotalMinutes;
        LearningUntil = warm ? null : _startedAt.Value + settings.WarmUp;
        _tracker.Apply(new TrackerTick(frame, findings, MayOpen: warm,
            StillElevated: tracked => StillElevated(frame, tracked), Persisted: finding => Persisted(frame, finding), changes, problems));
        var failing = Watch(frame, changes, problems);

        try
        {
            Learn(frame, input.MaintenanceWindows, findings);
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            problems.Add($"learning: {e.Message}");
        }
        return new DetectionResult(changes, problems) { Failing = failing };
    }

    /// <summary>The relaxed test on an open incident's scope: is any of its signals still elevated?</summary>
    private bool StillElevated(DetectionFrame f, TrackedIncident tracked)
    {
        var type = tracked.Incident.ScopeType;
        var level = f.Level(type);
        var scope = type == ScopeType.Platform ? 0 : level.IndexOf.GetValueOrDefault(tracked.Incident.ScopeId, -1);
        if (scope < 0) return false;
        if (tracked.Silence && level.Members[scope].Any(t => _silence.Silent.Length > t && _silence.Silent[t])) return true;
        foreach (var signal in tracked.Signals)
        {
            var normal = f.Normal(type, scope, signal);
            if (_test.Test(level.ShortOf(scope), level.LongOf(scope), signal, normal, Strictness.Elevated).Anomalous) return true;
        }
        return false;
    }

    /// <summary>
    /// Whether a wide scope's failures showed in at least two separate minutes of the short window (the
    /// minute under way counts once it is <see cref="PartialMinute"/> old): the window's sum stays high for
    /// minutes after a one-minute burst, so the sum alone cannot tell a blip from a fault. A finding decided on the long
    /// window may instead show it over that window (see <see cref="Finding.OverLongWindow"/>).
    /// </summary>
    private bool Persisted(DetectionFrame f, Finding finding)
    {
        var s = finding.Signal!.Value;
        var x = Signals.Index(s);
        var d = Signals.Denominator(s);
        var members = f.Level(finding.ScopeType).Members[finding.Scope];
        var normal = f.Normal(finding.ScopeType, finding.Scope, s);
        var threshold = Math.Max(2 * normal, normal + settings.MinExcessRate / 2);
        var current = new DateTimeOffset(f.Now.UtcTicks - f.Now.UtcTicks % TimeSpan.TicksPerMinute, TimeSpan.Zero);
        // The minutes a window holds (DetectionFrame: those starting after now - window - 1 min), so the failures a
        // finding was decided on are all looked at here too.
        (int Elevated, double X, double N, double WorstX, double WorstN) Minutes(TimeSpan window)
        {
            var from = f.Now - window - TimeSpan.FromMinutes(1);
            var elevated = 0;
            double totalX = 0, totalN = 0, worstX = 0, worstN = 0;
            foreach (var block in _minutes.Blocks)
            {
                if (block.Minute <= from || block.Minute > current) continue;
                if (block.Minute == current && f.Now - current < PartialMinute) continue;
                double failures = 0, volume = 0;
                foreach (var t in members)
                {
                    if (f.Excluded[t]) continue;
                    var v = block.Of(t);
                    failures += v[x];
                    volume += v[d];
                }
                if (failures >= 2 && failures >= threshold * volume) elevated++;
                totalX += failures;
                totalN += volume;
                if (failures > worstX) (worstX, worstN) = (failures, volume);
            }
            return (elevated, totalX, totalN, worstX, worstN);
        }
        // Without its worst minute still above normal (the relaxed test: a burst confined to one minute leaves the others
        // at normal). Whether the scope is abnormal at all was already decided, at full strictness, on the whole window.
        bool BeyondItsWorstMinute((int Elevated, double X, double N, double WorstX, double WorstN) m) =>
            m.N > m.WorstN && _test.Decide(m.X - m.WorstX, m.N - m.WorstN, normal, Strictness.Elevated, shortWindow: true).Anomalous;

        var overShort = Minutes(settings.ShortWindow);
        // Heartbeats come once a minute: a burst of a minute and a half shows in two heartbeat minutes, so a link fault
        // must show in three before it is more than a blip.
        if (overShort.Elevated >= (Signals.PerHeartbeatMinute(s) ? 3 : 2)) return true;
        if (Signals.PerHeartbeatMinute(s)) return false;
        // A quiet scope fails a sale or two a minute: the fault has persisted when the window without its worst minute
        // is still above normal.
        if (BeyondItsWorstMinute(overShort)) return true;
        // A finding decided on the long window (a firmware on a few quiet terminals failing one sale in ten) rests on
        // failures spread over a quarter hour, a couple a few minutes: the short window often holds one minute of them and
        // nothing beside it, and such a fault opened late or never (seed 32 of the 30-hour quality runs: five failures in
        // four minutes of the long window, two of them in one minute and the short window's only ones). Judged over the
        // window it was decided on, a burst of one minute is still left out.
        return finding.OverLongWindow && BeyondItsWorstMinute(Minutes(settings.LongWindow));
    }

    /// <summary>Sales a scope must have had learned before an elevated rate keeps it from learning.</summary>
    private const double OwnHistorySales = 50;

    /// <summary>How old the minute under way must be before its failures count towards <see cref="Persisted"/>.</summary>
    private static readonly TimeSpan PartialMinute = TimeSpan.FromSeconds(15);

    /// <summary>
    /// Learns every settled minute not learned yet, leaving out terminals under maintenance and those
    /// inside an open incident or a finding (a fault must not become the new normal).
    /// </summary>
    private void Learn(DetectionFrame f, IReadOnlyList<MaintenanceWindow> maintenanceWindows, List<Finding> findings)
    {
        var settledBefore = f.Now - settings.SettleDelay - TimeSpan.FromMinutes(1);
        var from = f.Now - settings.Lookback;
        var learnedThrough = _baselines.LearnedThrough;
        var due = _minutes.Blocks
            .Where(b => b.Minute <= settledBefore && b.Minute >= from && !(learnedThrough is { } lt && b.Minute <= lt))
            .ToList();
        if (due.Count == 0) return;

        var faulty = new bool[f.Index.TerminalCount];
        _tracker.MarkScopes(f, faulty);
        foreach (var finding in findings)
        {
            // A device's own link or peripheral state that has not opened an incident is learned: a
            // terminal that always runs on a weak link must come to count that as its normal.
            if (finding.ScopeType == ScopeType.Terminal && finding.Signal is { } sig && Signals.IsDeviceLevel(sig)) continue;
            foreach (var t in finding.Affected) faulty[t] = true;
        }
        LearnDeferred(f, faulty);
        // A shop, gateway, region or firmware whose sales already fail well above its normal, though not yet enough to open
        // anything, may be at a fault's onset: learning those minutes would lift its normal and hide the fault as it grows.
        // A shop whose failures are merely up may be at the very start of one (a quiet shop shows a fault a failure or two
        // at a time): its minutes wait to see what follows them (see LearnDeferred).
        var suspect = new bool[f.Index.TerminalCount];
        foreach (var type in OnsetLevels)
        {
            var level = f.Level(type);
            for (var m = 0; m < level.Count; m++)
            {
                // Only with some history of its own, and against that too: a scope hot from its first minutes (a store
                // with a weak link) learns its heat as its normal; one that was fine and now fails is at a fault's onset.
                if (_baselines.Find(type, level.Ids[m]) is not { } own || own.All(Signals.Sales) < OwnHistorySales) continue;
                var longV = level.LongOf(m);
                var onset = Onset.None;
                foreach (var s in type == ScopeType.Firmware ? FirmwareOnsetSignals : Signals.Sale)
                {
                    var x = Signals.Index(s);
                    var reference = Math.Max(f.Normal(type, m, s), own.All(x) / own.All(Signals.Sales));
                    if (_test.Decide(longV[x], longV[Signals.Sales], reference, Strictness.Spread, shortWindow: false).Anomalous)
                    {
                        onset = Onset.Elevated;
                        break;
                    }
                    if (type == ScopeType.Merchant
                        && _test.Decide(longV[x], longV[Signals.Sales], reference, Strictness.Elevated, shortWindow: false).Anomalous)
                        onset = Onset.Suspect;
                }
                if (onset == Onset.None) continue;
                foreach (var t in level.Members[m]) (onset == Onset.Elevated ? faulty : suspect)[t] = true;
            }
        }

        var width = Signals.Width;
        var seen = new bool[f.Index.TerminalCount];
        var sums = f.Levels.Select(level => level.Type == ScopeType.Terminal ? [] : new double[level.Count * width]).ToArray();
        Span<double> figures = stackalloc double[width];
        foreach (var block in due)
        {
            var minute = block.Minute;
            var maintenance = f.MaintenanceMask(maintenanceWindows, minute + TimeSpan.FromSeconds(30));
            for (var t = 0; t < seen.Length; t++)
            {
                seen[t] = block.Seen[t] && !faulty[t] && !maintenance[t];
                if (!seen[t] || !suspect[t]) continue;
                seen[t] = false;
                var deferred = new double[width];
                block.CopyTo(t, deferred);
                _deferred.Enqueue(new DeferredMinute(minute, f.Index.TerminalIds[t], deferred));
            }
            var how = Baselines.HourOfWeek(minute);
            foreach (var level in f.Levels)
            {
                if (level.Type == ScopeType.Terminal)
                {
                    for (var t = 0; t < seen.Length; t++)
                    {
                        if (!seen[t]) continue;
                        block.CopyTo(t, figures);
                        _baselines.Learn(ScopeType.Terminal, level.Ids[t], figures, how);
                    }
                    continue;
                }
                var levelSums = sums[(int)level.Type];
                Array.Clear(levelSums);
                for (var t = 0; t < seen.Length; t++)
                    if (seen[t]) DetectionFrame.AddTo(levelSums.AsSpan(level.Of[t] * width, width), block.Of(t));
                for (var s = 0; s < level.Count; s++)
                    _baselines.Learn(level.Type, level.Ids[s], levelSums.AsSpan(s * width, width), how);
            }
            _baselines.LearnedThrough = minute;
            _baselines.LearnedMinutes++;
        }
    }

    private enum Onset { None, Suspect, Elevated }

    private static readonly ScopeType[] OnsetLevels = [ScopeType.Merchant, ScopeType.Gateway, ScopeType.Region, ScopeType.Firmware];

    /// <summary>
    /// What holds a firmware's terminals back from learning: its own defect's signal. A firmware failing one sale in ten in
    /// the app on a few terminals had each failure learned into its hour's thin figures (and the platform's), and its
    /// normal rose from 0.3% to 6% in under twenty minutes, so the fault never opened. Its other failures are its shops',
    /// gateways' and regions', held back at those scopes when they are a fault's: held back here too, a cashier's trouble
    /// on a shop's eighteen tills kept their whole firmware from learning, and the shop's incident opened twice (seed 5 of
    /// the quality runs).
    /// </summary>
    private static readonly Signal[] FirmwareOnsetSignals = [.. Signals.Of(Cause.Software)];

    /// <summary>A terminal's minute held back from learning while its shop looked merely elevated.</summary>
    private sealed record DeferredMinute(DateTimeOffset Minute, string TerminalId, double[] Figures);

    /// <summary>
    /// How long after it ended a minute held back from learning is decided. Long enough for a quiet shop's fault to be
    /// found first (a five-terminal shop failing one sale in five opened after nine minutes, seed 6 of the quality runs),
    /// short enough for a store that always runs hot but had a lucky first hour to learn its heat before it opens (at
    /// twelve minutes or more, seed 13's did).
    /// </summary>
    private static readonly TimeSpan DeferredDecision = TimeSpan.FromMinutes(9);

    /// <summary>Minutes held back from learning, oldest first.</summary>
    private readonly Queue<DeferredMinute> _deferred = new();

    /// <summary>
    /// Decides the held-back minutes <see cref="DeferredDecision"/> after they ended: a minute of a terminal that has
    /// turned out to be failing (inside an incident or a finding now) is dropped, the fault's first minutes must not
    /// become its normal; any other is learned, late. A shop that merely runs hotter than it did, with nothing found,
    /// learns its heat all the same (a store that always runs hot may have had a lucky first hour).
    /// Held minutes are not saved with the baselines: after a restart they are simply not learned.
    /// </summary>
    private void LearnDeferred(DetectionFrame f, bool[] faulty)
    {
        var decidedBefore = f.Now - DeferredDecision - TimeSpan.FromMinutes(1);
        while (_deferred.TryPeek(out var d) && d.Minute <= decidedBefore)
        {
            _deferred.Dequeue();
            if (!f.Index.TerminalIndex.TryGetValue(d.TerminalId, out var t) || faulty[t]) continue;
            var how = Baselines.HourOfWeek(d.Minute);
            foreach (var level in f.Levels)
                _baselines.Learn(level.Type, level.Ids[level.Of[t]], d.Figures, how);
        }
    }
}
