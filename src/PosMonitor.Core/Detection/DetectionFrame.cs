using System.Numerics;
using PosMonitor.Core.Incidents;
using PosMonitor.Core.Rollups;

namespace PosMonitor.Core.Detection;

/// <summary>One level of scopes (all merchants, all gateways, …) with their window sums and normals.</summary>
internal sealed class ScopeLevel
{
    /// <param name="sums">The short and long window buffers (<see cref="FrameBuffers"/>), filled by the frame.</param>
    /// <param name="leftOut">Scopes whose windows read as nothing whatever the sums hold (terminals under maintenance).</param>
    public ScopeLevel(ScopeType type, string[] ids, int[] of, int[][] members, Dictionary<string, int>? indexOf, double[] normals,
        (double[] Short, double[] Long) sums, bool[]? leftOut = null)
    {
        _leftOut = leftOut;
        Type = type;
        Ids = ids;
        IndexOf = indexOf ?? FleetIndex.Indexed(ids);
        Of = of;
        Members = members;
        Short = sums.Short;
        Long = sums.Long;
        Normals = normals;
    }

    public ScopeType Type { get; }
    public string[] Ids { get; }
    public Dictionary<string, int> IndexOf { get; }
    /// <summary>Terminal index → this level's scope index.</summary>
    public int[] Of { get; }
    public int[][] Members { get; }
    public double[] Short { get; }
    public double[] Long { get; }
    /// <summary>Normal rate per scope and signal; NaN until computed.</summary>
    public double[] Normals { get; }
    public int Count => Ids.Length;

    public static double[] NewNormals(int scopes)
    {
        var normals = new double[scopes * Signals.Count];
        Array.Fill(normals, double.NaN);
        return normals;
    }

    private readonly bool[]? _leftOut;
    private static readonly double[] Nothing = new double[Signals.Width];

    public ReadOnlySpan<double> ShortOf(int i) => _leftOut?[i] == true ? Nothing : Short.AsSpan(i * Signals.Width, Signals.Width);
    public ReadOnlySpan<double> LongOf(int i) => _leftOut?[i] == true ? Nothing : Long.AsSpan(i * Signals.Width, Signals.Width);
    public ReadOnlySpan<double> Window(int i, bool useShort) => useShort ? ShortOf(i) : LongOf(i);
}

/// <summary>
/// The normals of the terminal, merchant, region, gateway and platform levels, kept between evaluations
/// while the hour of the week and what the baselines have learned stay the same (computed on demand).
/// </summary>
internal sealed class NormalsCache
{
    private (FleetIndex? Index, int HourOfWeek, long Version) _key;
    private FirmwareGrouping? _firmware;
    private readonly double[]?[] _levels = new double[]?[6];

    /// <summary>The cached normals per level (null where not kept); the firmware level's only while its grouping is the same.</summary>
    public double[]?[] For(FleetIndex index, int hourOfWeek, long version, FirmwareGrouping firmware)
    {
        if (_key != (index, hourOfWeek, version))
        {
            _key = (index, hourOfWeek, version);
            Array.Clear(_levels);
        }
        if (!ReferenceEquals(_firmware, firmware))
        {
            _firmware = firmware;
            _levels[(int)ScopeType.Firmware] = null;
        }
        return _levels;
    }
}

/// <summary>Terminals grouped by the firmware they run, as a scope level needs them.</summary>
internal sealed class FirmwareGrouping
{
    public FirmwareGrouping(string[] firmwareOfTerminal)
    {
        FirmwareOfTerminal = firmwareOfTerminal;
        var of = new int[firmwareOfTerminal.Length];
        var ids = new List<string>();
        var index = new Dictionary<string, int>(StringComparer.Ordinal);
        for (var t = 0; t < of.Length; t++)
        {
            var fw = firmwareOfTerminal[t];
            if (!index.TryGetValue(fw, out var f))
            {
                index[fw] = f = ids.Count;
                ids.Add(fw);
            }
            of[t] = f;
        }
        Ids = [.. ids];
        IndexOf = index;
        Of = of;
        Members = FleetIndex.Members(of, Ids.Length);
        Short = new double[Ids.Length * Signals.Width];
        Long = new double[Ids.Length * Signals.Width];
    }

