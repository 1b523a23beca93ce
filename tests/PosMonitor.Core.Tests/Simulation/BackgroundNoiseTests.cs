using System.Globalization;
using PosMonitor.Core.Detection;
using PosMonitor.Core.Replay;
using PosMonitor.Core.Simulation;
using PosMonitor.Core.Telemetry;
using static PosMonitor.Core.Tests.Simulation.SimulationRuns;

namespace PosMonitor.Core.Tests.Simulation;

/// <summary>
/// Each kind of background appears at about its configured rate in a seeded run (300 terminals, 10:00 to 16:00
/// Shanghai time), alone with everything else off so it can be counted, and none of it with the switch off.
/// </summary>
public class BackgroundNoiseTests
{
    private static readonly TimeSpan SixHours = TimeSpan.FromHours(6);

    private static SimulationOptions Options(BackgroundNoise noise, params string[] faults) =>
        SimulationRuns.Options(faults) with { Duration = SixHours, Background = noise };

    private static (Simulator Simulator, List<SimulatedEvent> Events) RunWith(BackgroundNoise noise, params string[] faults)
    {
        var simulator = new Simulator(Options(noise, faults));
        return (simulator, simulator.Events().ToList());
    }

    private static readonly Lazy<(Simulator Simulator, List<SimulatedEvent> Events)> Quiet = new(() => RunWith(BackgroundNoise.None));

    /// <summary>Terminal-days switched on in the run: each terminal from its first heartbeat to its last, without the background.</summary>
    private static double PoweredDays() => Quiet.Value.Events.Heartbeats().GroupBy(h => h.TerminalId)
        .Sum(g => (g.Max(h => h.Timestamp) - g.Min(h => h.Timestamp)).TotalDays);

    private static long Sequence(Heartbeat h) => long.Parse(h.EventId[(h.EventId.LastIndexOf(".h", StringComparison.Ordinal) + 2)..], CultureInfo.InvariantCulture);

    /// <summary>Per terminal, each run of heartbeats it took but the platform never received: (heartbeat before, heartbeat after, how many missing).</summary>
    private static List<(Heartbeat Before, Heartbeat After, long Missing)> Holes(IEnumerable<SimulatedEvent> events) => events.Heartbeats()
        .GroupBy(h => h.TerminalId)
        .SelectMany(g =>
        {
            var beats = g.OrderBy(Sequence).ToList();
            return beats.Zip(beats.Skip(1)).Where(p => Sequence(p.Second) - Sequence(p.First) > 1)
                .Select(p => (p.First, p.Second, Sequence(p.Second) - Sequence(p.First) - 1));
        })
        .ToList();

    private static Dictionary<string, TerminalProfile> Terminals(Simulator sim) => sim.Fleet.Terminals.ToDictionary(t => t.Id);

    [Fact]
    public void Heartbeats_are_lost_at_their_rate_and_on_cellular_sometimes_two_in_a_row()
    {
        var noise = BackgroundNoise.None with { LostHeartbeatRate = 0.01, CellularSecondLossShare = 0.3 };
        var (sim, events) = RunWith(noise);
        var terminals = Terminals(sim);
        bool Cellular(Heartbeat h) => terminals[h.TerminalId].Network == NetworkType.Cellular;
        var holes = Holes(events);
        var received = events.Heartbeats().ToList();

        // Every heartbeat taken is the same as without the background; only some never arrive (a few lost at a terminal's last are no hole).
        Assert.InRange(Quiet.Value.Events.Heartbeats().Count() - received.Count - holes.Sum(h => h.Missing), 0, 10);
        var otherTaken = received.Count(h => !Cellular(h)) + holes.Where(h => !Cellular(h.Before)).Sum(h => h.Missing);
        Assert.InRange((double)holes.Where(h => !Cellular(h.Before)).Sum(h => h.Missing) / otherTaken, 0.008, 0.012);
        var cellular = holes.Where(h => Cellular(h.Before)).ToList();
        Assert.InRange((double)cellular.Count(h => h.Missing == 2) / cellular.Count, 0.2, 0.4);
        // Off cellular two in a row only by chance (one loss in a hundred).
        Assert.True(holes.Count(h => !Cellular(h.Before) && h.Missing > 1) < 0.05 * holes.Count(h => !Cellular(h.Before)));
    }

