using PosMonitor.Core.Incidents;

namespace PosMonitor.Core.Detection;

/// <summary>
/// Terminals that stopped reporting (no heartbeat and no sale) while their merchant is open: a network
/// outage at terminal, merchant or region scope. A terminal is expected to report only when it was
/// seen during the merchant's current trading session (and recently), so closed shops, devices parked
/// for the night and devices not yet switched on after opening are not outages.
/// </summary>
internal sealed class SilenceFinder(DetectionSettings settings)
{
    /// <summary>More than this share of the whole fleet silent means our own intake stopped, not the terminals.</summary>
    private const double FleetWideShare = 0.8;

    /// <summary>How long a restart (reboot, firmware install) keeps a device off the air, heartbeats aside.</summary>
    private static readonly TimeSpan RestartAllowance = TimeSpan.FromSeconds(120);

    /// <summary>Assumed heartbeat cadence of a terminal not yet seen sending two in a row.</summary>
    private static readonly TimeSpan DefaultCadence = TimeSpan.FromSeconds(60);

    /// <summary>Terminals silent at the last <see cref="Find"/>.</summary>
    public bool[] Silent { get; private set; } = [];

    private DateTimeOffset[] _lastHeartbeat = [];
    private double[] _cadenceSec = [];

    /// <summary>
    /// Learns each terminal's heartbeat cadence from the gaps between the heartbeats it reports
    /// (gaps longer than ten minutes are power-off or sleep, not cadence).
    /// </summary>
    private void LearnCadence(DetectionFrame f)
    {
        var n = f.Index.TerminalCount;
        if (_lastHeartbeat.Length != n)
        {
            _lastHeartbeat = new DateTimeOffset[n];
            _cadenceSec = new double[n];
        }
        for (var t = 0; t < n; t++)
        {
            if (f.States[t]?.LastHeartbeatAt is not { } hb || hb <= _lastHeartbeat[t]) continue;
            var gap = (hb - _lastHeartbeat[t]).TotalSeconds;
            if (_lastHeartbeat[t] != default && gap is > 0 and < 600)
                _cadenceSec[t] = _cadenceSec[t] == 0 ? gap : 0.8 * _cadenceSec[t] + 0.2 * gap;
            _lastHeartbeat[t] = hb;
        }
    }

    /// <summary>
    /// How long a terminal going quiet on its own may be a restart: the restart itself plus a heartbeat
    /// before and after it, at the terminal's own cadence; never less than <see cref="DetectionSettings.TerminalSilenceAfter"/>.
    /// </summary>
    private TimeSpan RestartProof(int t)
    {
        var cadence = _cadenceSec.Length > t && _cadenceSec[t] > 0 ? TimeSpan.FromSeconds(_cadenceSec[t]) : DefaultCadence;
        var proof = RestartAllowance + 2 * cadence;
        return proof > settings.TerminalSilenceAfter ? proof : settings.TerminalSilenceAfter;
    }

