using PosMonitor.Core.Detection;
using PosMonitor.Core.Incidents;
using PosMonitor.Core.Rollups;
using PosMonitor.Core.Telemetry;

namespace PosMonitor.Core.Replay;

/// <summary>
/// Runs recorded telemetry through the live server's aggregation and detection on a simulated clock
/// (replay.md). Events are added in timestamp order, give or take <see cref="ReorderWindow"/>; the
/// clock starts at the first (earliest) event and detection runs every <see cref="DetectionSettings.Interval"/>
/// after it, each time over every event up to that instant, as the live server would have seen them.
/// </summary>
/// <remarks>
/// Events are held back until one at least <see cref="ReorderWindow"/> newer has been read, so a few
/// seconds of disorder change nothing. An event older than a check already run (disorder beyond the
/// window) is still counted, at the next check, as a late event is on the live API.
/// </remarks>
public sealed class Replayer
{
    public static readonly TimeSpan DefaultReorderWindow = TimeSpan.FromSeconds(10);

    private readonly Fleet.Fleet _fleet;
    private readonly DetectionSettings _settings;
    private readonly IReadOnlyList<MaintenanceWindow> _maintenance;
    private readonly InMemoryTelemetryStore _store;
    private readonly RollupAggregator _aggregator;
    private readonly PriorityQueue<object, (long Ticks, long Seq)> _pending = new();
    private readonly List<Incident> _openList = [];
    private readonly Dictionary<string, int> _order = new(StringComparer.Ordinal);
    private readonly List<Incident> _incidents = [];
    private readonly List<string> _problems = [];
    private ManualTimeProvider? _clock;
    private DetectionEngine? _engine;
    private DateTimeOffset _nextCheck;
    private long _seq;
    private DateTimeOffset? _firstRead;

    public Replayer(Fleet.Fleet fleet, DetectionSettings settings, IReadOnlyList<MaintenanceWindow>? maintenance = null, TimeSpan? reorderWindow = null)
    {
        _fleet = fleet;
        _settings = settings;
        _maintenance = maintenance ?? [];
        ReorderWindow = reorderWindow ?? DefaultReorderWindow;
        _store = new InMemoryTelemetryStore(settings.Lookback + TimeSpan.FromMinutes(5));
        _aggregator = new RollupAggregator(_store.GetState);
    }

    public TimeSpan ReorderWindow { get; }

    /// <summary>Incidents in the order they were opened, each as it was last seen (resolvedAt null while open).</summary>
    public IReadOnlyList<Incident> Incidents => _incidents;

    /// <summary>Every change as detection made it, for callers that follow the run (tests, the quality report).</summary>
    public event Action<IncidentChange>? Changed;

    public IReadOnlyList<string> Problems => _problems;
    public long Events { get; private set; }
    /// <summary>Events older than a check already run when they were read.</summary>
    public long LateEvents { get; private set; }
    public long Checks { get; private set; }
    /// <summary>Time spent gathering detection's input from the store, by <see cref="ProfileClock"/>: for profiling.</summary>
    public TimeSpan DetectionInputTime { get; private set; }
    /// <summary>Time spent in <see cref="DetectionEngine.Evaluate"/>, by <see cref="ProfileClock"/>: for profiling.</summary>
    public TimeSpan DetectionTime { get; private set; }
    /// <summary>What <see cref="DetectionTime"/> is measured with: wall time unless a profiler passes e.g. thread CPU time.</summary>
    public Func<TimeSpan> ProfileClock { get; init; } = () => TimeSpan.FromTicks(System.Diagnostics.Stopwatch.GetTimestamp() * TimeSpan.TicksPerSecond / System.Diagnostics.Stopwatch.Frequency);
    public DateTimeOffset? FirstEvent { get; private set; }
    public DateTimeOffset? LastEvent { get; private set; }
    /// <summary>The simulated time of the last check.</summary>
    public DateTimeOffset? Now => _clock?.GetUtcNow();

    public void Add(Heartbeat hb) => Add(hb, hb.Timestamp);

    public void Add(Transaction tx) => Add(tx, tx.Timestamp);

    private void Add(object e, DateTimeOffset at)
    {
        Events++;
        if (LastEvent is not { } last || at > last) LastEvent = at;
        if (FirstEvent is not { } first || at < first) FirstEvent = at;
        if (_clock is null)
        {
            // The clock starts at the earliest event, known once the reorder window past the first one read has been read.
            _pending.Enqueue(e, (at.UtcTicks, _seq++));
            _firstRead ??= at;
            if (at > _firstRead.Value + ReorderWindow) StartClock();
            return;
        }
        // Every event up to a check has been read once one this much newer arrives.
        while (at > _nextCheck + ReorderWindow) Check();
        if (at <= _clock.GetUtcNow() && Checks > 0) LateEvents++;
        _pending.Enqueue(e, (at.UtcTicks, _seq++));
    }

    /// <summary>Runs the checks up to the last event; incidents still open then stay open (resolvedAt null).</summary>
    public void Finish()
    {
        if (_clock is null && _pending.Count > 0) StartClock();
        while (_pending.Count > 0) Check();
    }

    private void StartClock()
    {
        var start = FirstEvent!.Value;
        _clock = new ManualTimeProvider(start);
        _engine = new DetectionEngine(_settings, _clock, new SequentialIncidentIdGenerator());
        _nextCheck = start + _settings.Interval;
        while (LastEvent!.Value > _nextCheck + ReorderWindow) Check();
    }

    private void Check()
    {
        var limit = _nextCheck.UtcTicks;
        while (_pending.TryPeek(out _, out var key) && key.Ticks <= limit)
        {
            switch (_pending.Dequeue())
            {
                case Heartbeat hb: _aggregator.Add(hb); break;
                case Transaction tx: _aggregator.Add(tx); break;
            }
        }
        var delta = _aggregator.TakeDelta();
        if (!delta.IsEmpty) _store.Apply(delta);

        _clock!.Set(_nextCheck);
        var started = ProfileClock();
        var input = _store.DetectionInput(_fleet, _nextCheck, _settings, _maintenance, _openList);
        var gathered = ProfileClock();
        var result = _engine!.Evaluate(input);
        DetectionInputTime += gathered - started;
        DetectionTime += ProfileClock() - gathered;
        Checks++;
        _problems.AddRange(result.Problems);
        foreach (var change in result.Changes) Record(change);
        _nextCheck += _settings.Interval;
    }

    private void Record(IncidentChange change)
    {
        var incident = change.Incident;
        if (_order.TryGetValue(incident.Id, out var at)) _incidents[at] = incident;
        else
        {
            _order[incident.Id] = _incidents.Count;
            _incidents.Add(incident);
        }
        // The open list is what the live host passes back: oldest first, as its database returns them.
        _openList.RemoveAll(i => i.Id == incident.Id);
        if (change.Kind != IncidentChangeKind.Resolved)
        {
            var index = _openList.FindIndex(i => i.OpenedAt > incident.OpenedAt);
            _openList.Insert(index < 0 ? _openList.Count : index, incident);
        }
        Changed?.Invoke(change);
    }
}
