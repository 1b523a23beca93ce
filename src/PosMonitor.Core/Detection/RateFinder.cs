using PosMonitor.Core.Incidents;

namespace PosMonitor.Core.Detection;

/// <summary>
/// Finds where one signal's failures are abnormal and attributes them at the widest scope that
/// explains them, widest first:
/// <list type="number">
/// <item>platform — abnormal overall and still abnormal without its worst gateway, region or firmware;</item>
/// <item>one gateway, region or firmware version — abnormal, spread over several merchants (still
///   abnormal without its worst one), and the rest of the fleet normal (tolerating one bad merchant);</item>
/// <item>one merchant — abnormal, and spread over its terminals (still abnormal without its worst one);</item>
/// <item>one terminal.</item>
/// </list>
/// Terminals explained at one step are claimed and not judged again at narrower ones, so one fault
/// gives one finding. Failures concentrated on one firmware version are software, whatever the stage.
/// </summary>
internal sealed partial class RateFinder(DetectionSettings settings, AnomalyTest test)
{
    // Per-merchant sums of a wide scope, emptied for each: made anew per anomalous scope they were most of
    // detection's garbage in a replay. Cleared, they enumerate in insertion order as new ones do (ties in MaxBy).
    private readonly Dictionary<int, (double X, double N)> _inScope = [];
    private readonly Dictionary<int, (double X, double N)> _unclaimed = [];
    private bool[] _claimed = [];
    private static readonly ScopeType[] SpreadLevels = [ScopeType.Gateway, ScopeType.Region, ScopeType.Firmware, ScopeType.Merchant];
    /// <summary>Heartbeat minutes a terminal needs learned before its own device-signal rate counts as its normal.</summary>
    private const double OwnNormalMinutes = 5;
    /// <summary>
    /// Heartbeat minutes learned per reporting terminal before a terminal's or merchant's link quality is judged at
    /// all: a device just switched on in a basement shows a weak signal, and only its own history says whether
    /// that is its normal (src/PosMonitor.Core/Detection/timeout-causes.md: compare with the scope's own normal, not one global threshold).
    /// </summary>
    private const double OwnLinkHistoryMinutes = 10;

    private static readonly ScopeType[] Dimensions = [ScopeType.Gateway, ScopeType.Region, ScopeType.Firmware];

    private RecentWindow _recent = null!;

    /// <summary>The printer and scanner states terminals report, and since when (updated by the engine each check).</summary>
    public DeviceStates Devices { get; } = new(settings);

    /// <summary>The scope's figures over the window its verdict was decided on.</summary>
    private ReadOnlySpan<double> Win(ScopeLevel level, int i, Verdict v) => v.Recent ? _recent.Of(level.Type, i) : level.Window(i, v.ShortWindow);

    public void Find(DetectionFrame f, RecentWindow recent, Signal s, List<Finding> into)
    {
        _recent = recent;
        // One per signal per check otherwise: reused, cleared (its length is the fleet's, which may change).
        if (_claimed.Length != f.Index.TerminalCount) _claimed = new bool[f.Index.TerminalCount];
        else Array.Clear(_claimed);
        var claimed = _claimed;
        // Receipts failing on a terminal whose printer says it is out of paper (or just was) are that routine state's:
        // they count nowhere, neither as the terminal's own nor in a shop's, region's or the platform's rate.
        var explained = false;
        if (s == Signal.Print)
            for (var t = 0; t < claimed.Length; t++)
                explained |= claimed[t] = Devices.ExplainsPrintFailures(f.Index.TerminalIds[t], f.Now);
        if (!Signals.IsDeviceLevel(s))
        {
            if (TryPlatform(f, s, into, claimed, explained)) return;
            foreach (var type in Affinity(s)) TryWide(f, f.Level(type), s, into, claimed);
        }
        // A poor link on the terminals of many merchants of one region at once is the region's network (a
        // carrier or ISP outage, src/PosMonitor.Core/Detection/timeout-causes.md): the heartbeats show it a minute or two before the sales do.
        else if (s == Signal.PoorLink) TryWide(f, f.Level(ScopeType.Region), s, into, claimed);
        var found = into.Count;
        TryMerchants(f, s, into, claimed);
        TryTerminals(f, s, into, claimed);
        if (s == Signal.Input && settings.RareWindow > settings.LongWindow) TryRare(f, s, into, claimed, found);
    }

