using PosMonitor.Core.Incidents;
using PosMonitor.Core.Rollups;

namespace PosMonitor.Core.Detection;

/// <summary>One level of scopes (all merchants, all gateways, …) with their window sums and normals.</summary>
internal sealed class ScopeLevel
{
    public ScopeLevel(ScopeType type, string[] ids, int[] of, int[][] members, Dictionary<string, int>? indexOf = null, double[]? normals = null)
    {
        Type = type;
        Ids = ids;
        IndexOf = indexOf ?? FleetIndex.Indexed(ids);
        Of = of;
        Members = members;
        Short = new double[ids.Length * Signals.Width];
        Long = new double[ids.Length * Signals.Width];
        Normals = normals ?? NewNormals(ids.Length);
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

    public ReadOnlySpan<double> ShortOf(int i) => Short.AsSpan(i * Signals.Width, Signals.Width);
    public ReadOnlySpan<double> LongOf(int i) => Long.AsSpan(i * Signals.Width, Signals.Width);
    public ReadOnlySpan<double> Window(int i, bool useShort) => useShort ? ShortOf(i) : LongOf(i);
}

/// <summary>
/// The normals of the terminal, merchant, region, gateway and platform levels, kept between evaluations
/// while the hour of the week and what the baselines have learned stay the same (computed on demand).
/// </summary>
internal sealed class NormalsCache
{
    private (FleetIndex? Index, int HourOfWeek, long Version) _key;
    private readonly double[]?[] _levels = new double[]?[6];

