using PosMonitor.Core.Simulation;
using PosMonitor.Core.Telemetry;
using static PosMonitor.Core.Tests.Simulation.SimulationRuns;

namespace PosMonitor.Core.Tests.Simulation;

public class SimulatorTests
{
    private static readonly string[] AllCauses =
    [
        "gateway:gw-unionpay:40%:15m:at=30m", "network:region=east:loss=30%:20m:at=1h", "server:20%:10m:at=2h",
        "software:firmware=3.3.0:rollout=20m:share=30%:30%:at=1h", "hardware:terminal=random:paper_out:at=40m",
        "third_party:region=south:50%:30m:at=90m", "operator:merchant=random:35%:1h:at=1h", "network:terminal=random:offline:10m:at=2h",
    ];

    [Fact]
    public void Without_background_events_come_out_in_timestamp_order_with_every_fault_and_decoy()
    {
        var simulator = new Simulator(Options(AllCauses) with { Decoys = Decoys.All });
        var previous = DateTimeOffset.MinValue;
        var count = 0;
        foreach (var e in simulator.Events())
        {
            Assert.True(e.Timestamp >= previous, $"event {count} at {e.Timestamp:O} comes after {previous:O}");
            Assert.InRange(e.Timestamp, simulator.Start, simulator.End!.Value);
            Assert.Equal(e.Timestamp, e.ArrivesAt);
            previous = e.Timestamp;
            count++;
        }
        Assert.True(count > 10_000);
    }

    [Fact]
    public void With_the_background_events_come_out_in_arrival_order_stamped_within_the_run()
    {
        var simulator = new Simulator(Options(AllCauses) with { Decoys = Decoys.All, Background = BackgroundNoise.Default });
        var previous = DateTimeOffset.MinValue;
        var count = 0;
        var late = 0;
        foreach (var e in simulator.Events())
        {
            Assert.True(e.ArrivesAt >= previous, $"event {count} arriving at {e.ArrivesAt:O} comes after {previous:O}");
            Assert.True(e.ArrivesAt >= e.Timestamp, $"event {count} arrives at {e.ArrivesAt:O} before its stamp {e.Timestamp:O}");
            Assert.InRange(e.Timestamp, simulator.Start, simulator.End!.Value);
            if (e.ArrivesAt - e.Timestamp > TimeSpan.FromSeconds(10)) late++;
            previous = e.ArrivesAt;
            count++;
        }
        Assert.True(count > 10_000);
        Assert.True(late > count / 200, $"{late} of {count} events late");
    }

    [Fact]
    public void Same_options_give_the_same_stream_and_another_seed_another()
    {
        var a = new Simulator(Options(AllCauses)).Events().Take(20_000).Select(Json).ToList();
        var b = new Simulator(Options(AllCauses)).Events().Take(20_000).Select(Json).ToList();
        var c = new Simulator(Options(AllCauses) with { Seed = 8 }).Events().Take(20_000).Select(Json).ToList();

        Assert.Equal(a, b);
        Assert.NotEqual(a, c);
    }

    [Fact]
    public void Enumerating_twice_replays_the_run()
    {
        var simulator = new Simulator(Options() with { Terminals = 50 });

        Assert.Equal(simulator.Events().Select(Json), simulator.Events().Select(Json));
    }

    [Fact]
    public void Event_ids_are_unique_and_valid()
    {
        var ids = Baseline.Select(e => e.Heartbeat?.EventId ?? e.Transaction!.EventId).ToList();

        Assert.Equal(ids.Count, ids.Distinct().Count());
        Assert.All(ids.Take(1000), id => Assert.True(Identifier.IsValid(id), id));
    }

    [Fact]
    public void A_terminal_left_on_heartbeats_every_30_to_60_seconds()
    {
        var simulator = new Simulator(Options() with { Terminals = 300 });
        var alwaysOn = simulator.Fleet.Terminals.Where(t => t.WhenClosed == ClosedBehaviour.StaysOn).Select(t => t.Id).ToHashSet();
        Assert.NotEmpty(alwaysOn);

        foreach (var group in Baseline.Heartbeats().Where(h => alwaysOn.Contains(h.TerminalId)).GroupBy(h => h.TerminalId))
        {
            var times = group.Select(h => h.Timestamp).ToList();
            for (var i = 1; i < times.Count; i++)
                Assert.InRange((times[i] - times[i - 1]).TotalSeconds, 28.4, 61.6);
        }
    }

