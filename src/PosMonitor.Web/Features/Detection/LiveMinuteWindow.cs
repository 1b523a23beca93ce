using PosMonitor.Core.Detection;
using PosMonitor.Core.Rollups;
using PosMonitor.Web.Features.Telemetry;

namespace PosMonitor.Web.Features.Detection;

/// <summary>
/// Detection's view of the newest rollups, in memory: seeded from the database at start-up and
/// kept current from the telemetry feed, as the replay's in-memory store is. A run then reads no
/// rollups from the database (a 20,000-terminal fleet has 300,000 rows in a 15-minute lookback),
/// and, through versioned <see cref="MinuteBatch"/>es, the engine re-reads only minutes that changed.
/// Rows are replaced, never changed in place, so a batch handed to a run stays as it was.
/// </summary>
public sealed class LiveMinuteWindow
{
    private readonly Lock _gate = new();
    private readonly SortedDictionary<DateTimeOffset, Minute> _minutes = [];
    private long _version;

    private sealed class Minute
    {
        public long Version;
        public readonly Dictionary<string, TerminalMinute> Terminals = new(StringComparer.Ordinal);
    }

    public void Apply(IEnumerable<TerminalMinute> rows)
    {
        lock (_gate)
        {
            foreach (var row in rows)
            {
                if (!_minutes.TryGetValue(row.Minute, out var minute)) _minutes[row.Minute] = minute = new Minute();
                var merged = new TerminalMinute(row.TerminalId, row.Minute);
                if (minute.Terminals.TryGetValue(row.TerminalId, out var before)) merged.Merge(before);
                merged.Merge(row);
                minute.Terminals[row.TerminalId] = merged;
                minute.Version = ++_version;
            }
        }
    }

    /// <summary>The minutes in [<paramref name="from"/>, <paramref name="to"/>); older ones are forgotten.</summary>
    public IReadOnlyList<MinuteBatch> Between(DateTimeOffset from, DateTimeOffset to)
    {
        lock (_gate)
        {
            while (_minutes.Count > 0 && _minutes.First().Key < from) _minutes.Remove(_minutes.First().Key);
            return [.. _minutes.TakeWhile(m => m.Key < to).Select(m => new MinuteBatch(m.Key, m.Value.Version, [.. m.Value.Terminals.Values]))];
        }
    }
}
