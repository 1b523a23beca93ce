using PosMonitor.Core.Incidents;

namespace PosMonitor.Core.Detection;

/// <summary>
/// What the engine has learned, for the host to persist and hand back after a restart
/// (<see cref="DetectionEngine.ExportBaselines"/> / <see cref="DetectionEngine.ImportBaselines"/>).
/// Plain data, serialisable with System.Text.Json; the figure vectors are the engine's own layout.
/// </summary>
public sealed record BaselineState
{
    /// <summary>Changes when the vector layout changes; a state of another version is ignored on import.</summary>
    public int Version { get; init; } = Baselines.LayoutVersion;
    /// <summary>Start of the newest minute learned; the engine never learns a minute twice.</summary>
    public DateTimeOffset? LearnedThrough { get; init; }
    public long LearnedMinutes { get; init; }
    public IReadOnlyList<ScopeBaselineState> Scopes { get; init; } = [];
}

/// <param name="All">Sums over all hours.</param>
/// <param name="HourOfDay">24 blocks of sums, by UTC hour of day.</param>
/// <param name="HourOfWeek">168 blocks by UTC hour of week (Sunday 00:00 first); null for terminals.</param>
public sealed record ScopeBaselineState(ScopeType ScopeType, string ScopeId, double[] All, double[] HourOfDay, double[]? HourOfWeek);

internal sealed class ScopeBaseline(bool byWeek)
{
    public double[] All { get; } = new double[Signals.Width];
    public double[] HourOfDay { get; } = new double[24 * Signals.Width];
    public double[]? HourOfWeek { get; } = byWeek ? new double[168 * Signals.Width] : null;
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
    /// <summary>2: the slow host and gateway signals were added (their history before is unknown, not zero, so it is relearned).</summary>
    public const int LayoutVersion = 2;
    /// <summary>When a block's volume passes this, it is halved: old history fades, recent counts more.</summary>
    private const double FadeAbove = 50_000;
    /// <summary>No normal is taken as lower than this: a clean history is not a promise of zero failures.</summary>
    private const double FloorRate = 0.001;

    private readonly Dictionary<(ScopeType, string), ScopeBaseline> _scopes = [];

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
        Add(b.All, v);
        Add(b.HourOfDay.AsSpan((hourOfWeek % 24) * Signals.Width, Signals.Width), v);
        if (b.HourOfWeek is { } week) Add(week.AsSpan(hourOfWeek * Signals.Width, Signals.Width), v);
    }

    /// <summary>The scope's normal rate of <paramref name="signal"/> in this hour of the week.</summary>
    public double Normal(ScopeBaseline? b, Signal signal, int hourOfWeek, double parentNormal)
    {
        if (b is null) return Math.Max(FloorRate, parentNormal);
        var d = Signals.Denominator(signal);
        var x = Signals.Index(signal);
        var all = Shrink(b.All, 0, d, x, Math.Max(FloorRate, parentNormal), ownFloor: true);
        // Hour buckets are thin: a few minutes of a fault's onset, learned before it was found, must not lift
        // them at once; only the all-hours figures (a store that always runs hot) may.
        var hod = Shrink(b.HourOfDay, (hourOfWeek % 24) * Signals.Width, d, x, all, ownFloor: false);
        return b.HourOfWeek is { } week ? Shrink(week, hourOfWeek * Signals.Width, d, x, hod, ownFloor: false) : hod;
    }

    public BaselineState Export() => new()
    {
        LearnedThrough = LearnedThrough,
        LearnedMinutes = LearnedMinutes,
        Scopes = _scopes.Select(kv => new ScopeBaselineState(kv.Key.Item1, kv.Key.Item2,
            (double[])kv.Value.All.Clone(), (double[])kv.Value.HourOfDay.Clone(),
            (double[]?)kv.Value.HourOfWeek?.Clone())).ToList(),
    };

    /// <summary>Replaces what was learned with <paramref name="state"/>; blocks of the wrong shape are skipped.</summary>
    public void Import(BaselineState state)
    {
        Version++;
        _scopes.Clear();
        if (state.Version != LayoutVersion) return;
        LearnedThrough = state.LearnedThrough;
        LearnedMinutes = state.LearnedMinutes;
        foreach (var s in state.Scopes)
        {
            var byWeek = s.ScopeType != ScopeType.Terminal;
            if (s.All.Length != Signals.Width || s.HourOfDay.Length != 24 * Signals.Width
                || (byWeek && s.HourOfWeek?.Length != 168 * Signals.Width)) continue;
            var b = new ScopeBaseline(byWeek);
            s.All.CopyTo(b.All, 0);
            s.HourOfDay.CopyTo(b.HourOfDay, 0);
            if (byWeek) s.HourOfWeek!.CopyTo(b.HourOfWeek!, 0);
            _scopes[(s.ScopeType, s.ScopeId)] = b;
        }
    }

    /// <summary>
    /// The posterior mean with a prior worth <c>priorFailures</c> expected failures at <paramref name="prior"/>,
    /// but never below a cautious lower bound of the scope's own rate (about two standard errors under it).
    /// </summary>
    private double Shrink(double[] sums, int offset, int d, int x, double prior, bool ownFloor)
    {
        double failures = sums[offset + x], volume = sums[offset + d];
        var shrunk = (failures + priorFailures) / (volume + priorFailures / prior);
        var lower = ownFloor && volume > 0 ? Math.Max(0, failures - 2 * Math.Sqrt(failures) - 1) / volume : 0;
        return Math.Max(FloorRate, Math.Max(shrunk, lower));
    }

    private static void Add(Span<double> block, ReadOnlySpan<double> v)
    {
        for (var i = 0; i < Signals.Width; i++) block[i] += v[i];
        if (block[Signals.Sales] > FadeAbove || block[Signals.HeartbeatMinutes] > FadeAbove)
            for (var i = 0; i < Signals.Width; i++) block[i] /= 2;
    }
}
