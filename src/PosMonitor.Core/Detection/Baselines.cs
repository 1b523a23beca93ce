using System.Buffers.Binary;
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
/// one per terminal: only blocks something was learned in take room (a block never learned reads as zeros, as before),
/// and as floats while every sum is exactly a float (whole counts below 2^24, halved by fading a few times), which
/// nearly all are. The first sum that is not moves this scope to doubles: the arithmetic is always done in doubles,
/// so what detection reads is the very figure a double array would hold.
/// </summary>
internal sealed class ScopeBaseline
{
    public const int AllBlock = 0;
    private const int FirstHourOfDay = 1;
    private const int FirstHourOfWeek = FirstHourOfDay + 24;
    private const int TerminalBlocks = FirstHourOfWeek;
    private const int WiderBlocks = FirstHourOfWeek + 168;
    private const byte NarrowFormat = 1, WideFormat = 2;

    /// <summary>Per block: its place among the learned blocks + 1; 0 while nothing was learned in it.</summary>
    private readonly byte[] _slot;
    private float[] _narrow = [];
    private double[]? _wide;
    private int _learned;

    public ScopeBaseline(bool byWeek) => _slot = new byte[byWeek ? WiderBlocks : TerminalBlocks];

    // Volatile: the snapshot's writer clears it on its thread once it has read the figures, and learning reads it on its own.
    private volatile bool _inSnapshot;

    /// <summary>In a <see cref="BaselineSnapshot"/> that has not encoded it yet: copied there before it next changes.</summary>
    public bool InSnapshot
    {
        get => _inSnapshot;
        set => _inSnapshot = value;
    }

    public bool ByWeek => _slot.Length == WiderBlocks;
    /// <summary>Whether the figures are held as doubles (one sum was not exactly a float).</summary>
    public bool Wide => _wide is not null;
    public int LearnedBlocks => _learned;

    public static int HourOfDayBlock(int hourOfWeek) => FirstHourOfDay + hourOfWeek % 24;
    public static int HourOfWeekBlock(int hourOfWeek) => FirstHourOfWeek + hourOfWeek;

    /// <summary>Figure <paramref name="i"/> of the all-hours block.</summary>
    public double All(int i) => Get(AllBlock, i);

    /// <summary>Figure <paramref name="i"/> of a block; 0 where nothing was learned.</summary>
    public double Get(int block, int i)
    {
        var slot = _slot[block];
        if (slot == 0) return 0;
        var at = (slot - 1) * Signals.Width + i;
        return _wide is { } wide ? wide[at] : _narrow[at];
    }

    /// <summary>Adds <paramref name="v"/> to a block; when its volume passes <paramref name="fadeAbove"/> the block is halved.</summary>
    public void Add(int block, ReadOnlySpan<double> v, double fadeAbove)
    {
        Span<double> sums = stackalloc double[Signals.Width];
        for (var i = 0; i < Signals.Width; i++) sums[i] = Get(block, i) + v[i];
        if (sums[Signals.Sales] > fadeAbove || sums[Signals.HeartbeatMinutes] > fadeAbove)
            for (var i = 0; i < Signals.Width; i++) sums[i] /= 2;
        Set(block, sums);
    }

    /// <summary>The figures in their saved form: format, block count, the blocks' numbers, then their figures (little-endian).</summary>
    public byte[] Encode()
    {
        var size = _wide is null ? sizeof(float) : sizeof(double);
        var bytes = new byte[2 + _learned + _learned * Signals.Width * size];
        bytes[0] = _wide is null ? NarrowFormat : WideFormat;
        bytes[1] = (byte)_learned;
        var figures = bytes.AsSpan(2 + _learned);
        for (var block = 0; block < _slot.Length; block++)
        {
            if (_slot[block] == 0) continue;
            var slot = _slot[block] - 1;
            bytes[2 + slot] = (byte)block;
            for (var i = 0; i < Signals.Width; i++)
            {
                var at = slot * Signals.Width + i;
                if (_wide is { } wide) BinaryPrimitives.WriteDoubleLittleEndian(figures[(at * size)..], wide[at]);
                else BinaryPrimitives.WriteSingleLittleEndian(figures[(at * size)..], _narrow[at]);
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
        if (count > b._slot.Length || figures.Length != 2 + count + count * Signals.Width * size) return null;
        var values = figures[(2 + count)..];
        Span<double> block = stackalloc double[Signals.Width];
        for (var slot = 0; slot < count; slot++)
        {
            var number = figures[2 + slot];
            if (number >= b._slot.Length || b._slot[number] != 0) return null;
            for (var i = 0; i < Signals.Width; i++)
            {
                var at = (slot * Signals.Width + i) * size;
                block[i] = size == sizeof(float)
                    ? BinaryPrimitives.ReadSingleLittleEndian(values[at..])
                    : BinaryPrimitives.ReadDoubleLittleEndian(values[at..]);
            }
            b.Set(number, block);
        }
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

    private void Set(int block, ReadOnlySpan<double> figures)
    {
        if (_slot[block] == 0)
        {
            _learned++;
            _slot[block] = (byte)_learned;
            // One block more at a time: a scope gains at most one a clock hour, and the largest holds 193.
            if (_wide is not null) Array.Resize(ref _wide, _learned * Signals.Width);
            else Array.Resize(ref _narrow, _learned * Signals.Width);
        }
        var at = (_slot[block] - 1) * Signals.Width;
        if (_wide is null)
        {
            var exact = true;
            for (var i = 0; i < Signals.Width && exact; i++) exact = (float)figures[i] == figures[i];
            if (exact)
            {
                for (var i = 0; i < Signals.Width; i++) _narrow[at + i] = (float)figures[i];
                return;
            }
            _wide = new double[_narrow.Length];
            for (var i = 0; i < _narrow.Length; i++) _wide[i] = _narrow[i];
            _narrow = [];
        }
        figures.CopyTo(_wide.AsSpan(at, Signals.Width));
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