    [Fact]
    public void Sales_happen_only_while_the_shop_is_open()
    {
        var simulator = new Simulator(Options() with { Terminals = 150, Duration = TimeSpan.FromHours(24) });
        var sales = simulator.Events().Sales().ToList();

        Assert.All(sales, s => Assert.True(simulator.Fleet.FindTerminal(s.TerminalId)!.Merchant.IsOpen(s.Timestamp), $"{s.TerminalId} sold at {s:O} while closed"));
        Assert.True(sales.Count > 1000);
    }

    [Fact]
    public void Terminals_switched_off_at_night_fall_silent_and_restart_in_the_morning()
    {
        var simulator = new Simulator(Options() with { Terminals = 150, Duration = TimeSpan.FromHours(24) });
        var events = simulator.Events().ToList();
        var off = simulator.Fleet.Terminals.Where(t => t.WhenClosed == ClosedBehaviour.SwitchedOff).ToList();
        Assert.NotEmpty(off);

        foreach (var t in off)
        {
            var beats = events.Heartbeats().Where(h => h.TerminalId == t.Id).ToList();
            // Off: nothing more than half an hour away from the opening hours.
            Assert.All(beats, h => Assert.True(
                t.Merchant.IsOpen(h.Timestamp) || t.Merchant.IsOpen(h.Timestamp.AddMinutes(31)) || t.Merchant.IsOpen(h.Timestamp.AddMinutes(-26)),
                $"{t.Id} heartbeat at {h.Timestamp:O} far outside {t.Merchant.Merchant.OpeningHours}"));
            // Switched on again after a night off, it has just booted.
            foreach (var (before, after) in beats.Zip(beats.Skip(1)).Where(p => p.Second.Timestamp - p.First.Timestamp > TimeSpan.FromHours(1)))
                Assert.True(after.UptimeSec < (after.Timestamp - before.Timestamp).TotalSeconds, $"{t.Id} did not restart before {after.Timestamp:O}");
        }
        var sleepers = simulator.Fleet.Terminals.Where(t => t.WhenClosed == ClosedBehaviour.Sleeps).Select(t => t.Id).ToHashSet();
        var nightGaps = events.Heartbeats().Where(h => sleepers.Contains(h.TerminalId)).GroupBy(h => h.TerminalId)
            .SelectMany(g => g.Zip(g.Skip(1)).Where(p => !simulator.Fleet.FindTerminal(g.Key)!.Merchant.IsOpen(p.First.Timestamp))
                .Select(p => (p.Second.Timestamp - p.First.Timestamp).TotalSeconds))
            .ToList();
        Assert.NotEmpty(nightGaps);
        Assert.True(nightGaps.Average() > 250, "sleeping terminals heartbeat only every 5 to 10 minutes");
    }

    [Fact]
    public void Sales_follow_the_daily_curve()
    {
        var simulator = new Simulator(Options() with { Terminals = 300, Start = new DateTimeOffset(2026, 11, 24, 16, 0, 0, TimeSpan.Zero), Duration = TimeSpan.FromHours(24) });
        var byLocalHour = simulator.Events().Sales().GroupBy(s => s.Timestamp.ToOffset(TimeSpan.FromHours(8)).Hour).ToDictionary(g => g.Key, g => g.Count());

        Assert.True(byLocalHour.GetValueOrDefault(12) > 1.5 * byLocalHour.GetValueOrDefault(9));
        Assert.True(byLocalHour.GetValueOrDefault(18) > byLocalHour.GetValueOrDefault(15));
        Assert.True(byLocalHour.GetValueOrDefault(4) < byLocalHour.GetValueOrDefault(12) / 20);
    }

