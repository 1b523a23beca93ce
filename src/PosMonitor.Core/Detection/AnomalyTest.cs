namespace PosMonitor.Core.Detection;

/// <summary>The figures a rate test was decided on.</summary>
internal readonly record struct Verdict(bool Anomalous, double Failures, double Volume, double Normal, double Surprise, bool ShortWindow)
{
    public double Rate => Volume > 0 ? Failures / Volume : 0;
    public double Excess => Failures - Volume * Normal;
}

/// <summary>
/// Decides whether a scope's failures in a window are abnormal for that scope: enough traffic,
/// enough failures, a rate well above its own normal, and too many failures for chance.
/// </summary>
internal sealed class AnomalyTest(DetectionSettings settings)
{
    /// <summary>Relaxed thresholds: "still elevated", used to keep an incident open and to test spread.</summary>
    private const double RelaxedSurprise = 2;

    /// <param name="shortV">The scope's vector over the short window.</param>
    /// <param name="longV">The same over the long window, used when the short one has too little traffic.</param>
    public Verdict Test(ReadOnlySpan<double> shortV, ReadOnlySpan<double> longV, Signal signal, double normal, bool strict)
    {
        var d = Signals.Denominator(signal);
        var minVolume = Signals.PerHeartbeatMinute(signal) ? settings.MinHeartbeatMinutes : settings.MinTransactions;
        if (!strict) minVolume = Math.Max(1, minVolume / 2);
        var useShort = shortV[d] >= minVolume;
        var v = useShort ? shortV : longV;
        var n = v[d];
        var x = v[Signals.Index(signal)];
        if (n < minVolume) return new Verdict(false, x, n, normal, 0, useShort);
        return Decide(x, n, normal, strict, useShort);
    }

    public Verdict Decide(double x, double n, double normal, bool strict, bool shortWindow)
    {
        var rate = n > 0 ? x / n : 0;
        var minFailures = strict ? settings.MinFailures : Math.Min(2, settings.MinFailures);
        var ratio = strict ? settings.MinRatio : Math.Max(1.2, settings.MinRatio / 2);
        var excess = strict ? settings.MinExcessRate : settings.MinExcessRate / 2;
        if (x < minFailures || rate < normal * ratio || rate - normal < excess)
            return new Verdict(false, x, n, normal, 0, shortWindow);
        var surprise = PoissonSurprise(x, n * normal);
        return new Verdict(surprise >= (strict ? settings.MinSurprise : RelaxedSurprise), x, n, normal, surprise, shortWindow);
    }

    /// <summary>
    /// −log10 of an upper bound on P(X ≥ x) for X ~ Poisson(λ): the term at x times the geometric
    /// bound on the terms after it. Poisson's tail is heavier than the binomial's, so this errs quiet.
    /// </summary>
    public static double PoissonSurprise(double x, double lambda)
    {
        if (x <= lambda) return 0;
        if (lambda <= 0) return 300;
        var lnTerm = -lambda + x * Math.Log(lambda) - LnGamma(x + 1);
        var lnTail = lnTerm - Math.Log(1 - lambda / (x + 1));
        return Math.Max(0, -lnTail / Math.Log(10));
    }

    /// <summary>ln Γ(z) for z &gt; 0 by Stirling's series after shifting z up to 7 or more.</summary>
    public static double LnGamma(double z)
    {
        var shift = 0.0;
        while (z < 7)
        {
            shift -= Math.Log(z);
            z += 1;
        }
        var z2 = 1 / (z * z);
        return shift + (z - 0.5) * Math.Log(z) - z + 0.5 * Math.Log(2 * Math.PI)
            + (1.0 / 12 - z2 * (1.0 / 360 - z2 / 1260)) / z;
    }
}