    /// <summary>Which wide dimension a signal's cause usually concentrates on is tried first (src/PosMonitor.Core/Detection/timeout-causes.md).</summary>
    private static ScopeType[] Affinity(Signal s) => s switch
    {
        Signal.Gateway or Signal.Host or Signal.SlowGateway or Signal.SlowHost => GatewayFirst,
        Signal.App => FirmwareFirst,
        _ => RegionFirst,
    };

    // Made once: a collection expression in Affinity built a new array on every call (nine per evaluation).
    private static readonly ScopeType[] GatewayFirst = [ScopeType.Gateway, ScopeType.Region, ScopeType.Firmware];
    private static readonly ScopeType[] FirmwareFirst = [ScopeType.Firmware, ScopeType.Gateway, ScopeType.Region];
    private static readonly ScopeType[] RegionFirst = [ScopeType.Region, ScopeType.Gateway, ScopeType.Firmware];

    /// <param name="explained">Some terminals are claimed already: their failures are left out of the platform's.</param>
    private bool TryPlatform(DetectionFrame f, Signal s, List<Finding> into, bool[] claimed, bool explained)
    {
        var platform = f.Platform;
        var normal = f.Normal(ScopeType.Platform, 0, s);
        Span<double> shortV = stackalloc double[Signals.Width];
        Span<double> longV = stackalloc double[Signals.Width];
        Span<double> recentV = stackalloc double[Signals.Width];
        platform.ShortOf(0).CopyTo(shortV);
        platform.LongOf(0).CopyTo(longV);
        _recent.Of(ScopeType.Platform, 0).CopyTo(recentV);
        if (explained)
            for (var t = 0; t < claimed.Length; t++)
            {
                if (!claimed[t]) continue;
                Subtract(shortV, f.Terminals.ShortOf(t));
                Subtract(longV, f.Terminals.LongOf(t));
                Subtract(recentV, _recent.Of(ScopeType.Terminal, t));
            }
        var v = test.Test(shortV, longV, s, normal, Strictness.Open, recentV);
        if (!v.Anomalous) return false;
        var spread = new Dictionary<ScopeType, (int Elevated, int WithTraffic)>();
        foreach (var type in SpreadLevels)
        {
            var level = f.Level(type);
            if (!StillAbnormalWithoutWorst(level, s, v, normal, out var elevated, out var withTraffic)) return false;
            spread[type] = (elevated, withTraffic);
        }
        var affected = new List<int>();
        var x = Signals.Index(s);
        for (var t = 0; t < claimed.Length; t++)
        {
            claimed[t] = true;
            if (!f.Excluded[t] && Win(f.Terminals, t, v)[x] > 0) affected.Add(t);
        }
        into.Add(Found(f, ScopeType.Platform, 0, "platform", s, v,
            [
                Wording.RateLine(s, v, settings),
                EvidencePhrase.PlatformSpread.Write(spread[ScopeType.Gateway].Elevated, spread[ScopeType.Gateway].WithTraffic,
                    spread[ScopeType.Region].Elevated, spread[ScopeType.Region].WithTraffic),
            ],
            affected));
        return true;
    }