    [Fact]
    public void Link_drops_silence_a_terminal_for_one_to_three_minutes_and_its_sales_follow_late_after_pendingOffline()
    {
        var noise = BackgroundNoise.None with { LinkDropsPerDay = 2 };
        var (sim, events) = RunWith(noise);
        var holes = Holes(events);

        Assert.InRange(holes.Count, 0.75 * 2 * PoweredDays(), 1.25 * 2 * PoweredDays());
        // Silent for the drop (1-3 minutes), give or take the heartbeats either side of it.
        Assert.All(holes, h => Assert.InRange((h.After.Timestamp - h.Before.Timestamp).TotalSeconds, 60, 180 + 2 * 61.5));

        // Sales made meanwhile were approved offline: the first heartbeat back counts them, then they arrive, late, with their own stamps.
        var late = events.Where(e => e.Transaction is not null && e.ArrivesAt - e.Timestamp > TimeSpan.FromSeconds(5)).ToList();
        Assert.True(late.Count > 20, $"{late.Count} sales sent late");
        // Every sale is sent in the end, but those of a drop still on when the run ends.
        Assert.InRange(events.Sales().Count(), Quiet.Value.Events.Sales().Count() - 30, Quiet.Value.Events.Sales().Count());
        var byTerminal = events.GroupBy(e => e.TerminalId).ToDictionary(g => g.Key, g => g.ToList());
        foreach (var group in late.GroupBy(e => e.TerminalId))
        {
            var stream = byTerminal[group.Key];
            foreach (var sale in group)
            {
                var at = stream.IndexOf(sale);
                var report = stream.Take(at).Last(e => e.Heartbeat is not null).Heartbeat!;
                var hole = Assert.Single(holes, h => h.After.EventId == report.EventId);
                Assert.True(report.PendingOffline > 0);
                Assert.InRange(sale.Timestamp, hole.Before.Timestamp, report.Timestamp);
                Assert.True(sale.ArrivesAt > report.Timestamp);
                Assert.Equal(Outcome.Approved, sale.Transaction!.Outcome);
                Assert.Equal(0, sale.Transaction.StageMs![(int)Stage.Gateway]);
            }
        }
    }

    [Fact]
    public void Busy_printing_terminals_run_out_of_paper_for_one_to_three_minutes_failing_a_receipt_or_two()
    {
        var noise = BackgroundNoise.None with { SalesPerPaperRoll = 150 };
        var (sim, events) = RunWith(noise);
        var terminals = Terminals(sim);
        var printFailures = events.Sales().Where(s => s.Outcome == Outcome.Timeout && s.Stage == Stage.Print).ToList();
        // A run of failures at print, minutes from the next, is one roll running out.
        var outages = printFailures.GroupBy(s => s.TerminalId).SelectMany(g =>
        {
            var list = new List<List<Transaction>>();
            foreach (var s in g.OrderBy(s => s.Timestamp))
                if (list.Count > 0 && s.Timestamp - list[^1][0].Timestamp <= TimeSpan.FromMinutes(3)) list[^1].Add(s);
                else list.Add([s]);
            return list;
        }).ToList();
        var printed = events.Sales().Count(s => terminals[s.TerminalId].HasPrinter);

        Assert.InRange(outages.Count, 0.75 * printed / 150, 1.25 * printed / 150);
        Assert.InRange(outages.Average(o => o.Count), 1, 2.5);
        Assert.All(printFailures, s => Assert.True(terminals[s.TerminalId].HasPrinter));
        var paperOut = events.Heartbeats().Where(h => h.Printer == PrinterStatus.PaperOut).ToList();
        Assert.NotEmpty(paperOut);
        // paper_out is reported only in the minutes after a roll ran out.
        Assert.All(paperOut, h => Assert.Contains(outages, o => o[0].TerminalId == h.TerminalId
            && h.Timestamp >= o[0].Timestamp && h.Timestamp - o[0].Timestamp <= TimeSpan.FromMinutes(3)));
        // Busy tills run out a few times a day; the quiet ones hardly.
        var perDay = outages.GroupBy(o => o[0].TerminalId).ToDictionary(g => g.Key, g => g.Count() / SixHours.TotalDays);
        var busiest = events.Sales().Where(s => terminals[s.TerminalId].HasPrinter).GroupBy(s => s.TerminalId)
            .OrderByDescending(g => g.Count()).Take(30).Select(g => perDay.GetValueOrDefault(g.Key)).ToList();
        Assert.InRange(busiest.Average(), 2, 8);
    }

