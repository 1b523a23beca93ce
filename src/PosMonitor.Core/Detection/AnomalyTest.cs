namespace PosMonitor.Core.Detection;

/// <summary>The figures a rate test was decided on.</summary>
/// <param name="Recent">Decided on the <see cref="RecentWindow"/> (the last minute and the one under way), not the short or long window.</param>
/// <param name="Rare">Decided on <see cref="DetectionSettings.RareWindow"/> (a quiet shop's input timeouts), not the short or long window.</param>
internal readonly record struct Verdict(bool Anomalous, double Failures, double Volume, double Normal, double Surprise, bool ShortWindow,
    bool Recent = false, bool Rare = false)
{
    public double Rate => Volume > 0 ? Failures / Volume : 0;
}

/// <summary>How sure a test must be.</summary>
internal enum Strictness
{
    /// <summary>To open: every threshold of the settings.</summary>
    Open,
    /// <summary>To call a fault spread (what is left without the worst member is still abnormal): half the surprise.</summary>
    Spread,
    /// <summary>To keep an incident open, or call the rest of the fleet not normal: "still elevated".</summary>
    Elevated,
}

/// <summary>
/// Decides whether a scope's failures in a window are abnormal for that scope: enough traffic,
/// enough failures, a rate well above its own normal, and too many failures for chance.
/// </summary>
internal sealed class AnomalyTest(DetectionSettings settings)
{
    private const double ElevatedSurprise = 2;

    /// <summary>
    /// What a finding on the recent window must add to <see cref="DetectionSettings.MinSurprise"/>: it is a second
    /// look at the same minutes (log10 2, the Bonferroni price of testing two windows instead of one).
    /// </summary>
    public static readonly double RecentLook = Math.Log10(2);

    /// <param name="shortV">The scope's vector over the short window.</param>
    /// <param name="longV">The same over the long window, used when the short one has too little traffic.</param>
    /// <param name="recentV">
    /// The same over the <see cref="RecentWindow"/>, or empty. To open, a fault that has just started is also judged on
    /// its own minutes: the short window's earlier, normal minutes only add expected failures. It must clear the same
    /// thresholds there (traffic included) and <see cref="RecentLook"/> more surprise, and the short window's rate must
    /// still clear <see cref="DetectionSettings.MinRatio"/> and <see cref="DetectionSettings.MinExcessRate"/>.
    /// </param>
    /// <remarks>
    /// A finding that rests on the long window must still show two failures in the short one, so a fault
    /// that has ended does not linger as a new finding while it ages out of the long window (one ordinary
    /// failure after a wide fault ended used to reopen its minutes as a terminal's own incident).
    /// </remarks>
    public Verdict Test(ReadOnlySpan<double> shortV, ReadOnlySpan<double> longV, Signal signal, double normal, Strictness strictness,
        ReadOnlySpan<double> recentV = default)
    {
        var verdict = Test(shortV, longV, signal, normal, strictness);
        if (verdict.Anomalous || strictness != Strictness.Open || recentV.IsEmpty) return verdict;
        var d = Signals.Denominator(signal);
        var minVolume = Signals.PerHeartbeatMinute(signal) ? settings.MinHeartbeatMinutes : settings.MinTransactions;
        if (recentV[d] < minVolume) return verdict;
        // How far above normal the scope runs is still judged on the short window: a couple of minutes of a busy scope
        // swing more than three do, and a bump of a point or two must not pass the rate thresholds on the swing alone.
        var shortRate = shortV[d] > 0 ? shortV[Signals.Index(signal)] / shortV[d] : 0;
        if (shortRate < normal * settings.MinRatio || shortRate - normal < settings.MinExcessRate) return verdict;
        var recent = Decide(recentV[Signals.Index(signal)], recentV[d], normal, strictness, shortWindow: true);
        return recent.Anomalous && recent.Surprise >= settings.MinSurprise + RecentLook ? recent with { Recent = true } : verdict;
    }

