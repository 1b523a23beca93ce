namespace PosMonitor.Core.Detection;

/// <summary>
/// Detection settings, bound from the configuration section <see cref="SectionName"/> (appsettings.json,
/// or the replay's <c>--settings</c> file in the same shape). Times are "hh:mm:ss" strings there.
/// </summary>
public sealed class DetectionSettings
{
    public const string SectionName = "PosMonitor:Detection";

    /// <summary>How often the host runs <see cref="DetectionEngine.Evaluate"/>.</summary>
    public TimeSpan Interval { get; set; } = TimeSpan.FromSeconds(15);

    /// <summary>The window a busy scope is judged on; short, so faults open fast.</summary>
    public TimeSpan ShortWindow { get; set; } = TimeSpan.FromMinutes(3);

    /// <summary>The window used instead when the short one has too little traffic (quiet terminals).</summary>
    public TimeSpan LongWindow { get; set; } = TimeSpan.FromMinutes(15);

    /// <summary>
    /// How far back a shop's or terminal's input timeouts are counted, beyond the long window: a cashier's trouble
    /// fails a few sales of a quiet shop, too few for a quarter of an hour to tell from chance. Rounded to whole
    /// five minutes before the long window; zero judges them on the long window only.
    /// </summary>
    public TimeSpan RareWindow { get; set; } = TimeSpan.FromMinutes(30);

    /// <summary>Sales a scope needs in a window before its failure rate counts.</summary>
    public int MinTransactions { get; set; } = 10;

    /// <summary>Minutes with heartbeats a terminal needs before its heartbeat figures count.</summary>
    public int MinHeartbeatMinutes { get; set; } = 3;

    /// <summary>Failures a scope needs in a window before it can be anomalous at all.</summary>
    public int MinFailures { get; set; } = 3;

    /// <summary>The rate must be at least this many times the scope's normal.</summary>
    public double MinRatio { get; set; } = 3.0;

    /// <summary>The rate must also exceed the scope's normal by at least this much (0.02 = 2 points).</summary>
    public double MinExcessRate { get; set; } = 0.02;

    /// <summary>
    /// Sensitivity: −log10 of the chance that the scope's normal rate produces this many failures.
    /// 6 means "one in a million"; lower opens more incidents.
    /// </summary>
    public double MinSurprise { get; set; } = 6.0;

    /// <summary>An open incident resolves after its signal stayed normal this long (hysteresis).</summary>
    public TimeSpan QuietPeriod { get; set; } = TimeSpan.FromMinutes(10);