    public double[]?[] For(FleetIndex index, int hourOfWeek, long version)
    {
        if (_key != (index, hourOfWeek, version))
        {
            _key = (index, hourOfWeek, version);
            Array.Clear(_levels);
        }
        return _levels;
    }
}

/// <summary>
/// Everything one evaluation works from, computed once per tick: per-terminal sums over the short and
/// long windows (terminals under maintenance left out), the same summed per scope, each scope's normal,
/// today's firmware grouping and who is under maintenance.
/// </summary>
internal sealed class DetectionFrame
{
    public DetectionFrame(FleetIndex index, DetectionInput input, MinuteCache minutes, NormalsCache normals, DateTimeOffset now,
        DetectionSettings settings, Baselines baselines)
    {
        Index = index;
        Now = now;
        HourOfWeek = Baselines.HourOfWeek(now);
        Baselines = baselines;
        FirmwareChanges = input.FirmwareChanges;
        var n = index.TerminalCount;

        States = new TerminalState?[n];
        foreach (var (id, state) in input.States)
            if (index.TerminalIndex.TryGetValue(id, out var t)) States[t] = state;

        var firmwareOf = new int[n];
        var firmwareIds = new List<string>();
        var firmwareIndex = new Dictionary<string, int>(StringComparer.Ordinal);
        for (var t = 0; t < n; t++)
        {
            var fw = States[t]?.Firmware is { Length: > 0 } reported ? reported
                : index.Terminals[t].Firmware is { Length: > 0 } listed ? listed : "unknown";
            if (!firmwareIndex.TryGetValue(fw, out var f))
            {
                firmwareIndex[fw] = f = firmwareIds.Count;
                firmwareIds.Add(fw);
            }
            firmwareOf[t] = f;
        }

        // The fleet's own groupings come prebuilt from the index; only firmware is regrouped per evaluation.
        // Normals only change when the baselines learn or the hour changes, so those of the fixed levels are kept.
        var kept = normals.For(index, HourOfWeek, baselines.Version);
        var levels = new ScopeLevel[6];
        levels[(int)ScopeType.Terminal] = new ScopeLevel(ScopeType.Terminal, index.TerminalIds, index.Self, index.SelfMembers, index.TerminalIndex,
            kept[(int)ScopeType.Terminal] ??= ScopeLevel.NewNormals(n));
        levels[(int)ScopeType.Merchant] = new ScopeLevel(ScopeType.Merchant, index.MerchantIds, index.MerchantOf, index.MerchantTerminals, index.MerchantIndex,
            kept[(int)ScopeType.Merchant] ??= ScopeLevel.NewNormals(index.MerchantIds.Length));
        levels[(int)ScopeType.Region] = new ScopeLevel(ScopeType.Region, index.RegionIds, index.RegionOf, index.RegionTerminals, index.RegionIndex,
            kept[(int)ScopeType.Region] ??= ScopeLevel.NewNormals(index.RegionIds.Length));
        levels[(int)ScopeType.Gateway] = new ScopeLevel(ScopeType.Gateway, index.GatewayIds, index.GatewayOf, index.GatewayTerminals, index.GatewayIndex,
            kept[(int)ScopeType.Gateway] ??= ScopeLevel.NewNormals(index.GatewayIds.Length));
        levels[(int)ScopeType.Firmware] = new ScopeLevel(ScopeType.Firmware, [.. firmwareIds], firmwareOf, FleetIndex.Members(firmwareOf, firmwareIds.Count), firmwareIndex);
        levels[(int)ScopeType.Platform] = new ScopeLevel(ScopeType.Platform, ["platform"], index.AllInOne, [index.Self], null,
            kept[(int)ScopeType.Platform] ??= ScopeLevel.NewNormals(1));
        Levels = levels;

        Excluded = MaintenanceMask(input.MaintenanceWindows, now);
        // A window that ended less than a long window ago still fills the windows with what it disturbed:
        // its terminals stay out of judgement until those minutes have left the window.
        if (input.MaintenanceWindows.Count > 0)
            for (var back = TimeSpan.FromMinutes(1); back <= settings.LongWindow; back += TimeSpan.FromMinutes(1))
            {
                var earlier = MaintenanceMask(input.MaintenanceWindows, now - back);
                for (var t = 0; t < n; t++) Excluded[t] |= earlier[t];
            }
        FillWindows(minutes, settings);
        ComputeNormals();
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

    public ScopeLevel Level(ScopeType type) => Levels[(int)type];
    public ScopeLevel Terminals => Levels[(int)ScopeType.Terminal];
    public ScopeLevel Platform => Levels[(int)ScopeType.Platform];

    /// <summary>Whether terminal <paramref name="t"/> belongs to the scope.</summary>
    public bool Contains(ScopeType type, int scope, int t) => Levels[(int)type].Of[t] == scope;

    /// <summary>The normal rate of <paramref name="signal"/> for a scope in this hour of the week.</summary>
    public double Normal(ScopeType type, int scope, Signal signal)
    {
        var level = Levels[(int)type];
        var k = scope * Signals.Count + (int)signal;
        var cached = level.Normals[k];
        if (!double.IsNaN(cached)) return cached;
        var parent = type switch
        {
            ScopeType.Platform => Signals.Prior(signal),
            ScopeType.Terminal => Normal(ScopeType.Merchant, Index.MerchantOf[scope], signal),
            _ => Normal(ScopeType.Platform, 0, signal),
        };
        return level.Normals[k] = Baselines.Normal(Baselines.Find(type, level.Ids[scope]), signal, HourOfWeek, parent);
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
        var shortFrom = Now - settings.ShortWindow - minute;
        var longFrom = Now - settings.LongWindow - minute;
        var until = Now + minute;
        var terminals = Terminals;
        foreach (var block in minutes.Blocks)
        {
            if (block.Minute <= longFrom || block.Minute > until) continue;
            AddAll(terminals.Long, block.Vectors);
            if (block.Minute > shortFrom) AddAll(terminals.Short, block.Vectors);
        }
        // Terminals under maintenance count for nothing (counts are whole numbers: clearing after is exact).
        for (var t = 0; t < Index.TerminalCount; t++)
        {
            if (!Excluded[t]) continue;
            terminals.Long.AsSpan(t * Signals.Width, Signals.Width).Clear();
            terminals.Short.AsSpan(t * Signals.Width, Signals.Width).Clear();
        }
        foreach (var level in Levels)
        {
            if (level.Type == ScopeType.Terminal) continue;
            for (var t = 0; t < Index.TerminalCount; t++)
            {
                var s = level.Of[t];
                AddTo(level.Short.AsSpan(s * Signals.Width, Signals.Width), terminals.ShortOf(t));
                AddTo(level.Long.AsSpan(s * Signals.Width, Signals.Width), terminals.LongOf(t));
            }
        }
    }

    private static void AddAll(double[] into, double[] v)
    {
        var n = into.Length;
        var i = 0;
        if (System.Numerics.Vector.IsHardwareAccelerated)
        {
            var width = System.Numerics.Vector<double>.Count;
            for (; i <= n - width; i += width)
                (new System.Numerics.Vector<double>(into, i) + new System.Numerics.Vector<double>(v, i)).CopyTo(into, i);
        }
        for (; i < n; i++) into[i] += v[i];
    }

    private void ComputeNormals()
    {
        foreach (var level in Levels)
        {
            if (level.Type == ScopeType.Terminal) continue; // on demand: only a few terminals are ever tested
            for (var s = 0; s < level.Count; s++)
                foreach (var signal in Signals.All) Normal(level.Type, s, signal);
        }
    }

    public static void AddTo(Span<double> into, ReadOnlySpan<double> v)
    {
        for (var i = 0; i < Signals.Width; i++) into[i] += v[i];
    }
}