    /// <summary>Whether the platform stays abnormal (relaxed test) without its worst scope of <paramref name="level"/>.</summary>
    private bool StillAbnormalWithoutWorst(ScopeLevel level, Signal s, Verdict v, double normal, out int elevated, out int withTraffic)
    {
        var d = Signals.Denominator(s);
        var x = Signals.Index(s);
        elevated = 0;
        withTraffic = 0;
        var worst = -1;
        var worstExcess = double.MinValue;
        for (var i = 0; i < level.Count; i++)
        {
            var w = Win(level, i, v);
            if (w[d] == 0) continue;
            withTraffic++;
            if (w[x] / w[d] >= Math.Max(2 * normal, normal + settings.MinExcessRate / 2)) elevated++;
            var excess = w[x] - w[d] * normal;
            if (excess > worstExcess) (worst, worstExcess) = (i, excess);
        }
        if (withTraffic < 2) return true;
        var top = Win(level, worst, v);
        if (test.Decide(v.Failures - top[x], v.Volume - top[d], normal, Strictness.Spread, v.ShortWindow).Anomalous) return true;
        // Too few failures elsewhere to tell yet, but the worst scope holds not clearly more of them than its share of
        // the traffic (a firmware most of the fleet runs, at a slowdown's onset): nothing says it, not the platform, is at fault.
        // Others of the level must be elevated too, with failures of their own: failures on one scope alone are that scope's.
        return elevated >= 2 && v.Failures - top[x] >= settings.MinFailures && v.Volume > top[d] && AnomalyTest.BinomialSurprise(top[x], v.Failures, top[d] / v.Volume) < settings.MinSurprise / 2;
    }

    private void TryWide(DetectionFrame f, ScopeLevel level, Signal s, List<Finding> into, bool[] claimed)
    {
        var d = Signals.Denominator(s);
        var x = Signals.Index(s);
        var merchants = f.Level(ScopeType.Merchant);
        var platformNormal = f.Normal(ScopeType.Platform, 0, s);
        for (var i = 0; i < level.Count; i++)
        {
            var normal = f.Normal(level.Type, i, s);
            var v = test.Test(level.ShortOf(i), level.LongOf(i), s, normal, Strictness.Open, _recent.Of(level.Type, i));
            if (!v.Anomalous) continue;

            // Break the scope down by merchant: all members (for the complement) and unclaimed ones (for spread).
            var inScope = _inScope;
            var unclaimed = _unclaimed;
            inScope.Clear();
            unclaimed.Clear();
            double claimedX = 0, freeX = 0, freeN = 0;
            var affected = new List<int>();
            var regions = new HashSet<int>();
            var gateways = new HashSet<int>();
            foreach (var t in level.Members[i])
            {
                if (f.Excluded[t]) continue;
                var w = Win(f.Terminals, t, v);
                var m = f.Index.MerchantOf[t];
                inScope[m] = Plus(inScope.GetValueOrDefault(m), w[x], w[d]);
                if (claimed[t]) { claimedX += w[x]; continue; }
                freeX += w[x];
                freeN += w[d];
                unclaimed[m] = Plus(unclaimed.GetValueOrDefault(m), w[x], w[d]);
                if (w[x] > 0)
                {
                    affected.Add(t);
                    regions.Add(f.Index.RegionOf[t]);
                    gateways.Add(f.Index.GatewayOf[t]);
                }
            }
            if (claimedX > freeX) continue; // mostly explained by a wider finding already

            if (ExplainedByAnother(f, level, i, s, v, normal, claimed)) continue;

            var failing = unclaimed.Where(kv => kv.Value.X > 0).ToList();
            if (failing.Count < 2) continue;
            var top = failing.MaxBy(kv => kv.Value.X - kv.Value.N * normal).Value;
            if (!test.Decide(freeX - top.X, freeN - top.N, normal, Strictness.Spread, v.ShortWindow).Anomalous) continue;

            // The rest of the fleet must be normal, apart from at most one unrelated bad merchant.
            var platform = Win(f.Platform, 0, v);
            var scope = Win(level, i, v);
            double restX = platform[x] - scope[x], restN = platform[d] - scope[d];
            // A scope that is nearly the whole fleet cannot be told apart from the platform.
            if (restN < settings.MinTransactions || restN < 0.05 * platform[d]) continue;
            double worstX = 0, worstN = 0, worstExcess = 0;
            for (var m = 0; m < merchants.Count; m++)
            {
                var mw = Win(merchants, m, v);
                var own = inScope.GetValueOrDefault(m);
                double mx = mw[x] - own.X, mn = mw[d] - own.N;
                var excess = mx - mn * platformNormal;
                if (excess > worstExcess) (worstX, worstN, worstExcess) = (mx, mn, excess);
            }
            var rest = test.Decide(restX - worstX, restN - worstN, platformNormal, Strictness.Elevated, v.ShortWindow);
            if (rest.Anomalous) continue;
            // And the failures must concentrate in the scope beyond its share of the traffic: a fleet-wide fault
            // still too young to show much elsewhere first looks like its biggest firmware or gateway otherwise.
            // (The rest's worst merchant counts here: at a fault's onset its few failures are all the evidence there is.)
            var share = scope[d] / platform[d];
            if (AnomalyTest.BinomialSurprise(scope[x], scope[x] + restX, share) < settings.MinSurprise / 2) continue;

            foreach (var t in level.Members[i]) claimed[t] = true;
            var evidence = new List<string>
            {
                Wording.RateLine(s, v, settings),
                EvidencePhrase.Others(level.Type, s).Write(Wording.Pct(restN > 0 ? restX / restN : 0), Wording.Count(restN)),
                level.Type == ScopeType.Region
                    ? EvidencePhrase.SpreadOnGateways.Write(failing.Count, gateways.Count)
                    : EvidencePhrase.SpreadInRegions.Write(failing.Count, regions.Count),
            };
            if (level.Type == ScopeType.Firmware && Rollout(f, level.Ids[i]) is { } rollout) evidence.Add(rollout);
            into.Add(Found(f, level.Type, i, level.Ids[i], s, v, evidence, affected));
        }
    }