    [Fact]
    public void Normal_timeout_rates_differ_by_terminal_and_a_few_stores_always_run_hot()
    {
        var simulator = new Simulator(Options() with { Terminals = 1000 });
        var rates = simulator.Traffic.Terminals.Select(t => t.NormalTimeoutRate).ToList();
        var hot = simulator.Traffic.Terminals.Where(t => t.IsHot).ToList();

        Assert.True(rates.Max() / rates.Min() > 10);
        Assert.InRange(rates.Order().ElementAt(rates.Count / 2), 0.002, 0.01);
        Assert.NotEmpty(hot);
        Assert.True(hot.Count < 100);
        Assert.All(hot, t => Assert.True(t.NormalTimeoutRate >= 0.06));
    }

    [Fact]
    public void Hot_stores_time_out_more_in_the_telemetry_too()
    {
        var simulator = new Simulator(Options() with { Terminals = 600 });
        var hot = simulator.Traffic.Terminals.Where(t => t.IsHot).Select(t => t.Terminal.Id).ToHashSet();
        var sales = simulator.Events().Sales().ToList();
        var hotRate = sales.Where(s => hot.Contains(s.TerminalId)).TimeoutShare(Enum.GetValues<Stage>());
        var restRate = sales.Where(s => !hot.Contains(s.TerminalId)).TimeoutShare(Enum.GetValues<Stage>());

        Assert.True(hotRate > 4 * restRate, $"hot {hotRate:P1} vs rest {restRate:P1}");
        Assert.InRange(restRate, 0.002, 0.02);
    }

    [Fact]
    public void Normal_sales_are_realistic()
    {
        var sales = Baseline.Sales().ToList();
        var approved = sales.Where(s => s.Outcome == Outcome.Approved).ToList();

        Assert.InRange((double)approved.Count / sales.Count, 0.9, 0.99);
        Assert.Contains(sales, s => s.Outcome == Outcome.Declined);
        Assert.Contains(sales, s => s.Outcome == Outcome.Cancelled);
        Assert.All(sales.Where(s => s.Outcome is Outcome.Timeout or Outcome.Error), s => Assert.NotNull(s.Stage));
        Assert.All(approved, s =>
        {
            Assert.Contains(s.Currency, new[] { "CNY", "HKD" });
            Assert.InRange(s.AmountMinor!.Value, 100, 20_000_000);
            Assert.True(s.LatencyMs >= s.StageMs!.Sum());
            Assert.True(s.StageMs![(int)Stage.Gateway] > 0 && s.StageMs[(int)Stage.Host] > 0);
        });
        // Timed-out sales stop at their stage: later payment stages never ran.
        Assert.All(sales.Where(s => s.Outcome == Outcome.Timeout && s.Stage == Stage.Connect), s =>
        {
            Assert.Equal(0, s.StageMs![(int)Stage.Host]);
            Assert.True(s.StageMs[(int)Stage.Connect] >= TrafficModel.StageTimeoutMs[(int)Stage.Connect]);
        });
        Assert.True(approved.Count(s => s.Currency == "CNY") > approved.Count * 0.95);
        var perTerminalHour = (double)Baseline.Count / (300 * 3);
        Assert.InRange(perTerminalHour, 40, 200);
    }

    [Fact]
    public void Heartbeats_are_within_the_wire_ranges()
    {
        Assert.All(Baseline.Heartbeats(), h =>
        {
            Assert.InRange(h.PacketLossPct, 0, 100);
            Assert.True(h.LatencyMs >= 0 && h.UptimeSec >= 0 && h.PendingOffline >= 0);
            if (h.SignalDbm is { } s) Assert.InRange(s, -140, 0);
            if (h.BatteryPct is { } b) Assert.InRange(b, 0, 100);
            Assert.InRange(h.CpuPct!.Value, 0, 100);
            Assert.InRange(h.MemoryPct!.Value, 0, 100);
            Assert.Equal(h.NetworkType == NetworkType.Ethernet, h.SignalDbm is null);
        });
    }

    [Fact]
    public void A_thousand_terminals_for_six_hours_take_seconds()
    {
        var watch = System.Diagnostics.Stopwatch.StartNew();
        var count = new Simulator(new SimulationOptions { Terminals = 1000, Seed = 42, Start = Start, Duration = TimeSpan.FromHours(6) }).Events().LongCount();
        watch.Stop();

        Assert.True(count > 300_000, $"{count} events");
        Assert.True(watch.Elapsed < TimeSpan.FromSeconds(30), $"took {watch.Elapsed}");
    }
}
