using PosMonitor.Core.Incidents;

namespace PosMonitor.Core.Detection;

/// <summary>A quiet shop's cashier trouble: input timeouts over <see cref="DetectionSettings.RareWindow"/>.</summary>
internal sealed partial class RateFinder
{
    /// <summary>
    /// A quiet shop's (or one till's) input timeouts over <see cref="DetectionSettings.RareWindow"/>, where the usual
    /// windows found nothing: a cashier in trouble fails a few sales of a shop that makes thirty an hour, never three
    /// in a quarter of an hour, while an ordinary day times out about one sale in a thousand at input. With
    /// <see cref="AnomalyTest.RecentLook"/> more surprise (a third look at the same sales), and only while the trouble
    /// goes on: a failure in the short window and the long window still elevated, so the rare window's older minutes
    /// neither open nor reopen anything once a fault has ended.
    /// </summary>
    /// <param name="found">Findings from here on in <paramref name="into"/> are this signal's: their terminals are not judged again.</param>
    private void TryRare(DetectionFrame f, Signal s, List<Finding> into, bool[] claimed, int found)
    {
        var x = Signals.Index(s);
        var from = f.Now - settings.RareWindow;
        var taken = new HashSet<int>();
        for (var i = found; i < into.Count; i++) taken.UnionWith(into[i].Affected);
        var seenMerchants = new HashSet<int>();
        var fleetNormal = FleetNormal(f, s);
        var merchants = f.Level(ScopeType.Merchant);
        for (var t = 0; t < f.Terminals.Count; t++)
        {
            if (f.Terminals.ShortOf(t)[x] < 1 || claimed[t] || taken.Contains(t) || f.Excluded[t]) continue;
            var m = f.Index.MerchantOf[t];
            if (!seenMerchants.Add(m)) continue;
            var members = merchants.Members[m];
            var tills = new RareTally[members.Length];
            var shop = default(RareTally);
            for (var j = 0; j < members.Length; j++)
            {
                var u = members[j];
                if (claimed[u] || taken.Contains(u) || f.Excluded[u]) continue;
                var (olderSales, olderInput) = f.Older.Of(u, from);
                var longV = f.Terminals.LongOf(u);
                tills[j] = new RareTally(longV[x] + olderInput, longV[Signals.Sales] + olderSales, longV[x], longV[Signals.Sales]);
                shop += tills[j];
            }
            var normal = RareNormal(f, ScopeType.Merchant, merchants.Ids[m], s, fleetNormal);
            var v = Rare(shop, normal);
            var affected = Enumerable.Range(0, members.Length).Where(j => tills[j].Failures > 0).ToList();
            var worst = affected.Count > 0 ? affected.MaxBy(j => tills[j].Failures - tills[j].Sales * normal) : -1;
            double TillNormal(int j) => Math.Max(normal, RareNormal(f, ScopeType.Terminal, f.Terminals.Ids[members[j]], s, fleetNormal));
            // The shop's when its failures are on several tills: spread over them, or more than its worst till shows alone.
            if (v.Anomalous && affected.Count >= 2
                && (test.Decide(shop.Failures - tills[worst].Failures, shop.Sales - tills[worst].Sales, normal, Strictness.Spread, false).Anomalous
                    || !Rare(tills[worst], TillNormal(worst)).Anomalous))
            {
                into.Add(Found(f, ScopeType.Merchant, m, merchants.Ids[m], s, v,
                    [Wording.RateLine(s, v, settings), EvidencePhrase.TerminalsAffected.Write(affected.Count, members.Length)],
                    [.. affected.Select(j => members[j])]));
                continue;
            }
            // Not the shop's (too few, or not spread over its tills): one till's, judged against its own normal.
            foreach (var j in affected)
            {
                var u = members[j];
                if (f.Terminals.ShortOf(u)[x] < 1) continue;
                var own = Rare(tills[j], TillNormal(j));
                if (!own.Anomalous) continue;
                var evidence = new List<string> { Wording.RateLine(s, own, settings) };
                if (members.Length > 1) evidence.Add(EvidencePhrase.OthersNormal.Write(merchants.Ids[m]));
                into.Add(Found(f, ScopeType.Terminal, u, f.Terminals.Ids[u], s, own, evidence, [u]));
            }
        }
    }

    /// <summary>
    /// The most sales (in <see cref="DetectionSettings.MinTransactions"/>) a shop or till makes in the long window for its
    /// input timeouts to be judged over the rare window: two a minute (30 in a quarter hour) at the default settings.
    /// </summary>
    private const int QuietShopSales = 3;

    /// <summary>A shop's or till's input timeouts and sales over the rare window, and over the long window within it.</summary>
    private readonly record struct RareTally(double Failures, double Sales, double LongFailures, double LongSales)
    {
        public static RareTally operator +(RareTally a, RareTally b) =>
            new(a.Failures + b.Failures, a.Sales + b.Sales, a.LongFailures + b.LongFailures, a.LongSales + b.LongSales);
    }

    /// <summary>
    /// The fleet's normal rate of <paramref name="s"/> over all its hours: an hour's figures hold so few input timeouts that
    /// a fault's own, learned in its first minutes, lift them (and, on a small fleet, the hour's normal).
    /// </summary>
    private static double FleetNormal(DetectionFrame f, Signal s) =>
        f.Baselines.Find(ScopeType.Platform, "platform") is { } fleet ? f.Baselines.AllHours(fleet, s, Signals.Prior(s)) : Signals.Prior(s);

    /// <summary>
    /// The normal a rare window is judged against: the fleet's, unless the scope's own history clearly runs higher (the
    /// cautious lower bound of its own rate). Not the scope's shrunk normal: a quiet shop holds so few input timeouts in
    /// its whole history that the first of a slow fault's, learned while it is still too thin to open, doubled it.
    /// </summary>
    private static double RareNormal(DetectionFrame f, ScopeType type, string id, Signal s, double fleetNormal) =>
        f.Baselines.Find(type, id) is { } own ? Math.Max(fleetNormal, Baselines.OwnLowerBound(own, s)) : fleetNormal;

    private Verdict Rare(RareTally tally, double normal)
    {
        // A busy shop's cashier trouble shows in the long window; over the rare window its ended fault's tail and one
        // ordinary timeout would reopen it.
        if (tally.Sales < settings.MinTransactions || tally.LongSales >= QuietShopSales * settings.MinTransactions) return default;
        if (!test.Decide(tally.LongFailures, tally.LongSales, normal, Strictness.Elevated, shortWindow: false).Anomalous) return default;
        var v = test.Decide(tally.Failures, tally.Sales, normal, Strictness.Open, shortWindow: false);
        return v with { Anomalous = v.Anomalous && v.Surprise >= settings.MinSurprise + AnomalyTest.RecentLook, Rare = true };
    }
}
