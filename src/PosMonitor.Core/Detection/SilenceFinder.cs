using System.Globalization;
using PosMonitor.Core.Incidents;

namespace PosMonitor.Core.Detection;

/// <summary>
/// Terminals that stopped reporting (no heartbeat and no sale) while their merchant is open: a network
/// outage at terminal, merchant or region scope. A terminal is expected to report only when it was
/// seen during the merchant's current trading session (and recently), so closed shops, devices parked
/// for the night and devices not yet switched on after opening are not outages.
/// </summary>
internal sealed class SilenceFinder(DetectionSettings settings, AnomalyTest test)
{
    /// <summary>More than this share of the whole fleet silent means our own intake stopped, not the terminals.</summary>
    private const double FleetWideShare = 0.8;

    /// <summary>How long a restart (reboot, firmware install) keeps a device off the air, heartbeats aside.</summary>
    private static readonly TimeSpan RestartAllowance = TimeSpan.FromSeconds(120);

    /// <summary>Assumed heartbeat cadence of a terminal not yet seen sending two in a row.</summary>
    private static readonly TimeSpan DefaultCadence = TimeSpan.FromSeconds(60);

    /// <summary>Slack on top of the missed heartbeats, for clock jitter and the evaluation tick.</summary>
    private static readonly TimeSpan HeartbeatSlack = TimeSpan.FromSeconds(10);

    /// <summary>Terminals of the region that must have reported since a terminal fell quiet for it to be alone.</summary>
    private const int RegionWitnesses = 3;

    /// <summary>
    /// How long after a terminal last reported a new firmware version a rollout counts as under way: terminals
    /// not on that version yet may be the next to restart for it.
    /// </summary>
    private static readonly TimeSpan RolloutMemory = TimeSpan.FromMinutes(30);

    /// <summary>
    /// How fast the fleet's usual number of quiet merchants (<see cref="_quietUsual"/>) follows a rise and a fall: slowly up,
    /// quickly down, so it tracks what the fleet shows most of the time and a burst (a lossy region, a rollout) is not usual.
    /// </summary>
    private static readonly TimeSpan QuietUsualRise = TimeSpan.FromHours(6), QuietUsualFall = TimeSpan.FromMinutes(15);

    /// <summary>
    /// How long the routine gaps the fleet and each terminal showed (heartbeats missed, then back on their own, with no
    /// incident) are remembered: they say how long a lone terminal may be quiet before its silence is improbable.
    /// </summary>
    private static readonly TimeSpan RoutineGapMemory = TimeSpan.FromHours(6);

    /// <summary>
    /// The longest routine gap that raises how long a lone terminal may be quiet: a link drop or a reboot is over within a
    /// few minutes whatever the terminal's heartbeat interval; a longer gap that ended on its own is not taken as routine.
    /// </summary>
    private static readonly TimeSpan LongestRoutineGap = TimeSpan.FromMinutes(5);

    /// <summary>
    /// A shop that shuts a little before its declared closing time is not an outage: in this last stretch of its
    /// hours, its terminals going quiet (all of them or one) opens nothing; a region's silence still does.
    /// </summary>
    private static readonly TimeSpan EarlyClosing = TimeSpan.FromMinutes(60);

    /// <summary>Routine gaps seen, oldest first: when each ended, the terminal, and its length in seconds.</summary>
    private readonly Queue<(DateTimeOffset At, int Terminal, double Seconds)> _routineGaps = new();
    private double _fleetRoutineMax;
    private readonly Dictionary<int, double> _ownRoutineMax = [];
    /// <summary>Terminals with two long gaps of their own within <see cref="FlappingMemory"/>.</summary>
    private readonly HashSet<int> _flapping = [];

    /// <summary>A terminal with two long gaps of its own this close together is flapping, not showing routine loss.</summary>
    private static readonly TimeSpan FlappingMemory = TimeSpan.FromMinutes(30);

    /// <summary>Terminals silent at the last <see cref="Find"/>.</summary>
    public bool[] Silent { get; private set; } = [];