    /// <summary>
    /// Whether the candidate's failures sit on one value of another dimension (one firmware inside a
    /// region, say), with the rest of the candidate normal: then that value, not the candidate, is
    /// the explanation (a rollout that reached one region first is a firmware fault, not a regional one).
    /// </summary>
    private bool ExplainedByAnother(DetectionFrame f, ScopeLevel level, int i, Signal s, Verdict v, double normal, bool[] claimed)
    {
        var d = Signals.Denominator(s);
        var x = Signals.Index(s);
        foreach (var type in Dimensions)
        {
            if (type == level.Type) continue;
            var other = f.Level(type);
            var split = new Dictionary<int, (double X, double N)>();
            double totalX = 0, totalN = 0;
            foreach (var t in level.Members[i])
            {
                if (claimed[t] || f.Excluded[t]) continue;
                var w = Win(f.Terminals, t, v);
                var u = other.Of[t];
                var had = split.GetValueOrDefault(u);
                split[u] = (had.X + w[x], had.N + w[d]);
                totalX += w[x];
                totalN += w[d];
            }
            if (split.Count < 2) continue;
            foreach (var (_, part) in split)
            {
                if (part.N > 0.7 * totalN) continue;
                if (!test.Decide(part.X, part.N, normal, Strictness.Spread, v.ShortWindow).Anomalous) continue;
                // A handful of failures always sits somewhere: the part must hold clearly more than its share of the traffic.
                if (totalN <= 0 || AnomalyTest.BinomialSurprise(part.X, totalX, part.N / totalN) < settings.MinSurprise / 2) continue;
                if (!test.Decide(totalX - part.X, totalN - part.N, normal, Strictness.Elevated, v.ShortWindow).Anomalous) return true;
            }
        }
        return false;
    }

