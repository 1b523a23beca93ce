using System.Collections.Concurrent;
using System.IO.Hashing;
using System.Runtime.InteropServices;
using PosMonitor.Core.Detection;
using PosMonitor.Core.Incidents;
using PosMonitor.Core.Rollups;
using PosMonitor.Core.Telemetry;

namespace PosMonitor.Core.Replay;

/// <summary>
/// Runs recorded telemetry through the live server's aggregation and detection on a simulated clock
/// (src/PosMonitor.Core/Replay/replay.md). Events are added in timestamp order, give or take <see cref="ReorderWindow"/>; the
/// clock starts at the first (earliest) event and detection runs every <see cref="DetectionSettings.Interval"/>
/// after it, each time over every event up to that instant, as the live server would have seen them.
/// </summary>
/// <remarks>
/// Events are held back until one at least <see cref="ReorderWindow"/> newer has been read, so a few
/// seconds of disorder change nothing. An event older than a check already run (disorder beyond the
/// window) is still counted, at the next check, as a late event is on the live API.
/// Each check has two halves: folding the events up to it into a rollup delta (on the caller's thread)
/// and detection over the store with that delta applied. With <see cref="DetectOnAnotherThread"/> the
/// second half runs on its own thread, one check after another in the same order, so results are the
/// same while the two overlap; the aggregator reads terminal states from its own copy of what the store
/// will hold, never from the store itself.
/// </remarks>
public sealed class Replayer : IDisposable
{
    public static readonly TimeSpan DefaultReorderWindow = TimeSpan.FromSeconds(10);