    private DateTimeOffset[] _lastHeartbeat = [];
    /// <summary>
    /// How far behind the check each terminal's newest heartbeat's stamp was when it was first seen (seconds; NaN until one
    /// was): a clock minutes slow (or fast) shows as a steady lag, and its stamps are taken as that much later (or earlier).
    /// </summary>
    private double[] _lagSec = [];
    /// <summary>When each terminal was last heard from, its clock's skew taken out (this check's; see <see cref="Seen"/>).</summary>
    private DateTimeOffset?[] _seen = [];

    /// <summary>A steady lag over this is a clock that is off, not delivery or the check's interval.</summary>
    private const double SkewedClockSec = 30;
    private double[] _cadenceSec = [];
    /// <summary>Each terminal's cadence as its minutes show it, while <see cref="_cadenceSec"/> is not learned (see <see cref="EstimateUnlearnedCadences"/>).</summary>
    private double[] _firstCadenceSec = [];
    private double[] _lastGapSec = [];
    /// <summary>Versions terminals moved to (a rollout, or the rollback of one), with the last time one did.</summary>
    private readonly Dictionary<string, DateTimeOffset> _rollouts = new(StringComparer.Ordinal);
    /// <summary>How many merchants usually have a terminal quiet (past a missed heartbeat, within a restart's time) at once.</summary>
    private double _quietUsual;
    private DateTimeOffset? _quietUsualAt;

    /// <summary>Follows the fleet's usual count of quiet merchants (exponentially weighted, see <see cref="QuietUsualRise"/>).</summary>
    private void LearnQuietUsual(DateTimeOffset now, int count)
    {
        if (_quietUsualAt is { } at && now > at)
        {
            var span = count > _quietUsual ? QuietUsualRise : QuietUsualFall;
            var w = 1 - Math.Exp(-(now - at).TotalSeconds / span.TotalSeconds);
            _quietUsual += w * (count - _quietUsual);
        }
        _quietUsualAt = now;
    }

    /// <summary>Remembers which versions terminals are moving to, and forgets rollouts quiet for <see cref="RolloutMemory"/>.</summary>
    private void LearnRollouts(DetectionFrame f)
    {
        foreach (var change in f.FirmwareChanges)
        {
            if (change.From is null || change.From == change.To) continue;
            if (!_rollouts.TryGetValue(change.To, out var at) || change.At > at) _rollouts[change.To] = change.At;
        }
        foreach (var version in _rollouts.Where(kv => f.Now - kv.Value > RolloutMemory).Select(kv => kv.Key).ToList())
            _rollouts.Remove(version);
    }

    /// <summary>
    /// Why the terminal may be restarting rather than cut off, if anything says so: a rollout under way to a version
    /// it does not run yet (an install restarts it), app failures on its firmware (a crashing build) or on its own last
    /// sales, or unrelated terminals going quiet with it (a pushed restart).
    /// Silence nothing explains is an outage as soon as heartbeats are missed.
    /// </summary>
    /// <param name="quietMerchants">Merchants with a terminal quiet, for a wave of restarts; null to leave waves out.</param>
    private string? RestartReason(DetectionFrame f, int t, bool[] crashing, HashSet<int>? quietMerchants)
    {
        var firmware = f.Level(ScopeType.Firmware);
        var version = firmware.Ids[firmware.Of[t]];
        foreach (var (to, at) in _rollouts)
            if (to != version) return EvidencePhrase.RestartRollout.Write(to, Wording.Time(at));
        if (crashing[firmware.Of[t]]) return EvidencePhrase.RestartCrashingFirmware.Write(version);
        // The short window reaches back past the last sales it made before it fell quiet: one failed in the app (a crash).
        if (f.Terminals.ShortOf(t)[Signals.Index(Signal.App)] > 0) return EvidencePhrase.RestartOwnCrash.Write();
        if (quietMerchants is not null && Wave(f.Index.MerchantOf[t], quietMerchants) is var others and > 0)
            return EvidencePhrase.RestartWave.Write(others);
        return null;
    }

