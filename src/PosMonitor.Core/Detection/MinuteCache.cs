using System.Numerics;
using PosMonitor.Core.Rollups;

namespace PosMonitor.Core.Detection;

/// <summary>
/// Each minute of the lookback as one dense block of per-terminal signal vectors, kept across
/// evaluations. With <see cref="DetectionInput.MinuteBatches"/> only minutes whose version changed are
/// read again (a replay touches one or two minutes per check instead of every rollup of the
/// lookback), and of those only the rows that changed when the store can tell (<see cref="IMinuteChanges"/>);
/// with a flat <see cref="DetectionInput.Minutes"/> list every block is rebuilt.
/// </summary>
/// <remarks>
/// It also keeps the per-terminal sums of the short and long windows (<see cref="Short"/>, <see cref="Long"/>)
/// up to date as blocks enter, change and leave them, instead of summing every block of the window on every
/// evaluation. The figures are whole numbers, so adding and later subtracting a block is exact.
/// </remarks>
internal sealed class MinuteCache
{
    private readonly SortedDictionary<DateTimeOffset, Block> _blocks = [];
    private readonly Stack<Block> _free = new();
    private readonly HashSet<DateTimeOffset> _current = [];
    private FleetIndex? _index;
    /// <summary>Per <see cref="TerminalMinute.Number"/>: the id it was found for and its fleet index (-1: not in the fleet).</summary>
    private string?[] _numberIds = [];
    private int[] _numberIndex = [];

    /// <summary>Per-terminal sums over the minutes of the short window as of the last <see cref="Slide"/>.</summary>
    public RunningSum Short { get; } = new();
    /// <summary>Per-terminal sums over the minutes of the long window as of the last <see cref="Slide"/>.</summary>
    public RunningSum Long { get; } = new();

    /// <summary>What the minutes that left the lookback held, as far back as <see cref="Update"/> was asked to keep.</summary>
    public OlderMinutes Older { get; } = new();

    /// <summary>The sum of the blocks whose minutes lie in a window, and which minutes those are.</summary>
    internal sealed class RunningSum
    {
        private readonly HashSet<DateTimeOffset> _included = [];

        public double[] Sums { get; private set; } = [];

        public void Reset(int terminals)
        {
            Sums = new double[terminals * Signals.Width];
            _included.Clear();
        }

        /// <summary>Moves terminal <paramref name="t"/>'s sums by <paramref name="change"/> if the block is in.</summary>
        public void Move(Block block, int t, ReadOnlySpan<double> change)
        {
            if (!_included.Contains(block.Minute)) return;
            var into = Sums.AsSpan(t * Signals.Width, Signals.Width);
            for (var i = 0; i < Signals.Width; i++) into[i] += change[i];
        }

        /// <summary>Takes the block out of the sum if it is in (before it changes or goes).</summary>
        public void Drop(Block block)
        {
            if (_included.Remove(block.Minute)) Subtract(Sums, block.Vectors);
        }

        /// <summary>Makes the sum that of the blocks in (<paramref name="after"/>, <paramref name="until"/>].</summary>
        public void Slide(IEnumerable<Block> blocks, DateTimeOffset after, DateTimeOffset until, List<Block> leaving)
        {
            leaving.Clear();
            foreach (var block in blocks)
            {
                var inside = block.Minute > after && block.Minute <= until;
                if (inside && _included.Add(block.Minute)) Add(Sums, block.Vectors);
                else if (!inside && _included.Contains(block.Minute)) leaving.Add(block);
            }
            foreach (var block in leaving) Drop(block);
        }

        private static void Add(double[] into, ushort[] v) => Accumulate(into, v, 1);

        private static void Subtract(double[] into, ushort[] v) => Accumulate(into, v, -1);

        // Each count widens to the very double it holds, so the sums are those of double blocks (adding a negated
        // double is subtracting it, exactly).
        private static void Accumulate(double[] into, ushort[] v, double sign)
        {
            var i = 0;
            for (; i <= into.Length - Vector<ushort>.Count; i += Vector<ushort>.Count)
            {
                Vector.Widen(new Vector<ushort>(v, i), out var low, out var high);
                Accumulate(into, i, low, sign);
                Accumulate(into, i + Vector<uint>.Count, high, sign);
            }
            for (; i < into.Length; i++) into[i] += sign * v[i];
        }

        private static void Accumulate(double[] into, int at, Vector<uint> v, double sign)
        {
            Vector.Widen(v, out var low, out var high);
            (new Vector<double>(into, at) + sign * Vector.ConvertToDouble(low)).CopyTo(into, at);
            (new Vector<double>(into, at + Vector<double>.Count) + sign * Vector.ConvertToDouble(high)).CopyTo(into, at + Vector<double>.Count);
        }
    }