    [Fact]
    public void Lone_reboots_reset_uptime_after_about_a_minute_of_silence()
    {
        var noise = BackgroundNoise.None with { RebootsPerDay = 2 };
        var (sim, events) = RunWith(noise);
        var terminals = Terminals(sim);
        var resets = events.Heartbeats().GroupBy(h => h.TerminalId).SelectMany(g =>
        {
            var beats = g.OrderBy(h => h.Timestamp).ToList();
            // A restart, not the morning's switch-on: the terminal was heard from minutes before.
            return beats.Zip(beats.Skip(1)).Where(p => p.Second.UptimeSec < p.First.UptimeSec && p.Second.Timestamp - p.First.Timestamp < TimeSpan.FromMinutes(10));
        }).ToList();

        Assert.InRange(resets.Count, 0.75 * 2 * PoweredDays(), 1.25 * 2 * PoweredDays());
        // While the shop trades (a terminal asleep in a closed shop heartbeats only every 5-10 minutes).
        Assert.All(resets.Where(p => terminals[p.First.TerminalId].Merchant.IsOpen(p.First.Timestamp)), p =>
        {
            var gap = (p.Second.Timestamp - p.First.Timestamp).TotalSeconds;
            Assert.InRange(gap, 45, 91 + 2 * 61.5);
            Assert.True(p.Second.UptimeSec < gap, "it came back freshly booted");
        });
    }

    [Fact]
    public void Skewed_clocks_shift_every_stamp_of_their_terminal_by_minutes_and_nothing_else()
    {
        var noise = BackgroundNoise.None with { SkewedClockShare = 0.05 };
        var (sim, events) = RunWith(noise);
        var quiet = Quiet.Value.Events.ToDictionary(e => e.Heartbeat?.EventId ?? e.Transaction!.EventId, e => e.Timestamp);
        var offsets = events.GroupBy(e => e.TerminalId)
            .ToDictionary(g => g.Key, g => g.Select(e => e.Timestamp - quiet[e.Heartbeat?.EventId ?? e.Transaction!.EventId]).Distinct().ToList());

        Assert.All(offsets.Values, o => Assert.Single(o));
        var skewed = offsets.Where(p => p.Value[0] != TimeSpan.Zero).ToDictionary(p => p.Key, p => p.Value[0]);
        Assert.InRange(skewed.Count, 5, 30);
        Assert.All(skewed.Values, o => Assert.InRange(o.Duration().TotalSeconds, 60, 301));
        Assert.Contains(skewed.Values, o => o > TimeSpan.Zero);
        Assert.Contains(skewed.Values, o => o < TimeSpan.Zero);
        // A slow clock's events arrive minutes after their stamps; a fast one's are handed over as their stamps fall due.
        Assert.All(events.Where(e => skewed.GetValueOrDefault(e.TerminalId) < TimeSpan.Zero),
            e => Assert.Equal(e.Timestamp - skewed[e.TerminalId], e.ArrivesAt));
        Assert.All(events.Where(e => !skewed.ContainsKey(e.TerminalId)), e => Assert.Equal(e.Timestamp, e.ArrivesAt));
        // Stamps outside the run are left out, as an export of the run's span would.
        Assert.All(events, e => Assert.InRange(e.Timestamp, sim.Start, sim.End!.Value));
    }