    private Verdict Test(ReadOnlySpan<double> shortV, ReadOnlySpan<double> longV, Signal signal, double normal, Strictness strictness)
    {
        var d = Signals.Denominator(signal);
        var k = Signals.Index(signal);
        var minVolume = Signals.PerHeartbeatMinute(signal) ? settings.MinHeartbeatMinutes : settings.MinTransactions;
        if (strictness == Strictness.Elevated) minVolume = Math.Max(1, minVolume / 2);
        var useShort = shortV[d] >= minVolume;
        var v = useShort ? shortV : longV;
        var n = v[d];
        var x = v[k];
        if (n < minVolume || (strictness == Strictness.Open && shortV[k] < Math.Min(2, settings.MinFailures))) return new Verdict(false, x, n, normal, 0, useShort);
        var verdict = Decide(x, n, normal, strictness, useShort);
        // A scope just busy enough for the short window sees a steady fault as a few failures at a time, never
        // enough for the short window alone: the long window, which holds five times the evidence, is judged too.
        // Only while the short window's own rate is still well above normal: once a fault ends, its minutes in the
        // long window must not hold the incident open (or reopen it) for another quarter hour.
        if (verdict.Anomalous || !useShort || longV[d] <= shortV[d]) return verdict;
        // One failure in the short window is no sign the fault still runs: after a wide fault ends, a busy shop's long
        // window still holds its minutes, and a single ordinary failure would otherwise reopen it as the shop's own.
        if (x < Math.Min(2, settings.MinFailures)) return verdict;
        if (x / n < normal * (strictness == Strictness.Elevated ? Math.Max(1.2, settings.MinRatio / 2) : settings.MinRatio)) return verdict;
        var overLong = Decide(longV[k], longV[d], normal, strictness, shortWindow: false);
        return overLong.Anomalous ? overLong : verdict;
    }

    public Verdict Decide(double x, double n, double normal, Strictness strictness, bool shortWindow)
    {
        var rate = n > 0 ? x / n : 0;
        var elevated = strictness == Strictness.Elevated;
        var minFailures = elevated ? Math.Min(2, settings.MinFailures) : settings.MinFailures;
        var ratio = elevated ? Math.Max(1.2, settings.MinRatio / 2) : settings.MinRatio;
        var excess = elevated ? settings.MinExcessRate / 2 : settings.MinExcessRate;
        if (x < minFailures || rate < normal * ratio || rate - normal < excess)
            return new Verdict(false, x, n, normal, 0, shortWindow);
        var surprise = PoissonSurprise(x, n * normal);
        var needed = strictness switch
        {
            Strictness.Open => settings.MinSurprise,
            Strictness.Spread => settings.MinSurprise / 2,
            _ => ElevatedSurprise,
        };
        return new Verdict(surprise >= needed, x, n, normal, surprise, shortWindow);
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

    /// <summary>
    /// −log10 of P(X ≥ k) for X ~ Binomial(n, p): how surprising it is that k of n failures fell in a part that
    /// carries share p of the traffic, were they spread evenly.
    /// </summary>
    public static double BinomialSurprise(double k, double n, double p)
    {
        if (k <= n * p) return 0;
        if (p <= 0) return 300;
        if (p >= 1) return 0;
        var kk = (int)Math.Round(k);
        var nn = (int)Math.Round(n);
        double lnP = Math.Log(p), lnQ = Math.Log(1 - p), lnN = LnGamma(nn + 1);
        var tail = 0.0;
        for (var i = kk; i <= nn; i++)
        {
            var term = Math.Exp(lnN - LnGamma(i + 1) - LnGamma(nn - i + 1) + i * lnP + (nn - i) * lnQ);
            tail += term;
            if (term < tail * 1e-12) break;
        }
        return tail <= 0 ? 300 : Math.Max(0, -Math.Log10(tail));
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