    /// <summary>
    /// Terminal and merchant findings must persist this long before they open, so a wider fault that
    /// is still spreading opens as one wide incident rather than many narrow ones.
    /// </summary>
    public TimeSpan NarrowConfirmation { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>
    /// The longest a printer or scanner state (paper out, jam, scanner error) waits before it opens an incident, and what a
    /// paper roll running out waits: changing it within minutes is routine, a device notice on the terminal's page, and the
    /// receipts that fail meanwhile are its own. Other states wait twice as long as the fleet lately showed them clearing
    /// on their own, at least <see cref="UnusualDevicePersistence"/>.
    /// </summary>
    public TimeSpan DevicePersistence { get; set; } = TimeSpan.FromMinutes(10);

    /// <summary>How long a device state the fleet does not show clearing on its own (a jam, say) waits before it opens.</summary>
    public TimeSpan UnusualDevicePersistence { get; set; } = TimeSpan.FromMinutes(3);

    /// <summary>A terminal of an open merchant not seen (heartbeat or sale) for this long is silent.</summary>
    public TimeSpan SilenceAfter { get; set; } = TimeSpan.FromSeconds(90);

    /// <summary>
    /// A reporting terminal counts as silent once it missed this many of its own heartbeats (its learned
    /// interval, or its last, slower one while it was asleep), and never before <see cref="SilenceAfter"/>: what a shop's or a
    /// region's silence is judged on. Two, so that two terminals of a small shop each losing one heartbeat at once is no outage.
    /// </summary>
    public double MissedHeartbeats { get; set; } = 2;

    /// <summary>
    /// A terminal silent on its own (not with its merchant or region) that may be restarting opens only after this long,
    /// and not before a restart could be over (two minutes plus two of the terminal's learned heartbeat intervals, plus a
    /// few seconds of jitter): a reboot or firmware install is not an outage. It may be restarting while a firmware
    /// rollout is under way to a version it does not run (another terminal reported one in the last half hour), when its
    /// firmware's app failures are up or its own last sales failed in the app (a crashing build), or when terminals of
    /// other merchants went quiet with it, more than the fleet usually has (a restart pushed to many, such as a
    /// rollout's first installs). With none of those, it opens once it missed its heartbeats
    /// (<see cref="MissedHeartbeats"/>, <see cref="SilenceAfter"/>). When the terminal's region kept reporting after its
    /// missed heartbeat, it opens without <see cref="NarrowConfirmation"/>.
    /// </summary>
    public TimeSpan TerminalSilenceAfter { get; set; } = TimeSpan.FromSeconds(150);

    /// <summary>
    /// A terminal quiet on its own (its shop and region still reporting) opens an incident only once its silence is
    /// improbable: no heartbeat and no sale for this many of its own heartbeat intervals, or longer when the fleet or the
    /// terminal lately showed routine gaps that long (link drops, reboots, cellular losing two heartbeats in a row).
    /// One lost heartbeat is routine; so are two, on cellular.
    /// </summary>
    public double LoneTerminalMissedHeartbeats { get; set; } = 3;

    /// <summary>
    /// Only terminals seen within this span (and, for merchants with opening hours, since today's
    /// opening) are expected to report; older silence is a parked device, not an outage.
    /// </summary>
    public TimeSpan SilenceLookback { get; set; } = TimeSpan.FromHours(2);

    /// <summary>Share of a region's reporting terminals that must fall silent for a region outage.</summary>
    public double RegionSilenceShare { get; set; } = 0.3;

    /// <summary>After a cold start (no imported baselines) the engine only learns for this long.</summary>
    public TimeSpan WarmUp { get; set; } = TimeSpan.FromMinutes(10);

    /// <summary>Minutes younger than this may still receive late events and are not learned yet.</summary>
    public TimeSpan SettleDelay { get; set; } = TimeSpan.FromMinutes(3);

    /// <summary>
    /// How much history a scope needs before its own normal outweighs the one it inherits (its
    /// merchant's, the platform's), in expected failures: with a normal of 0.5 %, 10 means 2,000 sales.
    /// </summary>
    public double PriorFailures { get; set; } = 10;

    /// <summary>How far back the input's minutes must reach.</summary>
    public TimeSpan Lookback => LongWindow + TimeSpan.FromMinutes(1);

    public IReadOnlyList<string> Validate()
    {
        var problems = new List<string>();
        if (Interval <= TimeSpan.Zero) problems.Add("Interval must be positive");
        if (ShortWindow < TimeSpan.FromMinutes(1)) problems.Add("ShortWindow must be at least one minute");
        if (LongWindow < ShortWindow) problems.Add("LongWindow must not be shorter than ShortWindow");
        if (RareWindow != TimeSpan.Zero && RareWindow < LongWindow) problems.Add("RareWindow must be zero or not shorter than LongWindow");
        if (RareWindow > TimeSpan.FromHours(2)) problems.Add("RareWindow must not be longer than two hours");
        if (MinTransactions < 1) problems.Add("MinTransactions must be at least 1");
        if (MinHeartbeatMinutes < 1) problems.Add("MinHeartbeatMinutes must be at least 1");
        if (MinFailures < 1) problems.Add("MinFailures must be at least 1");
        if (MinRatio < 1) problems.Add("MinRatio must be at least 1");
        if (MinExcessRate is < 0 or >= 1) problems.Add("MinExcessRate must be in [0, 1)");
        if (MinSurprise <= 0) problems.Add("MinSurprise must be positive");
        if (QuietPeriod < TimeSpan.Zero) problems.Add("QuietPeriod must not be negative");
        if (UnusualDevicePersistence < TimeSpan.Zero) problems.Add("UnusualDevicePersistence must not be negative");
        if (DevicePersistence < UnusualDevicePersistence) problems.Add("DevicePersistence must not be shorter than UnusualDevicePersistence");
        if (SilenceAfter <= TimeSpan.Zero) problems.Add("SilenceAfter must be positive");
        if (TerminalSilenceAfter < SilenceAfter) problems.Add("TerminalSilenceAfter must not be shorter than SilenceAfter");
        if (MissedHeartbeats < 1) problems.Add("MissedHeartbeats must be at least 1");
        if (LoneTerminalMissedHeartbeats < MissedHeartbeats) problems.Add("LoneTerminalMissedHeartbeats must not be less than MissedHeartbeats");
        if (RegionSilenceShare is <= 0 or > 1) problems.Add("RegionSilenceShare must be in (0, 1]");
        if (PriorFailures <= 0) problems.Add("PriorFailures must be positive");
        return problems;
    }
}