    /// <remarks>
    /// 16-bit counts: a terminal's minute holds whole counts (its sales, heartbeat minute, failures of each signal), a
    /// few a minute and never near 65,535 (held at that should one ever be), at a quarter of the room of doubles: the
    /// lookback's blocks are the engine's largest arrays (~17 × 200,000 terminals × 14 figures: 95 MB as these, 190 MB
    /// as floats).
    /// </remarks>
    internal sealed class Block(int terminals)
    {
        public DateTimeOffset Minute { get; set; }
        /// <summary>The batch version read; null when built from a flat list (never reused).</summary>
        public long? Version { get; set; }
        /// <summary>The store's mark of that read (<see cref="IMinuteChanges.Mark"/>), when it keeps them.</summary>
        public long? Mark { get; set; }
        /// <summary>False once carried over to another fleet (<see cref="Remap"/>): a whole batch of its minute is read whole again.</summary>
        public bool Whole { get; set; } = true;
        public ushort[] Vectors { get; } = new ushort[terminals * Signals.Width];
        /// <summary>Terminals with a rollup in this minute.</summary>
        public bool[] Seen { get; } = new bool[terminals];

        public ReadOnlySpan<ushort> Of(int t) => Vectors.AsSpan(t * Signals.Width, Signals.Width);

        /// <summary>Terminal <paramref name="t"/>'s figures as doubles (exactly the counts held).</summary>
        public void CopyTo(int t, Span<double> into)
        {
            var v = Of(t);
            for (var i = 0; i < Signals.Width; i++) into[i] = v[i];
        }
    }

    /// <summary>The blocks of minutes at or after the oldest one updated, oldest first.</summary>
    public IEnumerable<Block> Blocks => _blocks.Values;

    /// <summary>Brings the blocks up to date with <paramref name="input"/>, keeping minutes at or after <paramref name="from"/>.</summary>
    /// <param name="keepOlder">How far before <paramref name="from"/> <see cref="Older"/> keeps what the minutes held.</param>
    public void Update(FleetIndex index, DetectionInput input, DateTimeOffset from, TimeSpan keepOlder = default)
    {
        if (_index is null)
        {
            _index = index;
            Short.Reset(index.TerminalCount);
            Long.Reset(index.TerminalCount);
            Older.Reset(index.TerminalCount, keepOlder);
        }
        else if (!ReferenceEquals(index, _index))
        {
            Remap(index);
        }
        var current = _current;
        current.Clear();
        if (input.MinuteBatches is { } batches)
        {
            foreach (var batch in batches)
            {
                if (batch.Minute < from) continue;
                if (batch.Changes is { Increments: true } increments)
                {
                    // The store kept only what came after the engine's last whole read of the minute: added to the block
                    // of that read. Without that block (the engine started after the read) the minute stays out.
                    if (!_blocks.TryGetValue(batch.Minute, out var read)) continue;
                    current.Add(batch.Minute);
                    if (read.Version == batch.Version || read.Mark is not { } at || increments.Since(at) is not { } added) continue;
                    foreach (var m in added) AddLate(read, m);
                    read.Version = batch.Version;
                    read.Mark = increments.Mark;
                    continue;
                }
                current.Add(batch.Minute);
                if (_blocks.TryGetValue(batch.Minute, out var cached) && cached.Whole)
                {
                    if (cached.Version == batch.Version) continue;
                    if (cached.Mark is { } mark && batch.Changes?.Since(mark) is { } changed)
                    {
                        foreach (var m in changed) Replace(cached, m);
                        cached.Version = batch.Version;
                        cached.Mark = batch.Changes.Mark;
                        continue;
                    }
                }
                var block = Fresh(batch.Minute);
                block.Version = batch.Version;
                block.Mark = batch.Changes?.Mark;
                foreach (var m in batch.Terminals) Add(block, m);
            }
        }
        else
        {
            foreach (var stale in _blocks.Values.ToList())
            {
                if (stale.Minute < from) Older.Fold(stale);
                Release(stale);
            }
            foreach (var m in input.Minutes)
            {
                if (m.Minute < from) continue;
                if (current.Add(m.Minute)) Fresh(m.Minute);
                Add(_blocks[m.Minute], m);
            }
        }
        foreach (var gone in _blocks.Values.Where(b => !current.Contains(b.Minute)).ToList())
        {
            if (gone.Minute < from) Older.Fold(gone);
            Release(gone);
        }
    }

    /// <summary>
    /// Another fleet (terminals added, gone or moved): indices changed and blocks have another size. Each block keeps what
    /// it held for the terminals still in the fleet, at their new index, instead of being read again: the live window no
    /// longer holds the rows of minutes the engine has read. A block the store can still give whole is read whole at the
    /// next update (<see cref="Block.Whole"/>), for the rows of terminals only now in the fleet.
    /// </summary>
    private void Remap(FleetIndex index)
    {
        var old = _index!;
        var map = new int[old.TerminalCount];
        for (var t = 0; t < map.Length; t++) map[t] = index.TerminalIndex.TryGetValue(old.TerminalIds[t], out var n) ? n : -1;
        var blocks = _blocks.Values.ToList();
        _blocks.Clear();
        _free.Clear();
        _index = index;
        _numberIds = [];
        _numberIndex = [];
        Short.Reset(index.TerminalCount);
        Long.Reset(index.TerminalCount);
        foreach (var from in blocks)
        {
            var to = new Block(index.TerminalCount) { Minute = from.Minute, Version = from.Version, Mark = from.Mark, Whole = false };
            for (var t = 0; t < map.Length; t++)
            {
                if (map[t] < 0 || !from.Seen[t]) continue;
                from.Of(t).CopyTo(to.Vectors.AsSpan(map[t] * Signals.Width, Signals.Width));
                to.Seen[map[t]] = true;
            }
            _blocks[to.Minute] = to;
        }
        Older.Remap(map, index.TerminalCount);
    }

