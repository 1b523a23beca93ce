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
/// 200,000 terminals a minute takes ~10 MB instead of ~60. Bytes once written never change (an update appends, a
/// compaction writes a new buffer, the index is copied before it changes after a run took it), so a batch handed to a
/// run stays as it was.
/// <para>
/// The lookback is held once, by the engine: a minute <see cref="SealAfter"/> old that the engine has read as it is
/// (<see cref="Read"/>) gives up its rows, and events arriving for it later are kept as they come and handed out as
/// additions to that read (<see cref="IMinuteChanges.Increments"/>). At 200,000 terminals the window then holds about
/// four minutes of rows instead of seventeen (~150–250 MB less). A node that does not lead detection never has its minutes
/// read: it keeps them whole, ready for the term it may lead, and forgets those older than
/// <see cref="_keep"/> on its own. An engine started after a minute gave up its rows (this node led, lost the lease and
/// leads again within the lookback) goes without that minute until it leaves the lookback.
/// </para>
/// </remarks>
/// <param name="time">The clock minutes are forgotten by when no run asks for the window; none: only when a run asks.</param>
/// <param name="keep">How far behind the clock minutes are kept when no run asks for the window (the lookback and a little).</param>
public sealed class LiveMinuteWindow(TimeProvider? time = null, TimeSpan keep = default)
{
    /// <summary>
    /// How far before the end of the span a run asks for (the minute after the current one) a minute must start to give up
    /// its rows once read: the current minute and the two before stay whole, where most late events land.
    /// </summary>
    public static readonly TimeSpan SealAfter = TimeSpan.FromMinutes(4);