    /// <summary>
    /// How many other merchants than <paramref name="m"/> have a terminal quiet, when that is more than the fleet
    /// usually has (over twice its usual count, plus one); else 0.
    /// </summary>
    private int Wave(int m, HashSet<int> quietMerchants) => OthersQuiet(m, quietMerchants) is var others && others >= 2 * _quietUsual + 1 ? others : 0;

    /// <summary>Merchants other than <paramref name="m"/> with a terminal quiet.</summary>
    private static int OthersQuiet(int m, HashSet<int> quietMerchants) => quietMerchants.Count - (quietMerchants.Contains(m) ? 1 : 0);

    /// <summary>
    /// Merchants with a terminal that missed its heartbeat no longer ago than a restart lasts. Unrelated terminals
    /// across the fleet going quiet together are restarts pushed to them (the first installs of a rollout, before any
    /// has come back to report its new version), not outages that happen to coincide.
    /// </summary>
    private HashSet<int> QuietMerchants(DetectionFrame f, bool[] expected)
    {
        var merchants = new HashSet<int>();
        for (var t = 0; t < expected.Length; t++)
        {
            if (!expected[t]) continue;
            var quiet = f.Now - Seen(t)!.Value;
            if (quiet > ExpectedGap(t) + HeartbeatSlack && quiet <= RestartProof(t)) merchants.Add(f.Index.MerchantOf[t]);
        }
        return merchants;
    }

    /// <summary>Firmware versions whose app failures are above their normal (the relaxed test): a build that may crash terminals.</summary>
    private bool[] Crashing(DetectionFrame f)
    {
        var level = f.Level(ScopeType.Firmware);
        var crashing = new bool[level.Count];
        for (var i = 0; i < level.Count; i++)
            crashing[i] = test.Test(level.ShortOf(i), level.LongOf(i), Signal.App, f.Normal(ScopeType.Firmware, i, Signal.App), Strictness.Elevated).Anomalous;
        return crashing;
    }

    /// <summary>
    /// Learns each terminal's heartbeat cadence from the gaps between the heartbeats it reports (a gap of more
    /// than twice the cadence is a missed heartbeat or sleep, not cadence), remembers its last gap (a device
    /// asleep while the shop was closed keeps its slow schedule until its next heartbeat).
    /// </summary>
    private void LearnCadence(DetectionFrame f, IReadOnlySet<string> tracked, bool[] open)
    {
        var n = f.Index.TerminalCount;
        if (_lastHeartbeat.Length != n)
        {
            _lastHeartbeat = new DateTimeOffset[n];
            _cadenceSec = new double[n];
            _lastGapSec = new double[n];
            _lagSec = new double[n];
            Array.Fill(_lagSec, double.NaN);
        }
        for (var t = 0; t < n; t++)
        {
            if (f.States[t]?.LastHeartbeatAt is not { } hb || hb <= _lastHeartbeat[t]) continue;
            // The lowest lag is the clock's (delivery and the check only add to it); a rise is followed slowly.
            var lag = (f.Now - hb).TotalSeconds;
            _lagSec[t] = double.IsNaN(_lagSec[t]) || lag < _lagSec[t] ? lag : _lagSec[t] + 0.2 * (lag - _lagSec[t]);
            var gap = (hb - _lastHeartbeat[t]).TotalSeconds;
            if (_lastHeartbeat[t] != default && gap > 0)
            {
                // A gap of two or more missed heartbeats that ended on its own while the shop trades, with no incident open
                // for the terminal, is routine for this fleet (a link drop, a reboot, cellular losing two in a row).
                var intervals = _cadenceSec[t] > 0 ? gap / _cadenceSec[t] : 0;
                if (intervals >= 2.5 && gap <= LongestRoutineGap.TotalSeconds && open[f.Index.MerchantOf[t]]
                    && !tracked.Contains(f.Index.TerminalIds[t]))
                    _routineGaps.Enqueue((hb, t, gap));
                _lastGapSec[t] = gap;
                var c = _cadenceSec[t];
                if (c == 0) _cadenceSec[t] = gap < 600 ? gap : 0;
                else if (gap <= 2 * c) _cadenceSec[t] = (gap < c ? 0.5 : 0.8) * c + (gap < c ? 0.5 : 0.2) * gap;
            }
            _lastHeartbeat[t] = hb;
        }
    }