    /// <summary>Each terminal's firmware, in terminal order: what the grouping was built from.</summary>
    public string[] FirmwareOfTerminal { get; }
    public string[] Ids { get; }
    public Dictionary<string, int> IndexOf { get; }
    public int[] Of { get; }
    public int[][] Members { get; }
    public double[] Short { get; }
    public double[] Long { get; }
}

/// <summary>
/// The arrays a <see cref="DetectionFrame"/> fills, owned by the engine and reused from one evaluation to
/// the next: allocated per evaluation, the terminal windows alone (tens of kB each) went to the large
/// object heap on every tick and kept the garbage collector busy. One frame at a time uses them (the
/// engine evaluates one tick at a time, and nothing keeps a frame after its evaluation).
/// </summary>
internal sealed class FrameBuffers
{
    private FleetIndex? _index;
    private readonly (double[] Short, double[] Long)[] _sums = new (double[], double[])[6];

    public TerminalState?[] States { get; private set; } = [];
    public bool[] Excluded { get; private set; } = [];
    /// <summary>The firmware grouping of the last evaluation, kept while no terminal changes firmware.</summary>
    public FirmwareGrouping? Firmware { get; set; }

    public (double[] Short, double[] Long) Sums(ScopeType type) => _sums[(int)type];

    public void Fit(FleetIndex index)
    {
        if (ReferenceEquals(index, _index)) return;
        _index = index;
        var n = index.TerminalCount;
        States = new TerminalState?[n];
        Excluded = new bool[n];
        Firmware = null;
        (double[], double[]) Pair(int scopes) => (new double[scopes * Signals.Width], new double[scopes * Signals.Width]);
        _sums[(int)ScopeType.Merchant] = Pair(index.MerchantIds.Length);
        _sums[(int)ScopeType.Region] = Pair(index.RegionIds.Length);
        _sums[(int)ScopeType.Gateway] = Pair(index.GatewayIds.Length);
        _sums[(int)ScopeType.Platform] = Pair(1);
    }
}

/// <summary>
/// Everything one evaluation works from, computed once per tick: per-terminal sums over the short and
/// long windows (terminals under maintenance left out), the same summed per scope, each scope's normal,
/// today's firmware grouping and who is under maintenance.
/// </summary>
internal sealed class DetectionFrame
{
    public DetectionFrame(FleetIndex index, DetectionInput input, MinuteCache minutes, NormalsCache normals, FrameBuffers buffers,
        DateTimeOffset now, DetectionSettings settings, Baselines baselines)
    {
        Index = index;
        Now = now;
        HourOfWeek = Baselines.HourOfWeek(now);
        Baselines = baselines;
        FirmwareChanges = input.FirmwareChanges;
        var n = index.TerminalCount;
        buffers.Fit(index);

        States = buffers.States;
        Array.Clear(States);
        foreach (var (id, state) in input.States)
            if (index.TerminalIndex.TryGetValue(id, out var t)) States[t] = state;

        var firmware = buffers.Firmware = FirmwareGroups(buffers.Firmware);

        // The fleet's own groupings come prebuilt from the index; only firmware is regrouped, when a terminal's changed.
        // Normals only change when the baselines learn or the hour changes, so those of the fixed levels are kept.
        var kept = normals.For(index, HourOfWeek, baselines.Version, firmware);
        var levels = new ScopeLevel[6];
        // A terminal's windows are the lookback's running sums themselves (not a copy of them: 2 × 22 MB at 200,000
        // terminals), read as nothing for a terminal under maintenance.
        levels[(int)ScopeType.Terminal] = new ScopeLevel(ScopeType.Terminal, index.TerminalIds, index.Self, index.SelfMembers, index.TerminalIndex,
            kept[(int)ScopeType.Terminal] ??= ScopeLevel.NewNormals(n), (minutes.Short.Sums, minutes.Long.Sums), leftOut: buffers.Excluded);
        levels[(int)ScopeType.Merchant] = new ScopeLevel(ScopeType.Merchant, index.MerchantIds, index.MerchantOf, index.MerchantTerminals, index.MerchantIndex,
            kept[(int)ScopeType.Merchant] ??= ScopeLevel.NewNormals(index.MerchantIds.Length), buffers.Sums(ScopeType.Merchant));
        levels[(int)ScopeType.Region] = new ScopeLevel(ScopeType.Region, index.RegionIds, index.RegionOf, index.RegionTerminals, index.RegionIndex,
            kept[(int)ScopeType.Region] ??= ScopeLevel.NewNormals(index.RegionIds.Length), buffers.Sums(ScopeType.Region));
        levels[(int)ScopeType.Gateway] = new ScopeLevel(ScopeType.Gateway, index.GatewayIds, index.GatewayOf, index.GatewayTerminals, index.GatewayIndex,
            kept[(int)ScopeType.Gateway] ??= ScopeLevel.NewNormals(index.GatewayIds.Length), buffers.Sums(ScopeType.Gateway));
        levels[(int)ScopeType.Firmware] = new ScopeLevel(ScopeType.Firmware, firmware.Ids, firmware.Of, firmware.Members, firmware.IndexOf,
            kept[(int)ScopeType.Firmware] ??= ScopeLevel.NewNormals(firmware.Ids.Length), (firmware.Short, firmware.Long));
        levels[(int)ScopeType.Platform] = new ScopeLevel(ScopeType.Platform, ["platform"], index.AllInOne, [index.Self], null,
            kept[(int)ScopeType.Platform] ??= ScopeLevel.NewNormals(1), buffers.Sums(ScopeType.Platform));
        Levels = levels;

        Excluded = buffers.Excluded;
        Array.Clear(Excluded);
        if (input.MaintenanceWindows.Count > 0)
        {
            MaintenanceMask(input.MaintenanceWindows, now).CopyTo(Excluded, 0);
            // A window that ended less than a long window ago still fills the windows with what it disturbed:
            // its terminals stay out of judgement until those minutes have left the window.
            for (var back = TimeSpan.FromMinutes(1); back <= settings.LongWindow; back += TimeSpan.FromMinutes(1))
            {
                var earlier = MaintenanceMask(input.MaintenanceWindows, now - back);
                for (var t = 0; t < n; t++) Excluded[t] |= earlier[t];
            }
        }
        FillWindows(minutes, settings);
        ComputeNormals();
        Older = minutes.Older;
    }