    private readonly TimeSpan _keep = keep;
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
    /// <summary>
    /// The buffers of the last minute that gave up its rows, for the next new minute: each minute's are megabytes at a large
    /// estate (its bytes grown by doubling to ~16 MB, its index arrays 0.8 MB each at 200,000 terminals), and new ones every
    /// minute were garbage on the large object heap, collected only by a full collection. No batch reads them any more:
    /// runs take the window one at a time, and the run that read them whole has finished when the next seals.
    /// </summary>
    private (byte[] Bytes, int[] Starts, int[] Lengths)? _spare;

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
        /// <summary>The version a run read the minute at and had taken in (<see cref="Read"/>).</summary>
        public long ReadVersion = -1;
        /// <summary>Once the rows are given up: the events that came since, as they came.</summary>
        public Late? Late;
    }

    /// <summary>
    /// A minute's events that came after its rows were given up: each row packed as it arrived (not merged), appended, so a
    /// batch handed out reads only the rows there were then.
    /// </summary>
    private sealed class Late(long basis, int epoch)
    {
        /// <summary>The mark of the whole read these rows add to.</summary>
        public readonly long Basis = basis;
        public readonly int Epoch = epoch;
        public byte[] Bytes = new byte[1024];
        public int Used;
        public int[] Terminals = new int[64];
        public int[] Starts = new int[64];
        public int Count;

        public void Add(int t, ReadOnlySpan<byte> row)
        {
            if (Used + row.Length > Bytes.Length) Bytes = Grown(Bytes, Math.Max(Bytes.Length * 2, Used + row.Length));
            if (Count == Terminals.Length) (Terminals, Starts) = (Grown(Terminals, Count * 2), Grown(Starts, Count * 2));
            row.CopyTo(Bytes.AsSpan(Used));
            (Terminals[Count], Starts[Count]) = (t, Used);
            Used += row.Length;
            Count++;
        }

        // A new array each time, never written over: a batch handed out keeps reading the old one.
        private static T[] Grown<T>(T[] from, int size)
        {
            var to = new T[size];
            from.CopyTo(to, 0);
            return to;
        }
    }

    /// <summary>Bytes held for all minutes (for the Performance notes and tests).</summary>
    public long HeldBytes
    {
        get
        {
            lock (_gate) return _minutes.Values.Sum(m => (long)m.Bytes.Length + m.Starts.Length * 8L + (m.Late is { } l ? l.Bytes.Length + l.Terminals.Length * 8L : 0));
        }
    }

    public void Apply(IEnumerable<TerminalMinute> rows)
    {
        lock (_gate)
        {
            var forgetBefore = time is null ? DateTimeOffset.MinValue : time.GetUtcNow() - _keep;
            foreach (var row in rows)
            {
                if (row.Minute < forgetBefore) continue;
                if (!_minutes.TryGetValue(row.Minute, out var minute)) _minutes[row.Minute] = minute = NewMinute();
                if (!_terminalIndex.TryGetValue(row.TerminalId, out var t))
                {
                    _terminalIndex[row.TerminalId] = t = _terminalIds.Count;
                    _terminalIds.Add(row.TerminalId);
                }
                if (minute.Late is { } late) late.Add(t, _encoded.AsSpan(0, PackedMinute.Write(row, _encoded)));
                else Put(minute, t, row);
                minute.Version = ++_version;
            }
            Forget(forgetBefore);
        }
    }

    private void Forget(DateTimeOffset before)
    {
        while (_minutes.Count > 0 && _minutes.First().Key < before) _minutes.Remove(_minutes.First().Key);
    }

    /// <summary>
    /// Tells the window that a run took in these batches (the engine folded them into its blocks): a minute still at the
    /// version read may give up its rows once it is <see cref="SealAfter"/> old. Called only after an evaluation succeeded.
    /// </summary>
    public void Read(IEnumerable<MinuteBatch> batches)
    {
        lock (_gate)
        {
            foreach (var batch in batches)
                if (_minutes.TryGetValue(batch.Minute, out var minute) && minute.Late is null && minute.Version == batch.Version)
                    minute.ReadVersion = batch.Version;
        }
    }

    private Minute NewMinute()
    {
        var minute = new Minute(++_epochs);
        if (_spare is { } spare)
        {
            Array.Clear(spare.Starts);
            (minute.Bytes, minute.Starts, minute.Lengths, _spare) = (spare.Bytes, spare.Starts, spare.Lengths, null);
        }
        return minute;
    }

    /// <summary>Gives up a read minute's rows: from now on it keeps only what comes later, as additions to that read.</summary>
    private void Seal(Minute minute)
    {
        // Kept for the next minute unless far larger than this one needed (a burst's): then its room is given back.
        if (minute.Bytes.Length <= 2 * Math.Max(minute.Used, 4096) && minute.Starts.Length > 0) _spare = (minute.Bytes, minute.Starts, minute.Lengths);
        minute.Late = new Late(((long)minute.Epoch << 32) | (uint)minute.Used, ++_epochs);
        minute.Bytes = [];
        minute.Starts = [];
        minute.Lengths = [];
        minute.Used = minute.LiveBytes = minute.Rows = 0;
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
            Forget(from);
            var batches = new List<MinuteBatch>();
            if (_idsSnapshot.Length != _terminalIds.Count) _idsSnapshot = [.. _terminalIds];
            foreach (var (at, minute) in _minutes)
            {
                if (at >= to) break;
                if (minute.Late is null && minute.ReadVersion == minute.Version && at <= to - SealAfter) Seal(minute);
                if (minute.Late is { } late)
                {
                    var added = new LateRows(at, late.Basis, late.Epoch, new LateSnapshot(late.Bytes, late.Terminals, late.Starts, late.Used), _idsSnapshot, late.Count);
                    batches.Add(new MinuteBatch(at, minute.Version, added) { Changes = added });
                    continue;
                }
                minute.Shared = true;
                var rows = new PackedRows(at, minute.Rows, minute.Starts, minute.Lengths, minute.Bytes, _idsSnapshot, minute.Epoch, minute.Used);
                batches.Add(new MinuteBatch(at, minute.Version, rows) { Changes = rows });
            }
            return batches;
        }
    }

    /// <summary>
    /// The events a minute had after its rows were given up, a row each as they came, unpacked as the enumeration reaches
    /// them (into one rollup, as <see cref="PackedRows"/>). Since the whole read they add to: all of them; since an earlier
    /// read of these: the rows after it.
    /// </summary>
    private sealed class LateRows(DateTimeOffset minute, long basis, int epoch, LateSnapshot late, string[] ids, int count, int from = 0)
        : IReadOnlyCollection<TerminalMinute>, IMinuteChanges
    {
        public int Count => count - from;

        public long Mark => ((long)epoch << 32) | (uint)count;

        public bool Increments => true;

        public IReadOnlyCollection<TerminalMinute>? Since(long mark) =>
            mark == basis ? new LateRows(minute, basis, epoch, late, ids, count)
            : (int)(mark >> 32) == epoch && (int)(uint)mark <= count ? new LateRows(minute, basis, epoch, late, ids, count, from: (int)(uint)mark)
            : null;

        public IEnumerator<TerminalMinute> GetEnumerator()
        {
            var row = new TerminalMinute("", minute);
            for (var i = from; i < count; i++)
            {
                var end = i + 1 < count ? late.Starts[i + 1] : late.Used;
                PackedMinute.Read(late.Bytes.AsSpan(late.Starts[i], end - late.Starts[i]), ids[late.Terminals[i]], minute, row);
                row.Number = late.Terminals[i];
                yield return row;
            }
        }

        System.Collections.IEnumerator System.Collections.IEnumerable.GetEnumerator() => GetEnumerator();
    }

    /// <summary>A <see cref="Late"/>'s arrays and length when a batch was made: later rows go past them or into new arrays.</summary>
    private readonly record struct LateSnapshot(byte[] Bytes, int[] Terminals, int[] Starts, int Used);

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
