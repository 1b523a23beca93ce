using System.Globalization;

namespace PosMonitor.Core.Simulation;

/// <summary>
/// The background of a real estate on an ordinary day: what happens to terminals that no fault explains and that
/// must open no incident. <see cref="Default"/> models an ordinary estate and is what every run gets unless told
/// otherwise; <see cref="None"/> turns all of it off (the clean traffic detection was first tuned on). Each kind
/// draws from its own seeded stream per terminal, so the same options give the same stream, and a fault laid on
/// top changes its own terminals and nothing of the background elsewhere. None of it is recorded in the ground
/// truth: noise is not a fault (the always-hot stores are listed as a decoy when <see cref="Decoys.HotStores"/> asks).
/// </summary>
/// <remarks>
/// Lengths are fixed by the model, the rates are the options: a link drop lasts 1–3 minutes, a paper roll is
/// changed in 1–3 minutes, a reboot leaves the terminal silent for 45–90 seconds, a skewed clock is 1–5 minutes
/// fast or slow, a late event reaches the platform 10 seconds to 2 minutes after its stamp, and a shop opens late
/// or closes early by 10–60 minutes.
/// </remarks>
public sealed record BackgroundNoise
{
    /// <summary>An ordinary estate (the defaults of every property).</summary>
    public static BackgroundNoise Default { get; } = new();

    /// <summary>No background at all: no hot store, no cancelled sale, every heartbeat on time.</summary>
    public static BackgroundNoise None { get; } = new()
    {
        LostHeartbeatRate = 0, CellularSecondLossShare = 0, LinkDropsPerDay = 0, SalesPerPaperRoll = 0, RebootsPerDay = 0,
        SkewedClockShare = 0, LateDeliveryRate = 0, RelayJitter = TimeSpan.Zero, CancelledSaleRate = 0, HotStoreShare = 0,
        LateOpeningShare = 0, EarlyClosingShare = 0,
    };

    /// <summary>
    /// Share of heartbeats lost on the way (a post given up after its retries, a relay restarting): 0.1–1% in real
    /// estates; default 0.5%. The terminal took the reading (its sequence moves on), the platform never sees it.
    /// </summary>
    public double LostHeartbeatRate { get; init; } = 0.005;

    /// <summary>
    /// On cellular, the share of lost heartbeats whose next heartbeat is lost too (the modem re-attaching to the
    /// network takes a minute): default 30%, so a cellular terminal loses about 1.3 × <see cref="LostHeartbeatRate"/>.
    /// </summary>
    public double CellularSecondLossShare { get; init; } = 0.3;

    /// <summary>
    /// Short link drops per terminal per day switched on (Wi-Fi roaming or a shop router restarting, a cell change):
    /// 0.2–2 a day in real estates; default 0.5. Each lasts 1–3 minutes: no heartbeat gets through, sales are
    /// approved offline and queued, the first heartbeat back reports them in <c>pendingOffline</c> and they follow
    /// it, late, with their own timestamps.
    /// </summary>
    public double LinkDropsPerDay { get; init; } = 0.5;

    /// <summary>
    /// Sales a printing terminal makes before its roll runs out on the cashier (most rolls are changed in time, at
    /// the coloured end stripe): 60–300 in real estates; default 150, so a busy till runs out a few times a day and a
    /// quiet one every few days; 0 never runs out.
    /// When it runs out, the sale being printed fails at the <c>print</c> stage (timeout), heartbeats say
    /// <c>paper_out</c> for the 1–3 minutes the cashier takes to change the roll, and sales meanwhile fail at print too.
    /// </summary>
    public int SalesPerPaperRoll { get; init; } = 150;

    /// <summary>
    /// Lone reboots per terminal per day switched on (a watchdog, an app update, a cashier pulling the battery),
    /// unrelated to any fault: 0.05–0.3 a day in real estates; default 0.1. The terminal is silent for 45–90 seconds
    /// and comes back with <c>uptimeSec</c> reset.
    /// </summary>
    public double RebootsPerDay { get; init; } = 0.1;

    /// <summary>
    /// Share of terminals whose clock is 1–5 minutes fast or slow (no time sync since the battery was changed):
    /// 0.5–3% in real estates; default 2%. Every timestamp they send is off by that much, in either direction.
    /// </summary>
    public double SkewedClockShare { get; init; } = 0.02;

    /// <summary>
    /// Share of events the relay (TMS, a flaky uplink, a retried post) delivers late, 10 seconds to 2 minutes after
    /// their stamp and so after later events of the same terminal: 0.1–2% in real estates; default 1%.
    /// </summary>
    public double LateDeliveryRate { get; init; } = 0.01;