    /// <summary>
    /// Forgets routine gaps older than <see cref="RoutineGapMemory"/> and takes the longest left, fleet-wide: the longest of the
    /// second-longest terminal's, so one flaky device does not slow down every other terminal's detection.
    /// </summary>
    private void LearnRoutineGaps(DateTimeOffset now)
    {
        while (_routineGaps.TryPeek(out var g) && now - g.At > RoutineGapMemory) _routineGaps.Dequeue();
        _ownRoutineMax.Clear();
        _flapping.Clear();
        var recent = new HashSet<int>();
        foreach (var (at, t, seconds) in _routineGaps)
        {
            _ownRoutineMax[t] = Math.Max(_ownRoutineMax.GetValueOrDefault(t), seconds);
            // A second long gap of its own within the flapping memory: its link comes and goes.
            if (now - at <= FlappingMemory && !recent.Add(t)) _flapping.Add(t);
        }
        var longest = _ownRoutineMax.Values.OrderDescending().Take(2).ToList();
        _fleetRoutineMax = longest.Count == 2 ? longest[1] : 0;
    }

    /// <summary>
    /// How long a terminal quiet on its own may stay so before its silence is improbable:
    /// <see cref="DetectionSettings.LoneTerminalMissedHeartbeats"/> of its heartbeat intervals, or, when longer, the longest
    /// routine gap the fleet showed lately (its second-longest terminal's, at most <see cref="LongestRoutineGap"/>) and one
    /// interval (where in its cycle the drop began): lost heartbeats count in intervals, but a link drop or a reboot lasts
    /// minutes whatever the interval. Never less than <see cref="DetectionSettings.TerminalSilenceAfter"/>. A terminal that fell
    /// quiet that long twice within <see cref="FlappingMemory"/> is not showing the fleet's routine but a link coming and going:
    /// it waits only the base count.
    /// </summary>
    private TimeSpan LoneSilentAfter(int t)
    {
        var wait = LoneBase(t);
        if (!_flapping.Contains(t) && TimeSpan.FromSeconds(_fleetRoutineMax) + ExpectedGap(t) + HeartbeatSlack is var routine && routine > wait) wait = routine;
        return wait > settings.TerminalSilenceAfter ? wait : settings.TerminalSilenceAfter;
    }

    /// <summary><see cref="DetectionSettings.LoneTerminalMissedHeartbeats"/> of the terminal's expected heartbeat gaps, and slack.</summary>
    private TimeSpan LoneBase(int t) => settings.LoneTerminalMissedHeartbeats * ExpectedGap(t) + HeartbeatSlack;

    /// <summary>Whether terminal <paramref name="t"/> missed <see cref="DetectionSettings.LoneTerminalMissedHeartbeats"/> of its heartbeats.</summary>
    private bool PastLoneBase(DetectionFrame f, int t) => f.Now - Seen(t)!.Value > LoneBase(t);

    /// <summary>When terminal <paramref name="t"/> was last heard from, as the platform's clock has it (its own clock's skew taken out).</summary>
    private DateTimeOffset? Seen(int t) => _seen.Length > t ? _seen[t] : null;

    private void TakeSkewOut(DetectionFrame f)
    {
        if (_seen.Length != f.States.Length) _seen = new DateTimeOffset?[f.States.Length];
        for (var t = 0; t < _seen.Length; t++)
        {
            var lag = _lagSec.Length > t ? _lagSec[t] : double.NaN;
            _seen[t] = f.States[t]?.LastSeenAt is { } at && Math.Abs(lag) > SkewedClockSec ? at + TimeSpan.FromSeconds(lag) : f.States[t]?.LastSeenAt;
        }
    }