    /// <summary>
    /// Each terminal's firmware (the one it reports, else the fleet's listing, else "unknown") grouped into
    /// scopes, numbered in terminal order; <paramref name="last"/> again when no terminal's firmware changed.
    /// </summary>
    private FirmwareGrouping FirmwareGroups(FirmwareGrouping? last)
    {
        var n = Index.TerminalCount;
        string FirmwareOf(int t) => States[t]?.Firmware is { Length: > 0 } reported ? reported
            : Index.Terminals[t].Firmware is { Length: > 0 } listed ? listed : "unknown";
        if (last is not null)
        {
            var same = true;
            for (var t = 0; t < n && same; t++) same = string.Equals(FirmwareOf(t), last.FirmwareOfTerminal[t], StringComparison.Ordinal);
            if (same) return last;
        }
        var firmware = new string[n];
        for (var t = 0; t < n; t++) firmware[t] = FirmwareOf(t);
        return new FirmwareGrouping(firmware);
    }

    public FleetIndex Index { get; }
    public DateTimeOffset Now { get; }
    public int HourOfWeek { get; }
    public Baselines Baselines { get; }
    public TerminalState?[] States { get; }
    public IReadOnlyList<FirmwareChange> FirmwareChanges { get; }
    public ScopeLevel[] Levels { get; }
    /// <summary>Terminals under an active maintenance window: not judged, not learned from.</summary>
    public bool[] Excluded { get; }
    /// <summary>The minutes before the lookback, for <see cref="DetectionSettings.RareWindow"/>.</summary>
    public OlderMinutes Older { get; }

    public ScopeLevel Level(ScopeType type) => Levels[(int)type];
    public ScopeLevel Terminals => Levels[(int)ScopeType.Terminal];
    public ScopeLevel Platform => Levels[(int)ScopeType.Platform];

    /// <summary>Whether terminal <paramref name="t"/> belongs to the scope.</summary>
    public bool Contains(ScopeType type, int scope, int t) => Levels[(int)type].Of[t] == scope;

    /// <summary>The normal rate of <paramref name="signal"/> for a scope in this hour of the week.</summary>
    public double Normal(ScopeType type, int scope, Signal signal)
    {
        var cached = Levels[(int)type].Normals[scope * Signals.Count + (int)signal];
        return double.IsNaN(cached) ? Normal(type, scope, signal, Baselines.Find(type, Levels[(int)type].Ids[scope])) : cached;
    }

