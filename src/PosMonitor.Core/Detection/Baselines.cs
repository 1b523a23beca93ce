using System.Buffers.Binary;
using System.Numerics;
using PosMonitor.Core.Incidents;

namespace PosMonitor.Core.Detection;

/// <summary>
/// What the engine has learned besides each scope's figures, for the host to persist with them
/// (<see cref="DetectionEngine.BaselineHeader"/>, <see cref="DetectionEngine.ExportScopeBaselines"/>) and hand back after a restart.
/// </summary>
/// <param name="Version">Changes when the vector layout changes; saved figures of another version are ignored on import.</param>
/// <param name="LearnedThrough">Start of the newest minute learned; the engine never learns a minute twice.</param>
public sealed record BaselineHeader(int Version, DateTimeOffset? LearnedThrough, long LearnedMinutes);

/// <summary>One scope's learned figures in their saved form (<see cref="ScopeBaseline.Encode"/>), a row of its own.</summary>
public sealed record SavedScopeBaseline(ScopeType ScopeType, string ScopeId, byte[] Figures);

/// <summary>
/// The whole-fleet document older builds saved (one JSON for every scope), still read once after an upgrade.
/// Plain data, serialisable with System.Text.Json; the figure vectors are the engine's own layout.
/// </summary>
public sealed record BaselineState
{
    public int Version { get; init; } = Baselines.LayoutVersion;
    public DateTimeOffset? LearnedThrough { get; init; }
    public long LearnedMinutes { get; init; }
    public IReadOnlyList<ScopeBaselineState> Scopes { get; init; } = [];
}

/// <param name="All">Sums over all hours.</param>
/// <param name="HourOfDay">24 blocks of sums, by UTC hour of day.</param>
/// <param name="HourOfWeek">168 blocks by UTC hour of week (Sunday 00:00 first); null for terminals.</param>
public sealed record ScopeBaselineState(ScopeType ScopeType, string ScopeId, double[] All, double[] HourOfDay, double[]? HourOfWeek);

/// <summary>
/// One scope's learned sums: a block of <see cref="Signals.Width"/> figures for all hours, one per UTC hour of day and,
/// for scopes wider than a terminal, one per hour of the week. Held compactly, as a fleet of 200,000 terminals holds
/// one per terminal: only blocks something was learned in take room (a block never learned reads as zeros), and of
/// those only the figures that are not zero (a terminal's hour has heartbeat minutes and mostly sales, its failure
/// figures are nearly all zero). Held as floats while every sum is exactly a float (whole counts below 2^24, halved by
/// fading a few times), which nearly all are. The first sum that is not moves this scope to doubles: the arithmetic is
/// always done in doubles, so what detection reads is the very figure a double array would hold.
/// </summary>
/// <remarks>
/// Everything is in one byte array, so each scope pays for one array header and this object:
/// <list type="bullet">
/// <item>per block number, its slot + 1 (0 while nothing was learned in it), <see cref="Blocks"/> bytes;</item>
/// <item>per slot, 4 bytes: a mask of the figures that are not zero (bit <c>i</c> for figure <c>i</c>) and where the
/// first of them is in the array (ushort each: even a wide scope of 193 full blocks is 22,581 bytes);</item>
/// <item>each slot's figures that are not zero, in figure order, as floats, or doubles once <see cref="Wide"/>.</item>
/// </list>
/// A figure's place is the slot's first plus the number of mask bits below its own. Learning rewrites a block's figures
/// in place; only a block learned for the first time, a figure becoming (or fading to) zero, or the move to doubles
/// builds the array anew.
/// </remarks>
internal sealed class ScopeBaseline
{
    public const int AllBlock = 0;
    private const int FirstHourOfDay = 1;
    private const int FirstHourOfWeek = FirstHourOfDay + 24;
    private const int TerminalBlocks = FirstHourOfWeek;
    private const int WiderBlocks = FirstHourOfWeek + 168;
    private const byte NarrowFormat = 1, WideFormat = 2;
    private const int EntrySize = 4;

