using PosMonitor.Core.Detection;
using PosMonitor.Core.Incidents;
using PosMonitor.Core.Rollups;

namespace PosMonitor.Core.Replay;

/// <summary>
/// Rollups, terminal states and firmware changes held in memory: the replay's store, and the shape
/// of what detection reads from the live database. Minutes older than <paramref name="retention"/>
/// before the newest one are dropped as newer ones arrive.
/// </summary>
public sealed class InMemoryTelemetryStore(TimeSpan retention)
{
    private readonly SortedDictionary<DateTimeOffset, MinuteRow> _minutes = [];
    private readonly Dictionary<string, TerminalState> _states = new(StringComparer.Ordinal);
    private readonly List<FirmwareChange> _firmwareChanges = [];
    private long _version;
    /// <summary>The newest minute held (the sorted dictionary has no cheap Last).</summary>
    private DateTimeOffset _newest = DateTimeOffset.MinValue;

    /// <summary>One minute's rollups; the version changes whenever one of them does (detection re-reads only those).</summary>
    private sealed class MinuteRow(int capacity)
    {
        public Dictionary<string, TerminalMinute> Terminals { get; } = new(capacity, StringComparer.Ordinal);
        public long Version { get; set; }
    }

    public InMemoryTelemetryStore() : this(TimeSpan.FromHours(2)) { }

    public IReadOnlyDictionary<string, TerminalState> States => _states;

    /// <summary>The stored state of a terminal; pass as the <see cref="RollupAggregator"/>'s lookup.</summary>
    public TerminalState? GetState(string terminalId) => _states.GetValueOrDefault(terminalId);

    public void Apply(RollupDelta delta)
    {
        if (delta.Minutes.Count > 0) _version++;
        // A delta's rollups come grouped by terminal, a few minutes each: the row of the previous one is
        // most often the row of the next, which saves a search of the sorted minutes per rollup.
        MinuteRow? row = null;
        var rowMinute = DateTimeOffset.MinValue;
        foreach (var (key, minute) in delta.Minutes)
        {
            if (row is null || key.Minute != rowMinute)
            {
                // A new minute will most likely hold as many terminals as the newest one so far: room for them saves regrowing.
                if (!_minutes.TryGetValue(key.Minute, out row))
                    _minutes[key.Minute] = row = new MinuteRow(_minutes.TryGetValue(_newest, out var newest) ? newest.Terminals.Count : 0);
                rowMinute = key.Minute;
                if (key.Minute > _newest) _newest = key.Minute;
            }
            if (!row.Terminals.TryGetValue(key.TerminalId, out var stored))
                row.Terminals[key.TerminalId] = stored = new TerminalMinute(key.TerminalId, key.Minute);
            stored.Merge(minute);
            row.Version = _version;
        }
        foreach (var (id, state) in delta.States) _states[id] = state;
        _firmwareChanges.AddRange(delta.FirmwareChanges);
        if (_minutes.Count > 0) Prune(_newest - retention);
    }

    /// <summary>The minutes at or after <paramref name="from"/>, one batch per minute with its version.</summary>
    public IReadOnlyList<MinuteBatch> MinuteBatchesSince(DateTimeOffset from)
    {
        var result = new List<MinuteBatch>();
        foreach (var (minute, row) in _minutes)
            if (minute >= from) result.Add(new MinuteBatch(minute, row.Version, row.Terminals.Values));
        return result;
    }

    public IReadOnlyList<FirmwareChange> FirmwareChangesSince(DateTimeOffset from) =>
        _firmwareChanges.Where(c => c.At >= from).ToList();

    /// <summary>What the detection engine needs at <paramref name="now"/>.</summary>
    public DetectionInput DetectionInput(Fleet.Fleet fleet, DateTimeOffset now, DetectionSettings settings,
        IReadOnlyList<MaintenanceWindow>? maintenance = null, IReadOnlyList<Incident>? openIncidents = null)
    {
        var from = TerminalMinute.MinuteOf(now - settings.Lookback);
        return new DetectionInput
        {
            Fleet = fleet,
            MinuteBatches = MinuteBatchesSince(from),
            States = _states,
            FirmwareChanges = FirmwareChangesSince(now - TimeSpan.FromDays(1)),
            MaintenanceWindows = maintenance ?? [],
            OpenIncidents = openIncidents ?? [],
        };
    }

    public void Prune(DateTimeOffset before)
    {
        while (_minutes.Count > 0 && _minutes.First().Key is var oldest && oldest < before) _minutes.Remove(oldest);
        _firmwareChanges.RemoveAll(c => c.At < before - TimeSpan.FromDays(1));
    }
}