    private TimeSpan Cadence(int t) =>
        _cadenceSec.Length > t && _cadenceSec[t] > 0 ? TimeSpan.FromSeconds(_cadenceSec[t])
        : _firstCadenceSec.Length > t && _firstCadenceSec[t] > 0 ? TimeSpan.FromSeconds(_firstCadenceSec[t])
        : DefaultCadence;

    /// <summary>
    /// Until this engine has seen two of a terminal's heartbeats (after it starts, takes detection over from another node,
    /// or the fleet changes), the cadence its minutes show: the span the long window's minutes cover over the minutes with
    /// a heartbeat in them, never under <see cref="DefaultCadence"/>. A till asleep in a shop that opens late beats every
    /// few minutes; taken at the default minute, each such till opened "stopped reporting" a few minutes after a start.
    /// </summary>
    private void EstimateUnlearnedCadences(DetectionFrame f, DateTimeOffset? dataSince)
    {
        var n = f.Index.TerminalCount;
        if (_firstCadenceSec.Length != n) _firstCadenceSec = new double[n];
        var from = f.Now - settings.LongWindow;
        if (dataSince > from) from = dataSince.Value;
        var covered = (f.Now - from).TotalSeconds;
        for (var t = 0; t < n; t++)
        {
            var minutes = _cadenceSec[t] > 0 ? 0 : f.Terminals.LongOf(t)[Signals.HeartbeatMinutes];
            _firstCadenceSec[t] = minutes >= 1 ? Math.Max(DefaultCadence.TotalSeconds, covered / minutes) : 0;
        }
    }

    /// <summary>The wait for the terminal's next heartbeat: its cadence, or its last gap when that was a slow (sleeping) one.</summary>
    private TimeSpan ExpectedGap(int t)
    {
        var cadence = Cadence(t);
        var last = _lastGapSec.Length > t ? TimeSpan.FromSeconds(_lastGapSec[t]) : TimeSpan.Zero;
        return last > 1.5 * cadence ? last : cadence;
    }

    /// <summary>
    /// How long a reporting terminal may stay quiet before it counts as silent: <see cref="DetectionSettings.MissedHeartbeats"/>
    /// of its own expected heartbeat gaps, never less than <see cref="DetectionSettings.SilenceAfter"/>.
    /// </summary>
    private TimeSpan SilentAfter(int t)
    {
        var wait = settings.MissedHeartbeats * ExpectedGap(t) + HeartbeatSlack;
        return wait > settings.SilenceAfter ? wait : settings.SilenceAfter;
    }

    /// <summary>
    /// How long a terminal going quiet on its own may still be a restart: a firmware install or a crash starts up
    /// to one of its heartbeat intervals after its last heartbeat, keeps it off the air for up to
    /// <see cref="RestartAllowance"/>, and its first heartbeat after comes up to another interval later (a jittered
    /// heartbeat just before the device is back is lost). Plus slack for jitter; never less than
    /// <see cref="DetectionSettings.TerminalSilenceAfter"/>.
    /// </summary>
    private TimeSpan RestartProof(int t)
    {
        var proof = RestartAllowance + 2 * Cadence(t) + HeartbeatSlack;
        return proof > settings.TerminalSilenceAfter ? proof : settings.TerminalSilenceAfter;
    }