    private byte[] _data;
    private readonly bool _byWeek;
    private bool _wide;
    private byte _learned;

    public ScopeBaseline(bool byWeek)
    {
        _byWeek = byWeek;
        _data = new byte[Blocks];
    }

    // Volatile: the snapshot's writer clears it on its thread once it has read the figures, and learning reads it on its own.
    private volatile bool _inSnapshot;

    /// <summary>In a <see cref="BaselineSnapshot"/> that has not encoded it yet: copied there before it next changes.</summary>
    public bool InSnapshot
    {
        get => _inSnapshot;
        set => _inSnapshot = value;
    }

    public bool ByWeek => _byWeek;
    /// <summary>Whether the figures are held as doubles (one sum was not exactly a float).</summary>
    public bool Wide => _wide;
    public int LearnedBlocks => _learned;

    /// <summary>How many figures are held: those of the learned blocks that are not zero.</summary>
    internal int HeldFigures => (_data.Length - Blocks - _learned * EntrySize) / FigureSize(_wide);

    private int Blocks => _byWeek ? WiderBlocks : TerminalBlocks;

    public static int HourOfDayBlock(int hourOfWeek) => FirstHourOfDay + hourOfWeek % 24;
    public static int HourOfWeekBlock(int hourOfWeek) => FirstHourOfWeek + hourOfWeek;

    /// <summary>Figure <paramref name="i"/> of the all-hours block.</summary>
    public double All(int i) => Get(AllBlock, i);

    /// <summary>Figure <paramref name="i"/> of a block; 0 where nothing was learned.</summary>
    public double Get(int block, int i)
    {
        var data = _data;
        var slot = data[block];
        if (slot == 0) return 0;
        var (mask, first) = Entry(data, Blocks, slot);
        var bit = 1u << i;
        if ((mask & bit) == 0) return 0;
        return Figure(data, first + BitOperations.PopCount(mask & (bit - 1)) * FigureSize(_wide));
    }

    /// <summary>The figure held at byte <paramref name="at"/>: a double once <see cref="Wide"/>, else a float.</summary>
    private double Figure(byte[] data, int at) =>
        _wide ? BinaryPrimitives.ReadDoubleLittleEndian(data.AsSpan(at)) : BinaryPrimitives.ReadSingleLittleEndian(data.AsSpan(at));

    /// <summary>Adds <paramref name="v"/> to a block; when its volume passes <paramref name="fadeAbove"/> the block is halved.</summary>
    public void Add(int block, ReadOnlySpan<double> v, double fadeAbove)
    {
        Span<double> sums = stackalloc double[Signals.Width];
        Read(block, sums);
        for (var i = 0; i < Signals.Width; i++) sums[i] += v[i];
        if (sums[Signals.Sales] > fadeAbove || sums[Signals.HeartbeatMinutes] > fadeAbove)
            for (var i = 0; i < Signals.Width; i++) sums[i] /= 2;
        Set(block, sums);
    }

    /// <summary>The figures in their saved form: format, block count, the blocks' numbers, then their figures (little-endian).</summary>
    /// <remarks>Every figure of a block is written, zeros too: the form rows were saved in before the figures were held sparsely.</remarks>
    public byte[] Encode()
    {
        var size = FigureSize(_wide);
        var bytes = new byte[2 + _learned + _learned * Signals.Width * size];
        bytes[0] = _wide ? WideFormat : NarrowFormat;
        bytes[1] = _learned;
        var figures = bytes.AsSpan(2 + _learned);
        Span<double> block = stackalloc double[Signals.Width];
        for (var number = 0; number < Blocks; number++)
        {
            if (_data[number] == 0) continue;
            var slot = _data[number] - 1;
            bytes[2 + slot] = (byte)number;
            Read(number, block);
            for (var i = 0; i < Signals.Width; i++)
            {
                var at = (slot * Signals.Width + i) * size;
                if (_wide) BinaryPrimitives.WriteDoubleLittleEndian(figures[at..], block[i]);
                else BinaryPrimitives.WriteSingleLittleEndian(figures[at..], (float)block[i]);
            }
        }
        return bytes;
    }