    private void TryMerchants(DetectionFrame f, Signal s, List<Finding> into, bool[] claimed)
    {
        var d = Signals.Denominator(s);
        var x = Signals.Index(s);
        var level = f.Level(ScopeType.Merchant);
        Span<double> shortV = stackalloc double[Signals.Width];
        Span<double> longV = stackalloc double[Signals.Width];
        Span<double> recentV = stackalloc double[Signals.Width];
        for (var m = 0; m < level.Count; m++)
        {
            if (level.LongOf(m)[x] < settings.MinFailures) continue;
            var members = level.Members[m];
            shortV.Clear();
            longV.Clear();
            recentV.Clear();
            foreach (var t in members)
            {
                if (claimed[t]) continue;
                DetectionFrame.AddTo(shortV, f.Terminals.ShortOf(t));
                DetectionFrame.AddTo(longV, f.Terminals.LongOf(t));
                DetectionFrame.AddTo(recentV, _recent.Of(ScopeType.Terminal, t));
            }
            var normal = f.Normal(ScopeType.Merchant, m, s);
            if (s == Signal.PoorLink && !OwnLinkNormal(f, ScopeType.Merchant, m, members, ref normal)) continue;
            var v = test.Test(shortV, longV, s, normal, Strictness.Open, recentV);
            if (!v.Anomalous) continue;

            var affected = new List<int>();
            var worst = -1;
            var worstExcess = double.MinValue;
            foreach (var t in members)
            {
                if (claimed[t] || f.Excluded[t]) continue;
                var w = Win(f.Terminals, t, v);
                if (w[x] <= 0) continue;
                affected.Add(t);
                var excess = w[x] - w[d] * normal;
                if (excess > worstExcess) (worst, worstExcess) = (t, excess);
            }
            if (affected.Count < 2) continue; // one terminal: judged on its own below
            var top = Win(f.Terminals, worst, v);
            if (!test.Decide(v.Failures - top[x], v.Volume - top[d], normal, Strictness.Spread, v.ShortWindow).Anomalous) continue;

            foreach (var t in members) claimed[t] = true;
            var id = level.Ids[m];
            into.Add(Found(f, ScopeType.Merchant, m, id, s, v,
                [Wording.RateLine(s, v, settings), EvidencePhrase.TerminalsAffected.Write(affected.Count, members.Length)], affected));
        }
    }

    private void TryTerminals(DetectionFrame f, Signal s, List<Finding> into, bool[] claimed)
    {
        var x = Signals.Index(s);
        var terminals = f.Terminals;
        for (var t = 0; t < terminals.Count; t++)
        {
            if (claimed[t] || f.Excluded[t]) continue;
            if (s == Signal.DeviceFault && PersistentFault(f, t) is { } fault)
            {
                into.Add(DeviceStatus(f, t, fault));
                continue;
            }
            if (terminals.LongOf(t)[x] < settings.MinFailures) continue;
            var normal = f.Normal(ScopeType.Terminal, t, s);
            if (s == Signal.PoorLink && !OwnLinkNormal(f, ScopeType.Terminal, t, [t], ref normal)) continue;
            // A device's link quality and peripherals are its own: judged against what this terminal
            // itself showed (once it has a few minutes learned), not a fleet prior it may never match.
            if (Signals.IsDeviceLevel(s) && f.Baselines.Find(ScopeType.Terminal, terminals.Ids[t]) is { } own
                && own.All(Signals.Denominator(s)) >= OwnNormalMinutes)
                normal = Math.Max(normal, own.All(x) / own.All(Signals.Denominator(s)));
            var v = test.Test(terminals.ShortOf(t), terminals.LongOf(t), s, normal, Strictness.Open, _recent.Of(ScopeType.Terminal, t));
            if (!v.Anomalous) continue;
            var id = terminals.Ids[t];
            var evidence = new List<string> { Wording.RateLine(s, v, settings) };
            var merchant = f.Index.MerchantOf[t];
            if (f.Index.MerchantTerminals[merchant].Length > 1)
                evidence.Add(EvidencePhrase.OthersNormal.Write(f.Index.MerchantIds[merchant]));
            into.Add(Found(f, ScopeType.Terminal, t, id, s, v, evidence, [t]));
        }
    }

    /// <summary>
    /// Whether the scope has learned enough of its own link quality to be judged on it (see
    /// <see cref="OwnLinkHistoryMinutes"/>); if so, raises <paramref name="normal"/> to its own poor-link rate.
    /// </summary>
    private static bool OwnLinkNormal(DetectionFrame f, ScopeType type, int scope, int[] members, ref double normal)
    {
        var d = Signals.HeartbeatMinutes;
        var reporting = 0;
        foreach (var t in members)
            if (f.Terminals.LongOf(t)[d] > 0) reporting++;
        var level = f.Level(type);
        if (f.Baselines.Find(type, level.Ids[scope]) is not { } own || own.All(d) < OwnLinkHistoryMinutes * Math.Max(1, reporting)) return false;
        normal = Math.Max(normal, own.All(Signals.Index(Signal.PoorLink)) / own.All(d));
        return true;
    }