    [Fact]
    public void Late_events_arrive_after_later_ones_at_their_rate_and_the_rest_within_the_relay_jitter()
    {
        var noise = BackgroundNoise.None with { LateDeliveryRate = 0.02, RelayJitter = TimeSpan.FromSeconds(2) };
        var (_, events) = RunWith(noise);
        var delays = events.Select(e => e.ArrivesAt - e.Timestamp).ToList();

        Assert.InRange((double)delays.Count(d => d >= TimeSpan.FromSeconds(10)) / events.Count, 0.016, 0.024);
        Assert.All(delays, d => Assert.True(d < TimeSpan.FromSeconds(2) || d >= TimeSpan.FromSeconds(10) && d < TimeSpan.FromSeconds(122), $"delay {d}"));
        Assert.Equal(events.OrderBy(e => e.ArrivesAt).Select(e => e.ArrivesAt), events.Select(e => e.ArrivesAt));
        // Out of order within one terminal too: a late event comes after its terminal's next one.
        Assert.Contains(events.GroupBy(e => e.TerminalId), g => g.Zip(g.Skip(1)).Any(p => p.Second.Timestamp < p.First.Timestamp));
        Assert.Equal(Quiet.Value.Events.Count, events.Count);
    }

    [Fact]
    public void Cashiers_cancel_sales_at_their_rate()
    {
        var (_, events) = RunWith(BackgroundNoise.None with { CancelledSaleRate = 0.02 });
        var sales = events.Sales().ToList();

        Assert.InRange((double)sales.Count(s => s.Outcome == Outcome.Cancelled) / sales.Count, 0.016, 0.024);
        Assert.All(sales.Where(s => s.Outcome == Outcome.Cancelled), s => Assert.Equal(Stage.Input, s.Stage));
    }

    [Fact]
    public void About_their_share_of_small_shops_always_run_hot()
    {
        var fleet = FleetGenerator.Generate(1000, 7);
        var small = fleet.Merchants.Count(m => fleet.Terminals.Count(t => t.Merchant.Index == m.Index) <= 4);
        var hot = new TrafficModel(fleet, 7, BackgroundNoise.None with { HotStoreShare = 0.1 }).Terminals
            .Where(t => t.IsHot).Select(t => t.Terminal.Merchant.Index).Distinct().Count();

        Assert.InRange(hot, 0.06 * small, 0.14 * small);
        Assert.DoesNotContain(new TrafficModel(fleet, 7, BackgroundNoise.None).Terminals, t => t.IsHot);
    }

    [Fact]
    public void On_some_days_shops_open_late_or_close_early_by_ten_minutes_to_an_hour()
    {
        var fleet = FleetGenerator.Generate(300, 7);
        var noise = BackgroundNoise.None with { LateOpeningShare = 0.3, EarlyClosingShare = 0.2 };
        var days = 0;
        var late = 0;
        var early = 0;
        foreach (var m in fleet.Merchants.Where(m => m.Hours is not null))
        {
            var t = Start.UtcTicks;
            for (var day = 0; day < 20; day++)
            {
                var (open, close) = PowerSchedule.OpeningAtOrAfter(m, t);
                var (from, to) = PowerSchedule.TradingAtOrAfter(m, 7, noise, open);
                Assert.InRange(TimeSpan.FromTicks(from - open).TotalMinutes, 0, 60);
                Assert.InRange(TimeSpan.FromTicks(close - to).TotalMinutes, 0, 60);
                if (from > open) late++;
                if (to < close) early++;
                days++;
                t = close;
            }
        }

        Assert.InRange((double)late / days, 0.26, 0.34);
        Assert.InRange((double)early / days, 0.16, 0.24);
    }

    [Fact]
    public void Shops_that_open_late_and_close_early_sell_only_inside_their_real_hours()
    {
        var noise = BackgroundNoise.None with { LateOpeningShare = 1, EarlyClosingShare = 1 };
        var simulator = new Simulator(Options(noise) with { Terminals = 150, Duration = TimeSpan.FromHours(24) });
        var sales = simulator.Events().Sales().ToList();
        var terminals = Terminals(simulator);

        Assert.True(sales.Count > 1000);
        Assert.All(sales.Where(s => terminals[s.TerminalId].Merchant.Hours is not null), s =>
        {
            var m = terminals[s.TerminalId].Merchant;
            Assert.True(m.IsOpen(s.Timestamp.AddMinutes(-10)) && m.IsOpen(s.Timestamp.AddMinutes(10)),
                $"{s.TerminalId} sold at {s.Timestamp:O}, within ten minutes of its declared {m.Merchant.OpeningHours}");
        });
        // Their switched-off terminals come on for the late opening: some after the declared one.
        var switchedOff = simulator.Fleet.Terminals.Where(t => t.WhenClosed == ClosedBehaviour.SwitchedOff).Select(t => t.Id).ToHashSet();
        var firstBeats = simulator.Events().Heartbeats().Where(h => switchedOff.Contains(h.TerminalId) && h.UptimeSec < 120).ToList();
        Assert.Contains(firstBeats, h => terminals[h.TerminalId].Merchant.IsOpen(h.Timestamp.AddMinutes(-5)));
    }