    /// <summary>The scope saved as <paramref name="figures"/>, or null when they are not of this layout.</summary>
    public static ScopeBaseline? Decode(bool byWeek, ReadOnlySpan<byte> figures)
    {
        if (figures.Length < 2 || figures[0] is not (NarrowFormat or WideFormat)) return null;
        var size = figures[0] == NarrowFormat ? sizeof(float) : sizeof(double);
        var count = figures[1];
        var b = new ScopeBaseline(byWeek);
        var blocks = b.Blocks;
        if (count > blocks || figures.Length != 2 + count + count * Signals.Width * size) return null;
        var numbers = figures.Slice(2, count);
        var values = figures[(2 + count)..];

        // Twice through the saved blocks: first what the array must hold, then into it, so it is made once.
        Span<double> block = stackalloc double[Signals.Width];
        var seen = b._data;
        var held = 0;
        var wide = false;
        for (var slot = 0; slot < count; slot++)
        {
            var number = numbers[slot];
            if (number >= blocks || seen[number] != 0) return null;
            seen[number] = (byte)(slot + 1);
            ReadSaved(values, slot, size, block);
            held += BitOperations.PopCount(MaskOf(block));
            wide |= !AllFloats(block);
        }
        var data = new byte[blocks + count * EntrySize + held * FigureSize(wide)];
        seen.CopyTo(data, 0);
        var at = blocks + count * EntrySize;
        for (var slot = 0; slot < count; slot++)
        {
            ReadSaved(values, slot, size, block);
            at = WriteSlot(data, blocks, slot + 1, block, wide, at);
        }
        (b._data, b._learned, b._wide) = (data, count, wide);
        return b;
    }

    /// <summary>A scope from the older whole-fleet document; null when its blocks are of another shape.</summary>
    public static ScopeBaseline? FromState(ScopeBaselineState s)
    {
        var byWeek = s.ScopeType != ScopeType.Terminal;
        if (s.All.Length != Signals.Width || s.HourOfDay.Length != 24 * Signals.Width
            || (byWeek && s.HourOfWeek?.Length != 168 * Signals.Width)) return null;
        var b = new ScopeBaseline(byWeek);
        b.SetUnlessZero(AllBlock, s.All);
        for (var h = 0; h < 24; h++) b.SetUnlessZero(FirstHourOfDay + h, s.HourOfDay.AsSpan(h * Signals.Width, Signals.Width));
        if (byWeek)
            for (var h = 0; h < 168; h++) b.SetUnlessZero(FirstHourOfWeek + h, s.HourOfWeek.AsSpan(h * Signals.Width, Signals.Width));
        return b;
    }

    private void SetUnlessZero(int block, ReadOnlySpan<double> figures)
    {
        // A block of zeros reads the same as one never learned.
        if (figures.ContainsAnyExcept(0d)) Set(block, figures);
    }

    /// <summary>All <see cref="Signals.Width"/> figures of a block into <paramref name="into"/>, zeros where nothing is held.</summary>
    private void Read(int block, Span<double> into)
    {
        into.Clear();
        var slot = _data[block];
        if (slot == 0) return;
        var (mask, at) = Entry(_data, Blocks, slot);
        var size = FigureSize(_wide);
        for (; mask != 0; mask &= mask - 1, at += size)
            into[BitOperations.TrailingZeroCount(mask)] = Figure(_data, at);
    }