    /// <param name="dataSince">The oldest minute of the lookback the engine holds (null: none): how far back its minutes go.</param>
    /// <param name="stillTracked">Terminal ids already in an open network incident: they stay expected past the lookback.</param>
    public void Find(DetectionFrame f, DateTimeOffset? dataSince, IReadOnlySet<string> stillTracked, List<Finding> into, List<string> problems)
    {
        var index = f.Index;
        var n = index.TerminalCount;
        var open = new bool[index.MerchantIds.Length];
        var session = new DateTimeOffset[index.MerchantIds.Length];
        index.OpenNow(f.Now, open, session);
        LearnCadence(f, stillTracked, open);
        EstimateUnlearnedCadences(f, dataSince);
        TakeSkewOut(f);
        LearnRoutineGaps(f.Now);
        LearnRollouts(f);
        var expected = new bool[n];
        var silent = new bool[n];
        Silent = silent;
        var lookbackFrom = f.Now - settings.SilenceLookback;
        int expectedCount = 0, silentCount = 0;
        for (var t = 0; t < n; t++)
        {
            var m = index.MerchantOf[t];
            if (f.Excluded[t] || !open[m] || Seen(t) is not { } seen || seen < session[m]) continue;
            if (seen < lookbackFrom && !stillTracked.Contains(index.TerminalIds[t])) continue;
            expected[t] = true;
            expectedCount++;
            if (f.Now - seen > SilentAfter(t))
            {
                silent[t] = true;
                silentCount++;
            }
        }
        var quietMerchants = QuietMerchants(f, expected);
        LearnQuietUsual(f.Now, quietMerchants.Count);
        if (silentCount == 0) return;
        if (expectedCount >= 20 && silentCount >= FleetWideShare * expectedCount)
        {
            Array.Clear(silent);
            problems.Add($"{silentCount} of {expectedCount} terminals silent at once: telemetry intake looks stopped, silence not attributed");
            return;
        }

        var claimed = new bool[n];
        var crashing = Crashing(f);
        var after = settings.SilenceAfter.TotalSeconds.ToString("0", CultureInfo.InvariantCulture);
        var regions = f.Level(ScopeType.Region);
        for (var r = 0; r < regions.Count; r++)
        {
            var (e, s, merchants, affected) = Count(regions.Members[r], expected, silent, claimed, index);
            if (s < 3 || merchants < 2 || s < settings.RegionSilenceShare * e) continue;
            foreach (var t in affected) claimed[t] = true;
            var id = regions.Ids[r];
            into.Add(Silence(f, ScopeType.Region, r, id, s, e, affected,
                [EvidencePhrase.RegionSilent.Write(s, e, merchants, after),
                 EvidencePhrase.OtherRegionsSilent.Write(silentCount - s, expectedCount - e)]));
        }

        var merchantsLevel = f.Level(ScopeType.Merchant);
        for (var m = 0; m < merchantsLevel.Count; m++)
        {
            var (e, s, _, affected) = Count(merchantsLevel.Members[m], expected, silent, claimed, index);
            if (s < e)
            {
                // Part of a shop quiet while the rest reports: its link is up, and each quiet till is quiet on its own. Two
                // heartbeats lost in a row is routine on cellular, and two tills of a busy shop doing so at once is no
                // outage (seed 7: two of four, each two heartbeats short, overlapping): each must have missed as many as a
                // lone terminal's base count before the shop's finding counts it.
                affected.RemoveAll(t => !PastLoneBase(f, t));
                s = affected.Count;
            }
            if (s < 2 || s < 0.5 * e || ClosingSoon(f, m)) continue;
            // A quiet device a restart could explain (a rollout under way, a crashing build, a wave of restarts) may be
            // installing or rebooting: the shop opens once each such device is past a restart. Part of a shop quiet may be
            // devices restarting one after another; a small shop's whole may be one restarting while the other's link
            // drops for a minute or two (seed 5: a two-till shop, one installing a rollout's version, the other's cellular
            // link out, both back within three minutes), which a large estate's rollout meets hundreds of times.
            // Other shops quiet with it (a wave) says nothing of a whole shop, which is quiet together for a reason of its own.
            var wave = s < e ? quietMerchants : null;
            if (affected.Any(t => f.Now - Seen(t)!.Value <= RestartProof(t) && RestartReason(f, t, crashing, wave) is not null)) continue;
            foreach (var t in affected) claimed[t] = true;
            var merchant = index.Merchants[m];
            var hours = merchant?.OpeningHours is { } h ? $" ({h} {merchant.TimeZone})" : "";
            var finding = Silence(f, ScopeType.Merchant, m, merchantsLevel.Ids[m], s, e, affected,
                [EvidencePhrase.MerchantSilent.Write(s, e, after, hours),
                 EvidencePhrase.LastSeen.Write(Wording.Time(affected.Max(t => f.States[t]!.LastSeenAt!.Value)))]);
            finding.Immediate = Alone(f, m, affected, affected.Max(t => Seen(t)!.Value + ExpectedGap(t)), expected, silent);
            into.Add(finding);
        }

        for (var t = 0; t < n; t++)
        {
            if (!silent[t] || claimed[t]) continue;
            var seen = Seen(t)!.Value;
            var m = index.MerchantOf[t];
            if (f.Now - seen <= LoneSilentAfter(t) || ClosingSoon(f, m)) continue;
            // A till of its shop quiet too but not for long enough yet: in a moment the two are one shop finding, or both
            // are back (no longer than that till's base count of heartbeats).
            if (index.MerchantTerminals[m].Any(o => o != t && silent[o] && !claimed[o] && !PastLoneBase(f, o))) continue;
            // One device alone going quiet may be restarting (a firmware install or a crash): when something says it
            // may be, it must stay quiet longer than a restart can last at its own heartbeat interval before it is an outage.
            var restart = RestartReason(f, t, crashing, quietMerchants);
            if (restart is not null && f.Now - seen <= RestartProof(t)) continue;
            var others = index.MerchantTerminals[m].Count(o => o != t && expected[o]);
            var merchantNote = (others > 0 ? EvidencePhrase.OthersReporting
                : index.MerchantTerminals[m].Length > 1 ? EvidencePhrase.OnlyOneToday : EvidencePhrase.OnlyOne).Write();
            var evidence = new List<string>
            {
                EvidencePhrase.TerminalSilent.Write(Wording.Time(seen), (f.Now - seen).TotalMinutes.ToString("0.0", CultureInfo.InvariantCulture), index.MerchantIds[m]),
                merchantNote,
                restart is null
                    ? EvidencePhrase.NotARestart.Write()
                    : EvidencePhrase.OutlastedRestart.Write(Cadence(t).TotalSeconds.ToString("0", CultureInfo.InvariantCulture), restart),
            };
            var finding = Silence(f, ScopeType.Terminal, t, index.TerminalIds[t], 1, 1, [t], evidence);
            // Another shop's terminal quiet as well may be the start of a wave of restarts: then confirm first.
            finding.Immediate = Alone(f, m, [t], seen + ExpectedGap(t), expected, silent)
                && OthersQuiet(m, quietMerchants) <= _quietUsual;
            into.Add(finding);
        }
    }