    [Fact]
    public void With_the_background_off_none_of_it_appears()
    {
        var (sim, events) = Quiet.Value;

        Assert.Empty(Holes(events));
        Assert.All(events, e => Assert.Equal(e.Timestamp, e.ArrivesAt));
        Assert.Equal(events.OrderBy(e => e.Timestamp).Select(e => e.Timestamp), events.Select(e => e.Timestamp));
        Assert.DoesNotContain(events.Heartbeats(), h => h.Printer == PrinterStatus.PaperOut);
        Assert.DoesNotContain(events.Sales(), s => s.Outcome == Outcome.Cancelled);
        Assert.DoesNotContain(sim.Traffic.Terminals, t => t.IsHot);
        Assert.DoesNotContain(events.Heartbeats().GroupBy(h => h.TerminalId), g => g.Zip(g.Skip(1)).Any(p => p.Second.UptimeSec < p.First.UptimeSec));
    }

    [Fact]
    public void The_default_background_has_every_kind_and_a_fault_changes_none_of_it_elsewhere()
    {
        var noise = BackgroundNoise.Default;
        var (sim, background) = RunWith(noise);
        var (_, withFault) = RunWith(noise, "gateway:gw-unionpay:60%:30m:at=1h");

        Assert.NotEmpty(Holes(background));
        Assert.Contains(background.Heartbeats(), h => h.Printer == PrinterStatus.PaperOut);
        Assert.Contains(background.Sales(), s => s.Outcome == Outcome.Cancelled);
        Assert.Contains(sim.Traffic.Terminals, t => t.IsHot);
        Assert.Contains(background, e => e.ArrivesAt - e.Timestamp > TimeSpan.FromMinutes(1));
        Assert.Contains(background.Heartbeats(), h => h.PendingOffline > 0);
        // Noise is not a fault: the ground truth holds what was injected, nothing more.
        Assert.Empty(sim.GroundTruth);

        var onGateway = sim.Fleet.Terminals.Where(t => t.Terminal.GatewayId == "gw-unionpay").Select(t => t.Id).ToHashSet();
        Assert.Subset(onGateway, Changed(background, withFault));
        var elsewhere = background.Where(e => !onGateway.Contains(e.TerminalId)).Select(e => (Json(e), e.ArrivesAt));
        Assert.Equal(elsewhere, withFault.Where(e => !onGateway.Contains(e.TerminalId)).Select(e => (Json(e), e.ArrivesAt)));
    }

    [Fact]
    public void The_same_options_give_the_same_noisy_stream_and_another_seed_another()
    {
        var options = Options(BackgroundNoise.Default, "server:20%:10m:at=1h") with { Duration = TimeSpan.FromHours(2) };
        var a = new Simulator(options).Events().Select(e => (Json(e), e.ArrivesAt)).ToList();
        var b = new Simulator(options).Events().Select(e => (Json(e), e.ArrivesAt)).ToList();
        var c = new Simulator(options with { Seed = 8 }).Events().Select(e => (Json(e), e.ArrivesAt)).ToList();

        Assert.Equal(a, b);
        Assert.NotEqual(a, c);
    }