    /// <summary>
    /// How long the trip to the platform takes at most for the other events (each takes a uniform share of it), so
    /// events of different terminals arrive a little out of timestamp order: default 2 seconds.
    /// </summary>
    public TimeSpan RelayJitter { get; init; } = TimeSpan.FromSeconds(2);

    /// <summary>Share of sales the cashier cancels at input (wrong amount, customer changes their mind): 0.5–2%; default 1%.</summary>
    public double CancelledSaleRate { get; init; } = 0.01;

    /// <summary>
    /// Share of small merchants (at most four tills) whose store always runs hot: 6–12% of sales time out, every day
    /// (a basement, an old router). About one shop in thirty in real estates; default 1/30. A fleet with any gets at least one.
    /// </summary>
    public double HotStoreShare { get; init; } = 1 / 30.0;

    /// <summary>
    /// Share of shops with declared opening hours that open 10–60 minutes late on a given day (their terminals come
    /// on and sell later than <c>openingHours</c> say): 2–10% in real estates; default 5%.
    /// </summary>
    public double LateOpeningShare { get; init; } = 0.05;

    /// <summary>Share of shops with declared opening hours that close 10–60 minutes early on a given day: 2–10%; default 5%.</summary>
    public double EarlyClosingShare { get; init; } = 0.05;

    internal static readonly (int Min, int Max) LinkDropSeconds = (60, 180);
    internal static readonly (int Min, int Max) PaperChangeSeconds = (60, 180);
    internal static readonly (int Min, int Max) RebootSilenceSeconds = (45, 90);
    internal static readonly (int Min, int Max) ClockSkewSeconds = (60, 300);
    internal static readonly (int Min, int Max) LateDeliveryMs = (10_000, 120_000);
    internal static readonly (int Min, int Max) OpeningDeviationMinutes = (10, 60);

    /// <summary>Events reach the platform in timestamp order: nothing delays, holds or skews them.</summary>
    internal bool InOrder => LinkDropsPerDay == 0 && SkewedClockShare == 0 && LateDeliveryRate == 0 && RelayJitter == TimeSpan.Zero;

    /// <exception cref="ArgumentException">A rate out of its range, named.</exception>
    public void Validate()
    {
        foreach (var knob in Knobs)
        {
            var value = knob.Get(this);
            if (double.IsNaN(value) || value < 0 || value > knob.Max)
                throw new ArgumentException(string.Create(CultureInfo.InvariantCulture,
                    $"background: {knob.Name} must be from 0 to {knob.Format(knob.Max)}, not {knob.Format(value)}"));
        }
    }

    /// <summary>Every setting as <c>name=value</c>, the form <see cref="Parse"/> reads ("none" when all are off).</summary>
    public override string ToString() =>
        this == None ? "none" : string.Join(",", Knobs.Select(k => $"{k.Name}={k.Format(k.Get(this))}"));

    /// <summary>The option's grammar, for <c>--help</c> and error messages.</summary>
    public static string Grammar =>
        "--background default | none | [default,|none,]NAME=VALUE[,NAME=VALUE...]   (a list starts from the default unless it starts with none)\n"
        + string.Join("\n", Knobs.Select(k => $"  {k.Name,-20} {k.Help} (default {k.Format(k.Get(Default))})"));

    /// <summary>"default", "none", "lost-heartbeats=1%,link-drops=2" (over the default) or "none,paper-roll=60" (only that).</summary>
    /// <exception cref="FormatException">An unknown name or a bad value; the message lists the names.</exception>
    public static BackgroundNoise Parse(string? text)
    {
        var parts = (text ?? "").Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        if (parts.Length == 0) throw new FormatException("background: give default, none or NAME=VALUE pairs");
        var result = Default;
        for (var i = 0; i < parts.Length; i++)
        {
            var part = parts[i].ToLowerInvariant();
            if (i == 0 && part is "default" or "none")
            {
                result = part == "none" ? None : Default;
                continue;
            }
            var eq = part.IndexOf('=');
            var name = eq < 0 ? part : part[..eq];
            var knob = Knobs.FirstOrDefault(k => k.Name == name)
                ?? throw new FormatException($"background: unknown setting '{parts[i]}'; settings are {string.Join(", ", Knobs.Select(k => k.Name))} (default or none only first)");
            if (eq < 0) throw new FormatException($"background: '{parts[i]}' needs a value, e.g. {knob.Name}={knob.Format(knob.Get(Default))}");
            var value = knob.ParseValue(part[(eq + 1)..]) ?? throw new FormatException($"background: '{parts[i]}': {knob.Help}");
            result = knob.With(result, value);
        }
        try
        {
            result.Validate();
        }
        catch (ArgumentException e)
        {
            throw new FormatException(e.Message, e);
        }
        return result;
    }

