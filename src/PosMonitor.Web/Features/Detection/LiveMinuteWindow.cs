using PosMonitor.Core.Detection;
using PosMonitor.Core.Rollups;

namespace PosMonitor.Web.Features.Detection;

/// <summary>
/// Detection's view of the newest rollups, in memory: seeded from the database at start-up and
/// kept current from the telemetry feed, as the replay's in-memory store is. A run then reads no
/// rollups from the database (a 20,000-terminal fleet has 300,000 rows in a 15-minute lookback),
/// and, through versioned <see cref="MinuteBatch"/>es, the engine re-reads only minutes that changed.
/// </summary>
/// <remarks>
/// Bounded by the lookback and packed: each minute holds its rows as <see cref="PackedMinute"/> bytes in one buffer,
/// found through an array indexed by terminal (ids interned once), not as a dictionary of 200-byte objects; at
/// 200,000 terminals the 17 minutes take ~10 MB each instead of ~60. Minutes before the lookback go when detection
/// asks for the window. Bytes once written never change (an update appends, a compaction writes a new buffer, the
/// index is copied before it changes after a run took it), so a batch handed to a run stays as it was.
/// </remarks>
public sealed class LiveMinuteWindow
{
    private readonly Lock _gate = new();
    private readonly SortedDictionary<DateTimeOffset, Minute> _minutes = [];
    private readonly Dictionary<string, int> _terminalIndex = new(StringComparer.Ordinal);
    private readonly List<string> _terminalIds = [];
    /// <summary>The interned ids as runs read them; ids are only ever appended, so a copy is made only when some were.</summary>
    private string[] _idsSnapshot = [];
    private readonly TerminalMinute _scratch = new("", default);
    private readonly byte[] _encoded = new byte[PackedMinute.MaxLength];
    private long _version;
    private int _epochs;

    private sealed class Minute(int epoch)
    {
        public long Version;
        /// <summary>Which buffer layout <see cref="Starts"/> point into: new with each minute and each compaction.</summary>
        public int Epoch = epoch;
        /// <summary>Per terminal index, where its row starts in <see cref="Bytes"/> plus one (0: no row), and its length.</summary>
        public int[] Starts = [];
        public int[] Lengths = [];
        public byte[] Bytes = new byte[4096];
        public int Used;
        public int LiveBytes;
        public int Rows;
        /// <summary>A run holds <see cref="Starts"/>: copy it before the next change.</summary>
        public bool Shared;
    }

    /// <summary>Bytes held for all minutes (for the Performance notes and tests).</summary>
    public long HeldBytes
    {
        get
        {
            lock (_gate) return _minutes.Values.Sum(m => (long)m.Bytes.Length + m.Starts.Length * 8L);
        }
    }

    public void Apply(IEnumerable<TerminalMinute> rows)
    {
        lock (_gate)
        {
            foreach (var row in rows)
            {
                if (!_minutes.TryGetValue(row.Minute, out var minute)) _minutes[row.Minute] = minute = new Minute(++_epochs);
                if (!_terminalIndex.TryGetValue(row.TerminalId, out var t))
                {
                    _terminalIndex[row.TerminalId] = t = _terminalIds.Count;
                    _terminalIds.Add(row.TerminalId);
                }
                Put(minute, t, row);
                minute.Version = ++_version;
            }
        }
    }

    private void Put(Minute minute, int t, TerminalMinute row)
    {
        if (minute.Shared || t >= minute.Starts.Length)
        {
            var size = Math.Max(minute.Starts.Length, t >= minute.Starts.Length ? Math.Max(_terminalIds.Count, t + 1) + 1024 : 0);
            minute.Starts = Copy(minute.Starts, size);
            minute.Lengths = Copy(minute.Lengths, size);
            minute.Shared = false;
        }
        var merged = new TerminalMinute(row.TerminalId, row.Minute);
        if (minute.Starts[t] is var start and > 0)
        {
            PackedMinute.Read(minute.Bytes.AsSpan(start - 1, minute.Lengths[t]), row.TerminalId, row.Minute, _scratch);
            merged.Merge(_scratch);
            minute.LiveBytes -= minute.Lengths[t];
        }
        else
        {
            minute.Rows++;
        }
        merged.Merge(row);
        var length = PackedMinute.Write(merged, _encoded);
        if (minute.Used + length > minute.Bytes.Length) Grow(minute, length);
        _encoded.AsSpan(0, length).CopyTo(minute.Bytes.AsSpan(minute.Used));
        minute.Starts[t] = minute.Used + 1;
        minute.Lengths[t] = length;
        minute.Used += length;
        minute.LiveBytes += length;
    }