    private void Set(int block, ReadOnlySpan<double> figures)
    {
        var wide = _wide || !AllFloats(figures);
        var slot = _data[block];
        // Each minute of learning lands here for two or three blocks of each scope: while the same figures are
        // nonzero (nearly always), they are written over the old ones.
        if (slot != 0 && wide == _wide)
        {
            var (mask, first) = Entry(_data, Blocks, slot);
            if (mask == MaskOf(figures))
            {
                WriteSlot(_data, Blocks, slot, figures, wide, first);
                return;
            }
        }
        Rebuild(block, figures, wide);
    }

    /// <summary>The array made anew with <paramref name="block"/> holding <paramref name="figures"/> (learned now if it was not).</summary>
    private void Rebuild(int block, ReadOnlySpan<double> figures, bool wide)
    {
        var blocks = Blocks;
        var learned = _data[block] == 0 ? _learned + 1 : _learned;
        var held = BitOperations.PopCount(MaskOf(figures));
        for (var number = 0; number < blocks; number++)
            if (_data[number] != 0 && number != block) held += BitOperations.PopCount(Entry(_data, blocks, _data[number]).Mask);

        var data = new byte[blocks + learned * EntrySize + held * FigureSize(wide)];
        _data.AsSpan(0, blocks).CopyTo(data);
        // One block more at a time: a scope gains at most one a clock hour, and the largest holds 193.
        if (data[block] == 0) data[block] = (byte)learned;
        var at = blocks + learned * EntrySize;
        Span<double> kept = stackalloc double[Signals.Width];
        for (var number = 0; number < blocks; number++)
        {
            if (data[number] == 0) continue;
            if (number != block) Read(number, kept);
            at = WriteSlot(data, blocks, data[number], number == block ? figures : kept, wide, at);
        }
        (_data, _learned, _wide) = (data, (byte)learned, wide);
    }

    /// <summary>Writes a slot's mask, where its figures start (<paramref name="at"/>) and its nonzero figures; returns where they end.</summary>
    private static int WriteSlot(byte[] data, int blocks, int slot, ReadOnlySpan<double> figures, bool wide, int at)
    {
        var mask = MaskOf(figures);
        var entry = data.AsSpan(blocks + (slot - 1) * EntrySize);
        BinaryPrimitives.WriteUInt16LittleEndian(entry, (ushort)mask);
        BinaryPrimitives.WriteUInt16LittleEndian(entry[2..], (ushort)at);
        for (; mask != 0; mask &= mask - 1)
        {
            var figure = figures[BitOperations.TrailingZeroCount(mask)];
            if (wide) BinaryPrimitives.WriteDoubleLittleEndian(data.AsSpan(at), figure);
            else BinaryPrimitives.WriteSingleLittleEndian(data.AsSpan(at), (float)figure);
            at += FigureSize(wide);
        }
        return at;
    }

    private static (uint Mask, int First) Entry(byte[] data, int blocks, int slot)
    {
        var entry = BinaryPrimitives.ReadUInt32LittleEndian(data.AsSpan(blocks + (slot - 1) * EntrySize));
        return (entry & 0xFFFF, (int)(entry >> 16));
    }

    private static uint MaskOf(ReadOnlySpan<double> figures)
    {
        var mask = 0u;
        for (var i = 0; i < Signals.Width; i++)
            if (figures[i] != 0) mask |= 1u << i;
        return mask;
    }

    private static bool AllFloats(ReadOnlySpan<double> figures)
    {
        foreach (var f in figures)
            if ((float)f != f) return false;
        return true;
    }

    private static int FigureSize(bool wide) => wide ? sizeof(double) : sizeof(float);

    /// <summary>Block <paramref name="slot"/> of a saved row (every figure written) into <paramref name="into"/>.</summary>
    private static void ReadSaved(ReadOnlySpan<byte> values, int slot, int size, Span<double> into)
    {
        for (var i = 0; i < Signals.Width; i++)
        {
            var at = (slot * Signals.Width + i) * size;
            into[i] = size == sizeof(float)
                ? BinaryPrimitives.ReadSingleLittleEndian(values[at..])
                : BinaryPrimitives.ReadDoubleLittleEndian(values[at..]);
        }
    }
}