    private readonly Fleet.Fleet _fleet;
    private readonly DetectionSettings _settings;
    private readonly IReadOnlyList<MaintenanceWindow> _maintenance;
    private readonly InMemoryTelemetryStore _store;
    private readonly RollupAggregator _aggregator;
    private readonly PriorityQueue<object, (long Ticks, long Seq)> _pending = new();
    /// <summary>Every terminal's state as of the last delta handed to detection: the store's states, known on this side.</summary>
    private readonly Dictionary<string, TerminalState> _folded = new(StringComparer.Ordinal);
    private BlockingCollection<(DateTimeOffset At, RollupDelta Delta)>? _handoff;
    /// <summary>Deltas detection has applied (the store copies what it keeps), back for the aggregator to refill.</summary>
    private readonly ConcurrentQueue<RollupDelta> _applied = new();
    private Task? _detector;
    private DateTimeOffset _lastFolded;
    private long _folds;
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
        _aggregator = new RollupAggregator(id => _folded.GetValueOrDefault(id));
    }

    public TimeSpan ReorderWindow { get; }

    /// <summary>Runs detection on a thread of its own, overlapping the caller's reading and aggregation. Events raised from it.</summary>
    public bool DetectOnAnotherThread { get; init; }

    /// <summary>Incidents in the order they were opened, each as it was last seen (resolvedAt null while open).</summary>
    public IReadOnlyList<Incident> Incidents => _incidents;

    /// <summary>Every change as detection made it, for callers that follow the run (tests, the quality report).</summary>
    public event Action<IncidentChange>? Changed;

    public IReadOnlyList<string> Problems => _problems;
    public long Events { get; private set; }
    /// <summary>Events older than a check already run when they were read.</summary>
    public long LateEvents { get; private set; }
    public long Checks { get; private set; }
    /// <summary>Time spent in detection (its input gathered from the store, then <see cref="DetectionEngine.Evaluate"/>), by <see cref="ProfileClock"/>: for profiling.</summary>
    public TimeSpan DetectionTime { get; private set; }
    /// <summary>What <see cref="DetectionTime"/> is measured with: wall time unless a profiler passes e.g. thread CPU time.</summary>
    public Func<TimeSpan> ProfileClock { get; init; } = () => TimeSpan.FromTicks(System.Diagnostics.Stopwatch.GetTimestamp() * TimeSpan.TicksPerSecond / System.Diagnostics.Stopwatch.Frequency);
    public DateTimeOffset? FirstEvent { get; private set; }
    public DateTimeOffset? LastEvent { get; private set; }
    /// <summary>The simulated time of the last check.</summary>
    public DateTimeOffset? Now => _clock?.GetUtcNow();

    public void Add(Heartbeat hb)
    {
        if (!Duplicate(EventKind.Heartbeat, hb.EventId, hb.Timestamp)) Add(hb, hb.Timestamp);
    }

    public void Add(Transaction tx)
    {
        if (!Duplicate(EventKind.Transaction, tx.EventId, tx.Timestamp)) Add(tx, tx.Timestamp);
    }

    /// <summary>
    /// How far behind the newest event a resend is still recognised. A file in timestamp order holds a resend
    /// beside its original (it repeats the timestamp: within the reorder window, or a late event's disorder),
    /// so older keys are let go: memory stays bounded and the keys held stay few enough to be quick to look up.
    /// </summary>
    public static readonly TimeSpan DuplicateHorizon = TimeSpan.FromMinutes(10);

    /// <summary>Events skipped as resends of one already read (same kind, eventId and timestamp), as the live API skips them.</summary>
    public long Duplicates { get; private set; }

    // Events read, by minute of event time (UTC ticks; the oldest let go, DuplicateHorizon): per timestamp (epoch ms, as the live
    // key has it, doubled, plus 1 for a sale) a 64-bit hash of the eventId read at it, and the rarer further ones that
    // shared a timestamp. Hashes, not the ids: holding every id for minutes made each one survive collections (the
    // check then cost a tenth of the replay's time). Two different ids at the same millisecond with the same 64-bit
    // hash would be taken for one event: about once in 10^19 such pairs.
    private readonly Dictionary<long, ReadMinute> _read = [];
    private ReadMinute? _readThisMinute;
    private long _thisMinute = long.MinValue, _newestMinute = long.MinValue;

    private sealed class ReadMinute
    {
        public readonly Dictionary<long, ulong> First = [];
        public readonly HashSet<(long, ulong)> More = [];
    }

    private bool Duplicate(EventKind kind, string eventId, DateTimeOffset at)
    {
        Events++;
        var ms = at.ToUnixTimeMilliseconds();
        var minute = TerminalMinute.MinuteOf(at).UtcTicks;
        if (minute != _thisMinute || _readThisMinute is null) _readThisMinute = ReadIn(minute);
        var key = ms * 2 + (kind == EventKind.Transaction ? 1 : 0);
        var id = XxHash3.HashToUInt64(MemoryMarshal.AsBytes(eventId.AsSpan()));
        ref var first = ref CollectionsMarshal.GetValueRefOrAddDefault(_readThisMinute.First, key, out var exists);
        if (!exists) first = id;
        else if (first == id || !_readThisMinute.More.Add((key, id)))
        {
            Duplicates++;
            return true;
        }
        return false;
    }

    private ReadMinute ReadIn(long minute)
    {
        _thisMinute = minute;
        if (!_read.TryGetValue(minute, out var read)) _read[minute] = read = new ReadMinute();
        if (minute > _newestMinute)
        {
            _newestMinute = minute;
            var horizon = minute - DuplicateHorizon.Ticks;
            foreach (var old in _read.Keys.Where(m => m < horizon).ToList()) _read.Remove(old);
        }
        return read;
    }

    private void Add(object e, DateTimeOffset at)
    {
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
        if (_folds > 0 && at <= _lastFolded) LateEvents++;
        _pending.Enqueue(e, (at.UtcTicks, _seq++));
    }

    /// <summary>Runs the checks up to the last event; incidents still open then stay open (resolvedAt null).</summary>
    public void Finish()
    {
        if (_clock is null && _pending.Count > 0) StartClock();
        while (_pending.Count > 0) Check();
        if (_handoff is null) return;
        _handoff.CompleteAdding();
        _detector!.GetAwaiter().GetResult();
    }

    /// <summary>Lets the detection thread (if any) end, e.g. when reading stopped at a bad line.</summary>
    public void Dispose() => _handoff?.CompleteAdding();

    private void StartClock()
    {
        var start = FirstEvent!.Value;
        _clock = new ManualTimeProvider(start);
        _engine = new DetectionEngine(_settings, _clock, new SequentialIncidentIdGenerator());
        _nextCheck = start + _settings.Interval;
        if (DetectOnAnotherThread)
        {
            // Bounded: reading never runs more than a few checks ahead of detection.
            var handoff = _handoff = new BlockingCollection<(DateTimeOffset, RollupDelta)>(boundedCapacity: 8);
            _detector = Task.Factory.StartNew(() =>
            {
                try
                {
                    foreach (var (at, delta) in handoff.GetConsumingEnumerable()) Detect(at, delta);
                }
                catch
                {
                    // Unblock the reader; Finish (or the next hand-over) reports the failure.
                    handoff.CompleteAdding();
                    throw;
                }
            }, CancellationToken.None, TaskCreationOptions.LongRunning, TaskScheduler.Default);
        }
        while (LastEvent!.Value > _nextCheck + ReorderWindow) Check();
    }

    /// <summary>The first half of a check: the events up to it folded into a delta, handed to detection.</summary>
    private void Check()
    {
        var at = _nextCheck;
        var limit = at.UtcTicks;
        while (_applied.TryDequeue(out var applied)) _aggregator.Recycle(applied);
        while (_pending.TryPeek(out _, out var key) && key.Ticks <= limit)
        {
            switch (_pending.Dequeue())
            {
                case Heartbeat hb: _aggregator.Add(hb); break;
                case Transaction tx: _aggregator.Add(tx); break;
            }
        }
        var delta = _aggregator.TakeDelta();
        foreach (var (id, state) in delta.States) _folded[id] = state;
        _lastFolded = at;
        _folds++;
        _nextCheck += _settings.Interval;
        if (_handoff is null)
        {
            Detect(at, delta);
            return;
        }
        try
        {
            _handoff.Add((at, delta));
        }
        catch (InvalidOperationException) when (_handoff.IsAddingCompleted)
        {
            // Detection stopped on an exception: that one is the news.
            _detector!.GetAwaiter().GetResult();
            throw;
        }
    }

    /// <summary>The second half: the delta applied to the store, detection run at <paramref name="at"/>.</summary>
    private void Detect(DateTimeOffset at, RollupDelta delta)
    {
        if (!delta.IsEmpty) _store.Apply(delta);
        // Nothing below reads the delta: the store holds copies of its rollups and the states themselves.
        _applied.Enqueue(delta);

        _clock!.Set(at);
        var started = ProfileClock();
        var result = _engine!.Evaluate(_store.DetectionInput(_fleet, at, _settings, _maintenance, _openList));
        DetectionTime += ProfileClock() - started;
        Checks++;
        _problems.AddRange(result.Problems);
        foreach (var change in result.Changes) Record(change);
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