    /// <param name="stillTracked">Terminal ids already in an open network incident: they stay expected past the lookback.</param>
    public void Find(DetectionFrame f, IReadOnlySet<string> stillTracked, List<Finding> into, List<string> problems)
    {
        LearnCadence(f);
        var index = f.Index;
        var n = index.TerminalCount;
        var expected = new bool[n];
        var silent = new bool[n];
        Silent = silent;
        var open = new bool[index.MerchantIds.Length];
        var session = new DateTimeOffset[index.MerchantIds.Length];
        for (var m = 0; m < open.Length; m++)
        {
            open[m] = index.IsOpen(m, f.Now);
            if (open[m]) session[m] = index.SessionStart(m, f.Now);
        }
        var lookbackFrom = f.Now - settings.SilenceLookback;
        int expectedCount = 0, silentCount = 0;
        for (var t = 0; t < n; t++)
        {
            var m = index.MerchantOf[t];
            if (f.Excluded[t] || !open[m] || f.States[t]?.LastSeenAt is not { } seen || seen < session[m]) continue;
            if (seen < lookbackFrom && !stillTracked.Contains(index.TerminalIds[t])) continue;
            expected[t] = true;
            expectedCount++;
            if (f.Now - seen > settings.SilenceAfter)
            {
                silent[t] = true;
                silentCount++;
            }
        }
        if (silentCount == 0) return;
        if (expectedCount >= 20 && silentCount >= FleetWideShare * expectedCount)
        {
            Array.Clear(silent);
            problems.Add($"{silentCount} of {expectedCount} terminals silent at once: telemetry intake looks stopped, silence not attributed");
            return;
        }

        var claimed = new bool[n];
        var after = $"over {settings.SilenceAfter.TotalSeconds:0} s";
        var regions = f.Level(ScopeType.Region);
        for (var r = 0; r < regions.Count; r++)
        {
            var (e, s, merchants, affected) = Count(regions.Members[r], expected, silent, claimed, index);
            if (s < 3 || merchants < 2 || s < settings.RegionSilenceShare * e) continue;
            foreach (var t in affected) claimed[t] = true;
            var id = regions.Ids[r];
            into.Add(Silence(f, ScopeType.Region, r, id, s, e, affected,
                [$"{s} of {e} reporting terminals of {merchants} merchants silent for {after} while open",
                 $"other regions: {silentCount - s} of {expectedCount - e} silent"]));
        }

        var merchantsLevel = f.Level(ScopeType.Merchant);
        for (var m = 0; m < merchantsLevel.Count; m++)
        {
            var (e, s, _, affected) = Count(merchantsLevel.Members[m], expected, silent, claimed, index);
            if (s < 2 || s < 0.5 * e) continue;
            // Part of a shop quiet may be devices restarting one after another (a rollout): only the whole
            // shop going quiet opens at once, part of it once each silent device is past a restart.
            if (s < e && affected.Any(t => f.Now - f.States[t]!.LastSeenAt!.Value <= RestartProof(t))) continue;
            foreach (var t in affected) claimed[t] = true;
            var merchant = index.Merchants[m];
            var hours = merchant?.OpeningHours is { } h ? $" ({h} {merchant.TimeZone})" : "";
            into.Add(Silence(f, ScopeType.Merchant, m, merchantsLevel.Ids[m], s, e, affected,
                [$"{s} of {e} reporting terminals silent for {after} while the merchant is open{hours}",
                 $"last seen {Wording.Time(affected.Max(t => f.States[t]!.LastSeenAt!.Value))}"]));
        }

        for (var t = 0; t < n; t++)
        {
            if (!silent[t] || claimed[t]) continue;
            var seen = f.States[t]!.LastSeenAt!.Value;
            // One device alone going quiet is most often a restart (a firmware install takes up to two
            // minutes plus a heartbeat): it must stay quiet longer than that before it is an outage.
            if (f.Now - seen <= RestartProof(t)) continue;
            var m = index.MerchantOf[t];
            into.Add(Silence(f, ScopeType.Terminal, t, index.TerminalIds[t], 1, 1, [t],
                [$"no heartbeat or sale since {Wording.Time(seen)} ({(f.Now - seen).TotalMinutes:0.0} min) while merchant {index.MerchantIds[m]} is open",
                 index.MerchantTerminals[m].Length > 1 ? "other terminals of the merchant still reporting" : "the merchant's only terminal"]));
        }
    }

    private static (int Expected, int Silent, int Merchants, List<int> Affected) Count(
        int[] members, bool[] expected, bool[] silent, bool[] claimed, FleetIndex index)
    {
        int e = 0;
        var affected = new List<int>();
        var merchants = new HashSet<int>();
        foreach (var t in members)
        {
            if (!expected[t] || claimed[t]) continue;
            e++;
            if (!silent[t]) continue;
            affected.Add(t);
            merchants.Add(index.MerchantOf[t]);
        }
        return (e, affected.Count, merchants.Count, affected);
    }

    private static Finding Silence(DetectionFrame f, ScopeType type, int scope, string id, int silent, int expected,
        List<int> affected, List<string> evidence) => new()
    {
        Cause = Cause.Network,
        ScopeType = type,
        Scope = scope,
        ScopeId = id,
        Signal = null,
        Rate = (double)silent / expected,
        Surprise = 0,
        Title = type == ScopeType.Terminal
            ? $"{Wording.Scope(type, id, f.Index)}: stopped reporting"
            : $"{Wording.Scope(type, id, f.Index)}: {silent} of {expected} terminals stopped reporting",
        Evidence = evidence,
        Affected = affected,
    };
}