    [Fact]
    public void A_noisy_run_written_to_files_replays_with_its_late_events_counted()
    {
        var dir = Path.Combine(Path.GetTempPath(), "posmonitor-noise-" + Guid.NewGuid().ToString("N"));
        try
        {
            var simulator = new Simulator(Options(BackgroundNoise.Default, "gateway:gw-unionpay:60%:15m:at=1h"));
            var summary = SimulationFiles.Write(simulator, dir);
            var fleet = Core.Fleet.Fleet.FromDocument(simulator.Fleet.Document);
            using var replayer = new Replayer(fleet, new DetectionSettings());
            using var file = File.OpenRead(Path.Combine(dir, SimulationFiles.EventsFile));
            var reader = new EventFileReader(file, fleet);
            var newest = DateTimeOffset.MinValue;
            var behind = TimeSpan.Zero;
            foreach (var e in reader.Parse())
            {
                var at = e is Heartbeat h ? h.Timestamp : ((Transaction)e).Timestamp;
                if (at > newest) newest = at;
                else if (newest - at > behind) behind = newest - at;
                if (e is Heartbeat hb) replayer.Add(hb);
                else replayer.Add((Transaction)e);
            }
            replayer.Finish();

            Assert.Equal(summary.Events, reader.Lines);
            Assert.Equal(summary.Events, replayer.Events);
            Assert.Equal(0, replayer.Duplicates);
            Assert.True(replayer.LateEvents > 100, $"{replayer.LateEvents} late events");
            // Minutes of disorder at most: a slow clock (5), sales queued through a link drop (3), a late delivery (2).
            Assert.InRange(behind, TimeSpan.FromMinutes(1), TimeSpan.FromMinutes(11));
            Assert.InRange(replayer.FirstEvent!.Value, simulator.Start, simulator.Start.AddMinutes(1));
            Assert.True(replayer.LastEvent < simulator.End);
            Assert.Empty(replayer.Problems);
            Assert.Contains(replayer.Incidents, i => i.ScopeId == "gw-unionpay");
        }
        finally
        {
            if (Directory.Exists(dir)) Directory.Delete(dir, recursive: true);
        }
    }

    [Theory]
    [InlineData("default")]
    [InlineData("none")]
    [InlineData("none,paper-roll=60,late-delivery=2%")]
    [InlineData("default,lost-heartbeats=1%,relay-jitter=500ms,reboots=0.3")]
    public void A_background_reads_back_from_what_it_prints(string text)
    {
        var noise = BackgroundNoise.Parse(text);

        Assert.Equal(noise, BackgroundNoise.Parse(noise.ToString()));
    }

    [Fact]
    public void Overrides_start_from_the_default_unless_the_list_starts_with_none()
    {
        Assert.Equal(BackgroundNoise.Default with { LostHeartbeatRate = 0.01, LinkDropsPerDay = 2 }, BackgroundNoise.Parse("lost-heartbeats=1%,link-drops=2"));
        Assert.Equal(BackgroundNoise.None with { SalesPerPaperRoll = 60, RelayJitter = TimeSpan.FromMilliseconds(500) }, BackgroundNoise.Parse("none,paper-roll=60,relay-jitter=500ms"));
        Assert.Equal(BackgroundNoise.Default with { CancelledSaleRate = 0.02 }, BackgroundNoise.Parse("default, cancelled=0.02"));
        Assert.Equal("none", BackgroundNoise.None.ToString());
    }

    [Theory]
    [InlineData("sometimes", "unknown setting 'sometimes'")]
    [InlineData("lost-heartbeats", "needs a value")]
    [InlineData("lost-heartbeats=lots", "share of heartbeats lost")]
    [InlineData("lost-heartbeats=150%", "lost-heartbeats must be from 0 to 100%")]
    [InlineData("paper-roll=2.5", "sales before a paper roll runs out")]
    [InlineData("link-drops=5%", "link drops per terminal per day")]
    [InlineData("default,none", "unknown setting 'none'")]
    [InlineData("", "give default, none")]
    public void A_bad_background_is_refused_naming_what_is_wrong(string text, string reason)
    {
        var e = Assert.Throws<FormatException>(() => BackgroundNoise.Parse(text));

        Assert.Contains(reason, e.Message);
    }

    [Fact]
    public void A_rate_out_of_range_stops_the_simulator_naming_it()
    {
        var e = Assert.Throws<ArgumentException>(() => new Simulator(Options(BackgroundNoise.Default with { SkewedClockShare = 2 })));

        Assert.Contains("skewed-clocks", e.Message);
    }
}