    /// <summary>
    /// Whether the quiet terminals of merchant <paramref name="m"/> fell quiet on their own: terminals of their
    /// region (and of their shop, if it has others reporting) were heard from after their next heartbeat was due.
    /// Then no wider outage is forming, and the finding need not wait for one (<see cref="DetectionSettings.NarrowConfirmation"/>).
    /// </summary>
    private bool Alone(DetectionFrame f, int m, List<int> quiet, DateTimeOffset due, bool[] expected, bool[] silent)
    {
        var index = f.Index;
        var mates = index.MerchantTerminals[m].Where(o => !quiet.Contains(o) && expected[o]).ToList();
        if (mates.Count > 0 && !mates.Any(o => Seen(o) > due)) return false;
        var regions = quiet.Select(t => index.RegionOf[t]).Distinct();
        foreach (var r in regions)
        {
            var witnesses = 0;
            foreach (var o in f.Level(ScopeType.Region).Members[r])
            {
                if (!expected[o] || silent[o] || index.MerchantOf[o] == m || !(Seen(o) > due)) continue;
                if (++witnesses >= RegionWitnesses) break;
            }
            if (witnesses < RegionWitnesses) return false;
        }
        return true;
    }

    /// <summary>Whether merchant <paramref name="m"/> is in the last <see cref="EarlyClosing"/> of its declared hours.</summary>
    private static bool ClosingSoon(DetectionFrame f, int m) => !f.Index.IsOpen(m, f.Now + EarlyClosing);

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
        Title = Wording.SilenceTitle(type, id, f.Index, silent, expected),
        Evidence = evidence,
        Affected = affected,
    };
}