    /// <summary>
    /// The printer or scanner state the terminal has reported without a break for longer than its routine (<see cref="DeviceStates.PersistenceOf"/>)
    /// and still reports (its latest heartbeat is recent), if any. A device stating its own fault is no rate to be judged
    /// against a normal, but a paper roll changed within minutes is routine: until then it is a device notice, and only
    /// failing sales (<see cref="Signal.Print"/>, judged as a rate) open an incident sooner.
    /// </summary>
    private DeviceState? PersistentFault(DetectionFrame f, int t)
    {
        if (f.States[t] is not { LastHeartbeatAt: { } at } || f.Now - at > settings.SilenceAfter) return null;
        return Devices.Of(f.Index.TerminalIds[t]) is { } state && f.Now - state.Since >= Devices.PersistenceOf(state) ? state : null;
    }

    /// <summary>
    /// The finding of signal <paramref name="s"/> abnormal on one scope, rated and titled from its verdict. Failures
    /// concentrated on one firmware version are software, whatever the stage.
    /// </summary>
    private static Finding Found(DetectionFrame f, ScopeType type, int scope, string id, Signal s, Verdict v, List<string> evidence, List<int> affected) => new()
    {
        Cause = type == ScopeType.Firmware ? Cause.Software : Signals.CauseOf(s),
        ScopeType = type,
        Scope = scope,
        ScopeId = id,
        Signal = s,
        Rate = v.Rate,
        Surprise = v.Surprise,
        Title = Wording.Title(type, id, f.Index, s, v.Rate),
        Evidence = evidence,
        Affected = affected,
        OverRareWindow = v.Rare,
        OverLongWindow = !v.ShortWindow && !v.Rare,
    };

    /// <summary>A device's own fault (printer, scanner): not a rate, so scored and titled by its state instead.</summary>
    private static Finding DeviceStatus(DetectionFrame f, int t, DeviceState fault)
    {
        var id = f.Terminals.Ids[t];
        var minutes = (f.Now - fault.Since).TotalMinutes.ToString("0", System.Globalization.CultureInfo.InvariantCulture);
        var evidence = new List<string> { EvidencePhrase.DevicePersisted.Write($"{fault.Device} {fault.State}", Wording.Time(fault.Since), minutes) };
        var merchant = f.Index.MerchantOf[t];
        if (f.Index.MerchantTerminals[merchant].Length > 1)
            evidence.Add(EvidencePhrase.OthersNormal.Write(f.Index.MerchantIds[merchant]));
        return new Finding
        {
            Cause = Cause.Hardware,
            ScopeType = ScopeType.Terminal,
            Scope = t,
            ScopeId = id,
            Signal = Signal.DeviceFault,
            Rate = 1,
            Surprise = 0,
            Title = Wording.DeviceTitle(id, fault.Device, fault.State),
            Evidence = evidence,
            Affected = [t],
            // A device's own state has been seen long enough already: nothing wider forms from it.
            Immediate = true,
        };
    }

    /// <summary>"rollout: 3.2.1 reached 120 terminals since 08:02:10Z (from 3.2.0)", when the version is recent.</summary>
    private static string? Rollout(DetectionFrame f, string firmware)
    {
        var level = f.Level(ScopeType.Firmware);
        var since = f.Now - TimeSpan.FromDays(1);
        DateTimeOffset? first = null;
        var count = 0;
        foreach (var t in level.Members[level.IndexOf[firmware]])
        {
            if (f.States[t]?.FirmwareSince is not { } at || at < since) continue;
            count++;
            if (first is null || at < first) first = at;
        }
        if (count == 0) return null;
        var from = f.FirmwareChanges.Where(c => c.To == firmware && c.From is not null)
            .GroupBy(c => c.From).MaxBy(g => g.Count())?.Key;
        return from is null
            ? EvidencePhrase.Rollout.Write(firmware, count, Wording.Time(first!.Value))
            : EvidencePhrase.RolloutFrom.Write(firmware, count, Wording.Time(first!.Value), from);
    }

    private static void Subtract(Span<double> from, ReadOnlySpan<double> v)
    {
        for (var i = 0; i < from.Length; i++) from[i] -= v[i];
    }

    private static (double X, double N) Plus((double X, double N) a, double x, double n) => (a.X + x, a.N + n);
}