    private enum Unit { Share, PerDay, Count, Duration }

    private sealed record Knob(string Name, Unit Unit, double Max, string Help, Func<BackgroundNoise, double> Get, Func<BackgroundNoise, double, BackgroundNoise> With)
    {
        /// <summary>The value as <see cref="ParseValue"/> reads it back exactly (a share that is no short percentage, 1/30, as a fraction).</summary>
        public string Format(double value)
        {
            var inv = CultureInfo.InvariantCulture;
            switch (Unit)
            {
                case Unit.Share:
                    var percent = (value * 100).ToString("0.###", inv);
                    return double.Parse(percent, inv) / 100 == value ? percent + "%" : value.ToString("R", inv);
                case Unit.Duration:
                    var ms = Math.Round(value * 1000);
                    return ms % 1000 == 0 ? (ms / 1000).ToString(inv) + "s" : ms.ToString(inv) + "ms";
                default:
                    return value.ToString("R", inv);
            }
        }

        public double? ParseValue(string text)
        {
            if (Unit == Unit.Duration)
                return FaultSpec.TryDuration(text, out var d) ? d.TotalSeconds : null;
            var percent = text.EndsWith('%');
            if (percent && Unit != Unit.Share) return null;
            if (!double.TryParse(percent ? text[..^1] : text, NumberStyles.Float, CultureInfo.InvariantCulture, out var v)) return null;
            if (Unit == Unit.Count && v != Math.Floor(v)) return null;
            return percent ? v / 100 : v;
        }
    }

    private static readonly Knob[] Knobs =
    [
        new("lost-heartbeats", Unit.Share, 1, "share of heartbeats lost, e.g. 0.5%",
            n => n.LostHeartbeatRate, (n, v) => n with { LostHeartbeatRate = v }),
        new("cellular-second-loss", Unit.Share, 1, "share of a cellular terminal's lost heartbeats followed by a second, e.g. 30%",
            n => n.CellularSecondLossShare, (n, v) => n with { CellularSecondLossShare = v }),
        new("link-drops", Unit.PerDay, 48, "1-3 min link drops per terminal per day switched on, e.g. 0.5",
            n => n.LinkDropsPerDay, (n, v) => n with { LinkDropsPerDay = v }),
        new("paper-roll", Unit.Count, 100_000, "sales before a paper roll runs out (0: never), e.g. 150",
            n => n.SalesPerPaperRoll, (n, v) => n with { SalesPerPaperRoll = (int)v }),
        new("reboots", Unit.PerDay, 48, "lone reboots per terminal per day switched on, e.g. 0.1",
            n => n.RebootsPerDay, (n, v) => n with { RebootsPerDay = v }),
        new("skewed-clocks", Unit.Share, 1, "share of terminals whose clock is 1-5 min off, e.g. 2%",
            n => n.SkewedClockShare, (n, v) => n with { SkewedClockShare = v }),
        new("late-delivery", Unit.Share, 1, "share of events delivered 10 s-2 min late, e.g. 1%",
            n => n.LateDeliveryRate, (n, v) => n with { LateDeliveryRate = v }),
        new("relay-jitter", Unit.Duration, 60, "longest trip of the other events, e.g. 2s or 500ms",
            n => n.RelayJitter.TotalSeconds, (n, v) => n with { RelayJitter = TimeSpan.FromSeconds(v) }),
        new("cancelled", Unit.Share, 0.5, "share of sales cancelled by the cashier, e.g. 1%",
            n => n.CancelledSaleRate, (n, v) => n with { CancelledSaleRate = v }),
        new("hot-stores", Unit.Share, 1, "share of small merchants that always run hot, e.g. 3.3%",
            n => n.HotStoreShare, (n, v) => n with { HotStoreShare = v }),
        new("late-opening", Unit.Share, 1, "share of shops opening 10-60 min late on a day, e.g. 5%",
            n => n.LateOpeningShare, (n, v) => n with { LateOpeningShare = v }),
        new("early-closing", Unit.Share, 1, "share of shops closing 10-60 min early on a day, e.g. 5%",
            n => n.EarlyClosingShare, (n, v) => n with { EarlyClosingShare = v }),
    ];
}