    /// <summary>A new buffer: compacted when most of the old one is rows since replaced, else twice as large.</summary>
    private void Grow(Minute minute, int needed)
    {
        var compact = minute.LiveBytes + needed <= minute.Bytes.Length / 2;
        var bytes = new byte[compact ? minute.Bytes.Length : Math.Max(minute.Bytes.Length * 2, minute.Used + needed)];
        if (!compact)
        {
            minute.Bytes.AsSpan(0, minute.Used).CopyTo(bytes);
        }
        else
        {
            // Starts change with the move: a run holding the old ones keeps the old buffer too.
            if (minute.Shared)
            {
                minute.Starts = Copy(minute.Starts, minute.Starts.Length);
                minute.Lengths = Copy(minute.Lengths, minute.Lengths.Length);
                minute.Shared = false;
            }
            var used = 0;
            for (var t = 0; t < minute.Starts.Length; t++)
            {
                if (minute.Starts[t] == 0) continue;
                minute.Bytes.AsSpan(minute.Starts[t] - 1, minute.Lengths[t]).CopyTo(bytes.AsSpan(used));
                minute.Starts[t] = used + 1;
                used += minute.Lengths[t];
            }
            minute.Used = used;
            // Rows no longer lie in the order they were written: a run's mark of an earlier read says nothing now.
            minute.Epoch = ++_epochs;
        }
        minute.Bytes = bytes;
    }

    private static int[] Copy(int[] from, int size)
    {
        var to = new int[size];
        from.CopyTo(to, 0);
        return to;
    }

    /// <summary>The minutes in [<paramref name="from"/>, <paramref name="to"/>); older ones are forgotten.</summary>
    public IReadOnlyList<MinuteBatch> Between(DateTimeOffset from, DateTimeOffset to)
    {
        lock (_gate)
        {
            while (_minutes.Count > 0 && _minutes.First().Key < from) _minutes.Remove(_minutes.First().Key);
            var batches = new List<MinuteBatch>();
            if (_idsSnapshot.Length != _terminalIds.Count) _idsSnapshot = [.. _terminalIds];
            foreach (var (at, minute) in _minutes)
            {
                if (at >= to) break;
                minute.Shared = true;
                var rows = new PackedRows(at, minute.Rows, minute.Starts, minute.Lengths, minute.Bytes, _idsSnapshot, minute.Epoch, minute.Used);
                batches.Add(new MinuteBatch(at, minute.Version, rows) { Changes = rows });
            }
            return batches;
        }
    }

    /// <summary>
    /// One minute's rows as a run reads them, each unpacked as the enumeration reaches it (the engine reads only
    /// minutes whose version changed, so unchanged minutes are never unpacked), into one rollup per enumeration: a
    /// row is valid until the enumeration moves on. The engine folds each row into its block at once; a new object per
    /// row was ~1.4 million objects a tick at 200,000 terminals.
    /// </summary>
    /// <remarks>
    /// A row rewritten since an earlier read starts past the bytes that read saw (an update appends): the read's mark
    /// is the buffer's epoch and length then, and the rows changed since are those starting at or after that length,
    /// while the epoch (same minute, no compaction) holds.
    /// </remarks>
    /// <param name="from">Only the rows starting at or after this byte (0: all).</param>
    private sealed class PackedRows(DateTimeOffset minute, int count, int[] starts, int[] lengths, byte[] bytes, string[] ids, int epoch, int used, int from = 0)
        : IReadOnlyCollection<TerminalMinute>, IMinuteChanges
    {
        // A start is its row's offset plus one.
        public int Count => from == 0 ? count : starts.Count(s => s > from);

        public long Mark => ((long)epoch << 32) | (uint)used;

        public IReadOnlyCollection<TerminalMinute>? Since(long mark) =>
            (int)(mark >> 32) == epoch ? new PackedRows(minute, count, starts, lengths, bytes, ids, epoch, used, from: (int)(uint)mark) : null;

        public IEnumerator<TerminalMinute> GetEnumerator()
        {
            var row = new TerminalMinute("", minute);
            for (var t = 0; t < starts.Length; t++)
            {
                if (starts[t] <= from) continue;
                PackedMinute.Read(bytes.AsSpan(starts[t] - 1, lengths[t]), ids[t], minute, row);
                row.Number = t;
                yield return row;
            }
        }

        System.Collections.IEnumerator System.Collections.IEnumerable.GetEnumerator() => GetEnumerator();
    }
}
