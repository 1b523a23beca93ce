using PosMonitor.Core.Rollups;

namespace PosMonitor.Core.Detection;

/// <summary>
/// Each minute of the lookback as one dense block of per-terminal signal vectors, kept across
/// evaluations. With <see cref="DetectionInput.MinuteBatches"/> only minutes whose version changed are
/// read again (a replay touches one or two minutes per check instead of every rollup of the
/// lookback); with a flat <see cref="DetectionInput.Minutes"/> list every block is rebuilt.
/// </summary>
internal sealed class MinuteCache
{
    private readonly SortedDictionary<DateTimeOffset, Block> _blocks = [];
    private readonly Stack<Block> _free = new();
    private FleetIndex? _index;

    internal sealed class Block(int terminals)
    {
        public DateTimeOffset Minute { get; set; }
        /// <summary>The batch version read; null when built from a flat list (never reused).</summary>
        public long? Version { get; set; }
        public double[] Vectors { get; } = new double[terminals * Signals.Width];
        /// <summary>Terminals with a rollup in this minute.</summary>
        public bool[] Seen { get; } = new bool[terminals];

        public ReadOnlySpan<double> Of(int t) => Vectors.AsSpan(t * Signals.Width, Signals.Width);
    }

    /// <summary>The blocks of minutes at or after the oldest one updated, oldest first.</summary>
    public IEnumerable<Block> Blocks => _blocks.Values;

    /// <summary>Brings the blocks up to date with <paramref name="input"/>, keeping minutes at or after <paramref name="from"/>.</summary>
    public void Update(FleetIndex index, DetectionInput input, DateTimeOffset from)
    {
        if (!ReferenceEquals(index, _index))
        {
            // Another fleet: terminal indices changed, and blocks have another size.
            _blocks.Clear();
            _free.Clear();
            _index = index;
        }
        var current = new HashSet<DateTimeOffset>();
        if (input.MinuteBatches is { } batches)
        {
            foreach (var batch in batches)
            {
                if (batch.Minute < from) continue;
                current.Add(batch.Minute);
                if (_blocks.TryGetValue(batch.Minute, out var cached) && cached.Version == batch.Version) continue;
                var block = Fresh(batch.Minute);
                block.Version = batch.Version;
                foreach (var m in batch.Terminals) Add(block, m);
            }
        }
        else
        {
            foreach (var stale in _blocks.Values.ToList()) Release(stale);
            foreach (var m in input.Minutes)
            {
                if (m.Minute < from) continue;
                if (current.Add(m.Minute)) Fresh(m.Minute);
                Add(_blocks[m.Minute], m);
            }
        }
        foreach (var gone in _blocks.Values.Where(b => !current.Contains(b.Minute)).ToList()) Release(gone);
    }

    private void Add(Block block, TerminalMinute m)
    {
        if (!_index!.TerminalIndex.TryGetValue(m.TerminalId, out var t)) return;
        Signals.Add(m, block.Vectors.AsSpan(t * Signals.Width, Signals.Width));
        block.Seen[t] = true;
    }

    /// <summary>An empty block for <paramref name="minute"/>, replacing any cached one.</summary>
    private Block Fresh(DateTimeOffset minute)
    {
        if (_blocks.Remove(minute, out var old)) _free.Push(old);
        var block = _free.Count > 0 ? _free.Pop() : new Block(_index!.TerminalCount);
        Array.Clear(block.Vectors);
        Array.Clear(block.Seen);
        block.Minute = minute;
        block.Version = null;
        _blocks[minute] = block;
        return block;
    }

    private void Release(Block block)
    {
        _blocks.Remove(block.Minute);
        _free.Push(block);
    }
}
