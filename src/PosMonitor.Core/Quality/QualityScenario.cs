using PosMonitor.Core.Simulation;

namespace PosMonitor.Core.Quality;

/// <summary>
/// The scenarios <c>posmonitor quality</c> scores: every cause at its usual scopes, subtle and severe,
/// spread over the run between the decoys (which are all on), with the seed choosing the scopes and,
/// by turns, which intensity of each pair is the subtle one. The background of an ordinary estate is on unless
/// told otherwise: a score without it says nothing about false alarms on a real fleet.
/// </summary>
public static class QualityScenario
{
    /// <param name="background">The estate's background; <see cref="BackgroundNoise.Default"/> when null.</param>
    public static SimulationOptions Options(int seed, int terminals, TimeSpan duration, DateTimeOffset start, BackgroundNoise? background = null) => new()
    {
        Terminals = terminals,
        Seed = seed,
        Start = start,
        Duration = duration,
        Faults = Faults(seed, duration).Select(FaultSpec.Parse).ToArray(),
        Decoys = Decoys.All,
        Background = background ?? BackgroundNoise.Default,
    };

    /// <summary>The hours of each simulated day that faults are placed in: the run starts at the estate's morning.</summary>
    private static readonly TimeSpan TradingDay = TimeSpan.FromHours(10);

    /// <summary>
    /// Where a fault at <paramref name="share"/> of the run goes: that share of the run's trading time (the first
    /// <see cref="TradingDay"/> of each day of it), so a run over nights puts its faults in trading hours, as a shop's
    /// faults are met, and a run of a trading day or less keeps its plain share.
    /// </summary>
    internal static TimeSpan TradingOffset(TimeSpan duration, double share)
    {
        if (duration <= TradingDay) return duration * share;
        var day = TimeSpan.FromDays(1);
        var total = TimeSpan.Zero;
        for (var from = TimeSpan.Zero; from < duration; from += day) total += Min(TradingDay, duration - from);
        var left = total * share;
        for (var from = TimeSpan.Zero; ; from += day)
        {
            var open = Min(TradingDay, duration - from);
            if (left < open || from + day >= duration) return from + Min(left, open);
            left -= open;
        }

        static TimeSpan Min(TimeSpan a, TimeSpan b) => a < b ? a : b;
    }

    /// <summary>
    /// Fault texts for one seed. Offsets are fractions of the run so a shorter run keeps the layout; the
    /// firmware fault hits 3.2.2, the version
    /// every generated fleet is rolling out (the quiet-rollout decoy then takes 3.3.0); the decoys sit at 30% (sparse terminal), 35–52% (rollout), 60% (blip) and 80% (maintenance).
    /// </summary>
    public static IReadOnlyList<string> Faults(int seed, TimeSpan duration)
    {
        var flip = seed % 2 == 0;
        // A real fault starts at any second, not on the minute: each lands a seed- and place-chosen second into its minute.
        string At(double share)
        {
            var offset = TradingOffset(duration, share);
            var second = (int)(((uint)seed * 37u + (uint)(share * 1000) * 11u) % 60);
            return $"at={(int)offset.TotalMinutes}m{second}s";
        }
        string Pick(string a, string b) => flip ? b : a;
        return
        [
            $"gateway:gateway=random:{Pick("12%", "60%")}:12m:{At(0.06)}",
            $"network:merchant=random:offline:15m:{At(0.10)}",
            $"server:platform:{Pick("40%", "8%")}:10m:{At(0.16)}",
            $"hardware:terminal=random:{Pick("paper_out", "jam")}:40m:{At(0.18)}",
            $"network:region=random:loss={Pick("40%", "20%")}:15m:{At(0.24)}",
            $"operator:merchant=random:{Pick("35%", "20%")}:45m:{At(0.40)}",
            $"third_party:region=random:{Pick("20%", "50%")}:15m:{At(0.66)}",
            $"gateway:gateway=random:{Pick("60%", "12%")}:12m:{At(0.86)}",
            $"software:firmware=3.2.2:{Pick("25%", "10%")}:30m:{At(0.70)}",
            $"network:terminal=random:offline:20m:{At(0.90)}",
            $"third_party:platform:{Pick("50%", "20%")}:10m:{At(0.93)}",
            $"operator:merchant=quiet:{Pick("25%", "35%")}:45m:{At(0.50)}",
        ];
    }
}