/// <summary>
/// Each scope's normal, learned incrementally from the minutes detection sees. A rate is estimated by
/// shrinkage: hour-of-week sums lean on the scope's hour-of-day rate, which leans on its all-hours
/// rate, which leans on its parent's rate (terminal → merchant → platform → a fixed prior). Each
/// level's own figures outweigh the one above once they hold about
/// <see cref="DetectionSettings.PriorFailures"/> expected failures, so a quiet scope or a fresh hour
/// is not judged on a handful of sales. A scope whose own failures clearly exceed its parent's rate
/// (a store that always runs hot) is taken at least at the lower bound of its own rate at once.
/// </summary>
internal sealed class Baselines(double priorFailures)
{
    /// <summary>
    /// 2: the slow host and gateway signals were added (their history before is unknown, not zero, so it is relearned).
    /// 3: cancelled sales counted apart from input timeouts (the input signal's history held both).
    /// </summary>
    public const int LayoutVersion = 3;
    /// <summary>When a block's volume passes this, it is halved: old history fades, recent counts more.</summary>
    private const double FadeAbove = 50_000;
    /// <summary>No normal is taken as lower than this: a clean history is not a promise of zero failures.</summary>
    private const double FloorRate = 0.001;

    private readonly Dictionary<(ScopeType, string), ScopeBaseline> _scopes = [];
    private BaselineSnapshot? _snapshot;

    /// <summary>Changes whenever anything is learned or imported (normals computed before are stale then).</summary>
    public long Version { get; private set; }

    public DateTimeOffset? LearnedThrough { get; set; }
    public long LearnedMinutes { get; set; }

    public static int HourOfWeek(DateTimeOffset utc) => (int)utc.UtcDateTime.DayOfWeek * 24 + utc.UtcDateTime.Hour;

    public ScopeBaseline? Find(ScopeType type, string id) => _scopes.GetValueOrDefault((type, id));

    public void Learn(ScopeType type, string id, ReadOnlySpan<double> v, int hourOfWeek)
    {
        if (v[Signals.Sales] == 0 && v[Signals.HeartbeatMinutes] == 0) return;
        Version++;
        if (!_scopes.TryGetValue((type, id), out var b))
            _scopes[(type, id)] = b = new ScopeBaseline(type != ScopeType.Terminal);
        else if (b.InSnapshot) _snapshot?.Preserve(b);
        b.Add(ScopeBaseline.AllBlock, v, FadeAbove);
        b.Add(ScopeBaseline.HourOfDayBlock(hourOfWeek), v, FadeAbove);
        if (b.ByWeek) b.Add(ScopeBaseline.HourOfWeekBlock(hourOfWeek), v, FadeAbove);
    }

    /// <summary>The scope's normal rate of <paramref name="signal"/> in this hour of the week.</summary>
    public double Normal(ScopeBaseline? b, Signal signal, int hourOfWeek, double parentNormal)
    {
        if (b is null) return Math.Max(FloorRate, parentNormal);
        var d = Signals.Denominator(signal);
        var x = Signals.Index(signal);
        var all = Shrink(b, ScopeBaseline.AllBlock, d, x, Math.Max(FloorRate, parentNormal), ownFloor: true);
        // Hour buckets are thin: a few minutes of a fault's onset, learned before it was found, must not lift
        // them at once; only the all-hours figures (a store that always runs hot) may.
        var hod = Shrink(b, ScopeBaseline.HourOfDayBlock(hourOfWeek), d, x, all, ownFloor: false);
        return b.ByWeek ? Shrink(b, ScopeBaseline.HourOfWeekBlock(hourOfWeek), d, x, hod, ownFloor: false) : hod;
    }

    public BaselineHeader Header => new(LayoutVersion, LearnedThrough, LearnedMinutes);

