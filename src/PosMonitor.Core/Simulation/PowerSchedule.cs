namespace PosMonitor.Core.Simulation;

/// <summary>
/// When shops trade and when their terminals are switched on, in UTC ticks. A switched-off terminal
/// comes on 5–30 minutes before the shop really opens and goes off 2–25 minutes after it really closes,
/// different each day.
/// </summary>
internal static class PowerSchedule
{
    public const long Always = long.MaxValue;

    /// <summary>The opening interval that contains <paramref name="ticks"/>, or the next one; (MinValue, Always) for a 24-hour shop.</summary>
    public static (long Open, long Close) OpeningAtOrAfter(MerchantProfile m, long ticks)
    {
        if (m.Hours is not { } hours) return (long.MinValue, Always);
        var local = TimeZoneInfo.ConvertTime(new DateTimeOffset(ticks, TimeSpan.Zero), m.Zone);
        var day = local.Date.AddDays(-1);
        for (var k = 0; k < 4; k++, day = day.AddDays(1))
        {
            var open = ToUtcTicks(day + hours.Opens.ToTimeSpan(), m.Zone);
            var close = ToUtcTicks((hours.Closes > hours.Opens ? day : day.AddDays(1)) + hours.Closes.ToTimeSpan(), m.Zone);
            if (close > ticks) return (open, close);
        }
        throw new InvalidOperationException("no opening interval found within four days");
    }

    /// <summary>
    /// When the shop really trades, in the interval that contains <paramref name="ticks"/> or the next one: its
    /// declared hours, but on some days it opens late or closes early (<see cref="BackgroundNoise.LateOpeningShare"/>,
    /// <see cref="BackgroundNoise.EarlyClosingShare"/>), by 10–60 minutes, never to less than an hour of trading.
    /// </summary>
    public static (long Open, long Close) TradingAtOrAfter(MerchantProfile m, int seed, BackgroundNoise noise, long ticks)
    {
        var (open, close) = OpeningAtOrAfter(m, ticks);
        if (m.Hours is null || noise.LateOpeningShare == 0 && noise.EarlyClosingShare == 0) return (open, close);
        while (true)
        {
            var rng = SimRandom.For(seed, "trading-day", m.Index * 100_000L + open / TimeSpan.TicksPerDay);
            var (min, max) = BackgroundNoise.OpeningDeviationMinutes;
            var late = rng.Chance(noise.LateOpeningShare) ? rng.Between(min, max) * TimeSpan.TicksPerMinute : 0;
            var early = rng.Chance(noise.EarlyClosingShare) ? rng.Between(min, max) * TimeSpan.TicksPerMinute : 0;
            var (from, to) = close - open - late - early >= TimeSpan.TicksPerHour ? (open + late, close - early) : (open, close);
            if (to > ticks) return (from, to);
            (open, close) = OpeningAtOrAfter(m, close);
        }
    }

    /// <summary>The interval the terminal is switched on that contains <paramref name="ticks"/>, or the next one (around the shop's real trading hours).</summary>
    public static (long On, long Off) PoweredAtOrAfter(TerminalProfile t, int seed, BackgroundNoise noise, long ticks)
    {
        if (t.WhenClosed != ClosedBehaviour.SwitchedOff || t.Merchant.Hours is null) return (long.MinValue, Always);
        // Start an hour back: the terminal may still be on after yesterday's closing.
        var (open, close) = TradingAtOrAfter(t.Merchant, seed, noise, ticks - TimeSpan.TicksPerHour);
        while (true)
        {
            var rng = SimRandom.For(seed, "power", t.Index * 100_000L + open / TimeSpan.TicksPerDay);
            var on = open - rng.Between(5, 30) * TimeSpan.TicksPerMinute - rng.Next(60) * TimeSpan.TicksPerSecond;
            var off = close + rng.Between(2, 25) * TimeSpan.TicksPerMinute + rng.Next(60) * TimeSpan.TicksPerSecond;
            if (off > ticks) return (on, off);
            (open, close) = TradingAtOrAfter(t.Merchant, seed, noise, close);
        }
    }

    public static bool PoweredDuring(TerminalProfile t, int seed, BackgroundNoise noise, long from, long to)
    {
        var (on, _) = PoweredAtOrAfter(t, seed, noise, from);
        return on < to;
    }

    private static long ToUtcTicks(DateTime local, TimeZoneInfo zone)
    {
        // A local time skipped by a daylight-saving change does not exist: take the hour after.
        if (zone.IsInvalidTime(local)) local = local.AddHours(1);
        return TimeZoneInfo.ConvertTimeToUtc(DateTime.SpecifyKind(local, DateTimeKind.Unspecified), zone).Ticks;
    }
}