    /// <summary><see cref="Normal(ScopeType, int, Signal)"/> computed (and kept) from the scope's baseline, already looked up.</summary>
    private double Normal(ScopeType type, int scope, Signal signal, ScopeBaseline? baseline)
    {
        var parent = type switch
        {
            ScopeType.Platform => Signals.Prior(signal),
            ScopeType.Terminal => Normal(ScopeType.Merchant, Index.MerchantOf[scope], signal),
            _ => Normal(ScopeType.Platform, 0, signal),
        };
        return Levels[(int)type].Normals[scope * Signals.Count + (int)signal] = Baselines.Normal(baseline, signal, HourOfWeek, parent);
    }

    /// <summary>Which terminals the active maintenance windows cover at <paramref name="at"/>.</summary>
    public bool[] MaintenanceMask(IReadOnlyList<MaintenanceWindow> windows, DateTimeOffset at)
    {
        var mask = new bool[Index.TerminalCount];
        foreach (var w in windows)
        {
            if (w.ScopeType is ScopeType.Terminal or ScopeType.Merchant)
            {
                var level = Level(w.ScopeType);
                if (!level.IndexOf.TryGetValue(w.ScopeId, out var s)) continue;
                foreach (var t in level.Members[s])
                    if (w.IsActive(at, w.ZoneFor(Index.MerchantZones[Index.MerchantOf[t]]))) mask[t] = true;
                continue;
            }
            if (!w.IsActive(at, w.ZoneFor(TimeZoneInfo.Utc))) continue;
            var wide = Level(w.ScopeType);
            var scope = w.ScopeType == ScopeType.Platform ? 0 : wide.IndexOf.GetValueOrDefault(w.ScopeId, -1);
            if (scope < 0) continue;
            foreach (var t in wide.Members[scope]) mask[t] = true;
        }
        return mask;
    }

    private void FillWindows(MinuteCache minutes, DetectionSettings settings)
    {
        var minute = TimeSpan.FromMinutes(1);
        minutes.Slide(Now - settings.ShortWindow - minute, Now - settings.LongWindow - minute, Now + minute);
        // The terminal level reads the running sums the slide just brought up to date; terminals under maintenance read
        // as nothing there, and so count for nothing in the wider levels.
        var terminals = Terminals;
        var wide = Levels.Where(level => level.Type != ScopeType.Terminal).ToArray();
        foreach (var level in wide)
        {
            Array.Clear(level.Short);
            Array.Clear(level.Long);
        }
        // Terminal by terminal, into every wider level at once: each terminal's figures are read once.
        for (var t = 0; t < Index.TerminalCount; t++)
        {
            var shortV = terminals.ShortOf(t);
            var longV = terminals.LongOf(t);
            foreach (var level in wide)
            {
                var s = level.Of[t] * Signals.Width;
                AddTo(level.Short.AsSpan(s, Signals.Width), shortV);
                AddTo(level.Long.AsSpan(s, Signals.Width), longV);
            }
        }
    }

    private void ComputeNormals()
    {
        foreach (var level in Levels)
        {
            if (level.Type == ScopeType.Terminal) continue; // on demand: only a few terminals are ever tested
            for (var s = 0; s < level.Count; s++)
            {
                // The scope's baseline is looked up once for all its signals, and not at all when they were kept.
                ScopeBaseline? baseline = null;
                var found = false;
                foreach (var signal in Signals.All)
                {
                    if (!double.IsNaN(level.Normals[s * Signals.Count + (int)signal])) continue;
                    if (!found) (baseline, found) = (Baselines.Find(level.Type, level.Ids[s]), true);
                    Normal(level.Type, s, signal, baseline);
                }
            }
        }
    }

    /// <summary>Adds a terminal's minute (<see cref="MinuteCache.Block.Of"/>): each count widens to the very double it holds.</summary>
    public static void AddTo(Span<double> into, ReadOnlySpan<ushort> v)
    {
        for (var i = 0; i < Signals.Width; i++) into[i] += v[i];
    }

    public static void AddTo(Span<double> into, ReadOnlySpan<double> v)
    {
        // A few lanes at a time (each lane adds exactly as the scalar loop would): the wider levels' sums run this per terminal.
        var i = 0;
        for (; i <= Signals.Width - Vector<double>.Count; i += Vector<double>.Count)
            (new Vector<double>(into[i..]) + new Vector<double>(v[i..])).CopyTo(into[i..]);
        for (; i < Signals.Width; i++) into[i] += v[i];
    }
}