    /// <summary>Every scope's figures, encoded one at a time as they are enumerated (nothing is held for the whole fleet).</summary>
    public IEnumerable<SavedScopeBaseline> ExportScopes()
    {
        foreach (var ((type, id), b) in _scopes) yield return new SavedScopeBaseline(type, id, b.Encode());
    }

    /// <summary>
    /// What is learned now, for the host to write while the engine goes on learning: each scope is encoded as the writer
    /// reaches it, or copied just before it next changes (<see cref="BaselineSnapshot"/>). One at a time.
    /// </summary>
    public BaselineSnapshot Snapshot()
    {
        if (_snapshot is { IsOpen: true }) throw new InvalidOperationException("The previous baseline snapshot is still being written.");
        return _snapshot = new BaselineSnapshot(Header, _scopes);
    }

    /// <summary>Forgets what was learned and takes <paramref name="header"/>'s position; the scopes follow with <see cref="ImportScope"/>.</summary>
    /// <returns>Whether the saved figures are of this layout (if not, the scopes are to be skipped: the engine relearns).</returns>
    public bool Import(BaselineHeader header)
    {
        Version++;
        _scopes.Clear();
        _scopes.TrimExcess();
        LearnedThrough = null;
        LearnedMinutes = 0;
        if (header.Version != LayoutVersion) return false;
        LearnedThrough = header.LearnedThrough;
        LearnedMinutes = header.LearnedMinutes;
        return true;
    }

    /// <summary>Adds one saved scope; figures of another layout are skipped.</summary>
    public void ImportScope(SavedScopeBaseline saved)
    {
        if (ScopeBaseline.Decode(saved.ScopeType != ScopeType.Terminal, saved.Figures) is not { } b) return;
        Version++;
        _scopes[(saved.ScopeType, saved.ScopeId)] = b;
    }

    /// <summary>Replaces what was learned with the older whole-fleet document; blocks of the wrong shape are skipped.</summary>
    public void Import(BaselineState state)
    {
        if (!Import(new BaselineHeader(state.Version, state.LearnedThrough, state.LearnedMinutes))) return;
        foreach (var s in state.Scopes)
            if (ScopeBaseline.FromState(s) is { } b) _scopes[(s.ScopeType, s.ScopeId)] = b;
    }

    /// <summary>
    /// The posterior mean with a prior worth <c>priorFailures</c> expected failures at <paramref name="prior"/>,
    /// but never below a cautious lower bound of the scope's own rate (about two standard errors under it).
    /// </summary>
    private double Shrink(ScopeBaseline b, int block, int d, int x, double prior, bool ownFloor)
    {
        double failures = b.Get(block, x), volume = b.Get(block, d);
        var shrunk = (failures + priorFailures) / (volume + priorFailures / prior);
        var lower = ownFloor ? LowerBound(failures, volume) : 0;
        return Math.Max(FloorRate, Math.Max(shrunk, lower));
    }

    /// <summary>About two standard errors under <paramref name="failures"/> / <paramref name="volume"/>: what the scope's own rate surely is at least.</summary>
    private static double LowerBound(double failures, double volume) =>
        volume > 0 ? Math.Max(0, failures - 2 * Math.Sqrt(failures) - 1) / volume : 0;

    /// <summary>
    /// The scope's rate of <paramref name="signal"/> over all its hours, leaning on <paramref name="prior"/> as
    /// <see cref="Normal"/> does, without its hour blocks (thin enough for a fault's first failures to lift them).
    /// </summary>
    public double AllHours(ScopeBaseline b, Signal signal, double prior) =>
        Shrink(b, ScopeBaseline.AllBlock, Signals.Denominator(signal), Signals.Index(signal), Math.Max(FloorRate, prior), ownFloor: false);

    /// <summary>The cautious lower bound of the scope's own all-hours rate of <paramref name="signal"/> (0 with too little history).</summary>
    public static double OwnLowerBound(ScopeBaseline b, Signal signal) =>
        LowerBound(b.All(Signals.Index(signal)), b.All(Signals.Denominator(signal)));
}
