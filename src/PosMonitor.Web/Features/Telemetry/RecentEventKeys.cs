using System.Buffers;
using System.IO.Hashing;
using System.Text;
using PosMonitor.Core.Telemetry;

namespace PosMonitor.Web.Features.Telemetry;

/// <summary>
/// The duplicate check's memory: 128-bit keys of (timestamp, eventId) of every stored event whose
/// timestamp is at or after <see cref="SpilledBefore"/>, grouped by minute of event time. Older
/// minutes live in the <c>event_keys</c> table (see migration 0008). Only the ingestion writer
/// touches it, so it takes no locks. A resend repeats the timestamp, so its key lands in the same
/// minute; 128 bits make an accidental match of two different events practically impossible
/// (about 1 in 10^25 for a billion events a minute).
/// </summary>
public sealed class RecentEventKeys
{
    private readonly SortedDictionary<long, HashSet<(long Hi, long Lo)>> _minutes = [];
    /// <summary>Keys of the last minute moved: a new minute starts with room for as many,
    /// so a busy minute (millions of keys) is not copied into ever larger arrays as it fills.</summary>
    private int _expectedPerMinute;
    /// <summary>
    /// The set of the last minute moved, emptied, for the next new minute: a minute's set is megabytes at a large estate's
    /// rate, and a new one a minute left as much garbage on the large object heap, collected only by a full collection
    /// (the heap grew ~40 MB a minute at 200,000 terminals). None when that set was much larger than the newest minute's
    /// (a burst's): its room is given back.
    /// </summary>
    private HashSet<(long Hi, long Lo)>? _spare;
    /// <summary>Reused for each minute's sorted copy (tens of MB at full speed).</summary>
    private (long Hi, long Lo)[] _sorted = [];

    /// <summary>Epoch ms of a minute boundary: keys of earlier minutes are in <c>event_keys</c>.</summary>
    public long SpilledBefore { get; private set; }

    public int Count { get; private set; }

    public static long MinuteOf(long ts) => ts - (((ts % 60_000) + 60_000) % 60_000);

    /// <summary>
    /// The key as the table stores it: a 128-bit hash of kind, timestamp and eventId, as two signed
    /// 64-bit halves. Heartbeats and sales are separate lists, so the same id in both is two events.
    /// </summary>
    public static (long Hi, long Lo) KeyOf(EventKind kind, long ts, string eventId)
    {
        var length = 9 + Encoding.UTF8.GetMaxByteCount(eventId.Length);
        var rented = length <= 512 ? null : ArrayPool<byte>.Shared.Rent(length);
        var buffer = rented ?? stackalloc byte[length];
        buffer[0] = (byte)kind;
        BitConverter.TryWriteBytes(buffer[1..], ts);
        var written = 9 + Encoding.UTF8.GetBytes(eventId, buffer[9..]);
        var key = XxHash128.HashToUInt128(buffer[..written]);
        if (rented is not null) ArrayPool<byte>.Shared.Return(rented);
        return ((long)(ulong)(key >> 64), (long)(ulong)key);
    }

    /// <summary>True when the event's minute is held here (not yet moved to the table).</summary>
    public bool Covers(long ts) => ts >= SpilledBefore;

    public bool Contains(long ts, (long Hi, long Lo) key) => _minutes.TryGetValue(MinuteOf(ts), out var keys) && keys.Contains(key);

    public void Add(long ts, (long Hi, long Lo) key)
    {
        var minute = MinuteOf(ts);
        if (!_minutes.TryGetValue(minute, out var keys))
        {
            (keys, _spare) = (_spare ?? new HashSet<(long, long)>(_expectedPerMinute), null);
            _minutes[minute] = keys;
        }
        if (keys.Add(key)) Count++;
    }

    /// <summary>
    /// The minute being moved to the table, or <see cref="long.MinValue"/>: a key added to it (or an
    /// older minute) now must be written to the table at once, since its sorted copy was already taken.
    /// </summary>
    public long SpillingMinute => _spilling?.Minute ?? long.MinValue;

    /// <summary>The minute being moved: its first <c>Count</c> keys sorted in <see cref="_sorted"/>, the first <c>Offset</c> of them in the table.</summary>
    private (long Minute, int Count, int Offset)? _spilling;

    /// <summary>True when keys of a minute before <paramref name="before"/> are still held here (or half moved).</summary>
    public bool HasDue(long before) => _spilling is not null || (_minutes.Count > 0 && _minutes.Keys.First() < before);

    /// <summary>
    /// The next at most <paramref name="max"/> keys of the oldest minute before <paramref name="before"/>,
    /// in the table's order (appended in order), or null when no minute is due. A minute moves in
    /// pieces, so a busy minute (millions of keys) never holds the writer for long.
    /// </summary>
    public SpillPiece? NextSpill(long before, int max)
    {
        if (_spilling is null)
        {
            if (_minutes.Count == 0) return null;
            var (minute, keys) = _minutes.First();
            if (minute >= before) return null;
            _expectedPerMinute = keys.Count;
            if (_sorted.Length < keys.Count) _sorted = new (long, long)[keys.Count + keys.Count / 4];
            keys.CopyTo(_sorted);
            Array.Sort(_sorted, 0, keys.Count);
            _spilling = (minute, keys.Count, 0);
        }
        var (m, total, offset) = _spilling.Value;
        var count = Math.Min(max, total - offset);
        return new SpillPiece(m, new ArraySegment<(long, long)>(_sorted, offset, count), offset + count == total);
    }

    /// <summary>After a piece was committed to the table; the last one of its minute lets the minute go.</summary>
    public void Spilled(SpillPiece piece)
    {
        if (_spilling is not { } s || s.Minute != piece.Minute) return;
        _spilling = s with { Offset = s.Offset + piece.Keys.Count };
        if (!piece.CompletesMinute) return;
        if (_minutes.Remove(piece.Minute, out var keys))
        {
            Count -= keys.Count;
            var newest = _minutes.Count > 0 ? _minutes.Values.Last().Count : 0;
            if (keys.Count <= 2 * Math.Max(newest, 1_000))
            {
                keys.Clear();
                _spare = keys;
            }
        }
        SpilledBefore = Math.Max(SpilledBefore, piece.Minute + 60_000);
        _spilling = null;
    }

    /// <summary>At start-up: where the table ends, before the newer keys are reloaded from the raw events.</summary>
    public void Reset(long spilledBefore)
    {
        _minutes.Clear();
        _spare = null;
        _spilling = null;
        Count = 0;
        SpilledBefore = spilledBefore;
    }
}

/// <summary>Keys of one minute on their way to the table; the last piece of the minute completes it.</summary>
public sealed record SpillPiece(long Minute, IReadOnlyList<(long Hi, long Lo)> Keys, bool CompletesMinute);