    /// <summary>Brings <see cref="Short"/> and <see cref="Long"/> to the minutes in (<paramref name="shortAfter"/> or <paramref name="longAfter"/>, <paramref name="until"/>].</summary>
    public void Slide(DateTimeOffset shortAfter, DateTimeOffset longAfter, DateTimeOffset until)
    {
        Short.Slide(_blocks.Values, shortAfter, until, _leaving);
        Long.Slide(_blocks.Values, longAfter, until, _leaving);
    }

    private readonly List<Block> _leaving = [];

    private void Add(Block block, TerminalMinute m)
    {
        if (!TerminalOf(m, out var t)) return;
        Span<double> figures = stackalloc double[Signals.Width];
        block.CopyTo(t, figures);
        Signals.Add(m, figures);
        var into = block.Vectors.AsSpan(t * Signals.Width, Signals.Width);
        for (var i = 0; i < Signals.Width; i++) into[i] = Held(figures[i]);
        block.Seen[t] = true;
    }

    /// <summary>A count as a block holds it (see <see cref="Block"/>).</summary>
    private static ushort Held(double count) => (ushort)Math.Min(count, ushort.MaxValue);

    /// <summary>
    /// Puts a terminal's whole row in place of the one the block holds, and moves the windows' sums by the difference
    /// (whole numbers: exact).
    /// </summary>
    private void Replace(Block block, TerminalMinute m) => Put(block, m, late: false);

    /// <summary>
    /// Adds a terminal's late events (a row of <see cref="IMinuteChanges.Increments"/>) to what the block holds, and moves
    /// the windows' sums by them. Counts add up; a heartbeat minute and its link and device figures are one per minute
    /// that had any (<see cref="Signals.PerHeartbeatMinute"/>), so a late heartbeat sets them rather than adding a second.
    /// </summary>
    private void AddLate(Block block, TerminalMinute m) => Put(block, m, late: true);

    private void Put(Block block, TerminalMinute m, bool late)
    {
        if (!TerminalOf(m, out var t)) return;
        Span<double> figures = stackalloc double[Signals.Width];
        figures.Clear();
        Signals.Add(m, figures);
        Span<double> change = stackalloc double[Signals.Width];
        var into = block.Vectors.AsSpan(t * Signals.Width, Signals.Width);
        for (var i = 0; i < Signals.Width; i++)
        {
            var now = !late ? Held(figures[i])
                : Signals.OncePerMinute(i) ? Math.Max(into[i], Held(figures[i]))
                : Held(into[i] + figures[i]);
            change[i] = now - into[i];
            into[i] = now;
        }
        block.Seen[t] = true;
        Short.Move(block, t, change);
        Long.Move(block, t, change);
    }

    /// <summary>
    /// The terminal's fleet index. A changed minute is rebuilt from all its rollups, and at 200,000 terminals, with late
    /// events touching most minutes of the lookback, hashing each id (and reading each id string) was most of a tick. A
    /// rollup read from the live window carries the window's number for its terminal: the index found for that number
    /// is kept, and reused while the number comes with the very same id string.
    /// </summary>
    private bool TerminalOf(TerminalMinute m, out int t)
    {
        var n = m.Number;
        if (n >= 0 && n < _numberIds.Length && ReferenceEquals(_numberIds[n], m.TerminalId))
        {
            t = _numberIndex[n];
            return t >= 0;
        }
        var known = _index!.TerminalIndex.TryGetValue(m.TerminalId, out t);
        if (n < 0) return known;
        if (n >= _numberIds.Length)
        {
            var size = Math.Max(n + 1, Math.Max(1024, _numberIds.Length * 2));
            Array.Resize(ref _numberIds, size);
            Array.Resize(ref _numberIndex, size);
        }
        _numberIds[n] = m.TerminalId;
        _numberIndex[n] = known ? t : -1;
        return known;
    }

    /// <summary>An empty block for <paramref name="minute"/>, replacing any cached one.</summary>
    private Block Fresh(DateTimeOffset minute)
    {
        if (_blocks.Remove(minute, out var old))
        {
            Short.Drop(old);
            Long.Drop(old);
            _free.Push(old);
        }
        var block = _free.Count > 0 ? _free.Pop() : new Block(_index!.TerminalCount);
        Array.Clear(block.Vectors);
        Array.Clear(block.Seen);
        block.Minute = minute;
        block.Version = null;
        block.Mark = null;
        block.Whole = true;
        _blocks[minute] = block;
        return block;
    }

    private void Release(Block block)
    {
        Short.Drop(block);
        Long.Drop(block);
        _blocks.Remove(block.Minute);
        _free.Push(block);
    }
}
