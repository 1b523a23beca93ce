using PosMonitor.Core.Incidents;
using PosMonitor.Core.Simulation;
using PosMonitor.Core.Telemetry;
using static PosMonitor.Core.Tests.Simulation.SimulationRuns;

namespace PosMonitor.Core.Tests.Simulation;

/// <summary>Each cause changes the telemetry as src/PosMonitor.Core/Detection/timeout-causes.md describes, at its scope and nowhere else.</summary>
public class FaultEffectTests
{
    private static readonly DateTimeOffset From = FaultStart;

    private static GroundTruthEntry Only(Simulator simulator) => Assert.Single(simulator.GroundTruth, e => e.Kind == GroundTruthKind.Fault);

    [Fact]
    public void Gateway_fault_raises_gateway_stage_timeouts_on_that_gateway_only()
    {
        var (sim, events) = Run("gateway:gw-unionpay:60%:30m:at=1h");
        var to = From.AddMinutes(30);
        var onGateway = sim.Fleet.Terminals.Where(t => t.Terminal.GatewayId == "gw-unionpay").Select(t => t.Id).ToHashSet();

        var hit = events.Sales().Between(From, to).Where(s => onGateway.Contains(s.TerminalId)).ToList();
        Assert.InRange(hit.TimeoutShare(Stage.Gateway), 0.4, 0.7);
        Assert.True(Baseline.Sales().Between(From, to).Where(s => onGateway.Contains(s.TerminalId)).TimeoutShare(Stage.Gateway) < 0.02);
        // Sales that get through are slow at the gateway.
        Assert.True(hit.Where(s => s.Outcome == Outcome.Approved).Average(s => s.StageMs![(int)Stage.Gateway]) > 3000);
        // Nothing changes for terminals on other gateways, and nothing before the fault.
        Assert.Subset(onGateway, Changed(Baseline, events));
        Assert.Equal(Baseline.Where(e => e.Timestamp < From).Select(Json), events.Where(e => e.Timestamp < From).Select(Json));

        var truth = Only(sim);
        Assert.Equal((Cause.Gateway, ScopeType.Gateway, "gw-unionpay"), (truth.Cause, truth.ScopeType, truth.ScopeId));
        Assert.Equal((From, to), (truth.Start, truth.End));
        Assert.Equal(0.6, truth.Intensity, 6);
        Assert.Equal(Severity.Critical, truth.ExpectedSeverity);
        Assert.Subset(onGateway, truth.AffectedTerminals.ToHashSet());
        Assert.True(truth.AffectedMerchants > 10);
    }

    [Fact]
    public void Network_fault_in_a_region_shows_connect_and_send_timeouts_and_lossy_heartbeats_there_only()
    {
        var (sim, events) = Run("network:region=east:loss=40%:30m:at=1h");
        var to = From.AddMinutes(30);
        var east = sim.Fleet.Terminals.Where(t => t.Terminal.RegionId == "east").Select(t => t.Id).ToHashSet();

        var sales = events.Sales().Between(From, to).Where(s => east.Contains(s.TerminalId)).ToList();
        Assert.InRange(sales.TimeoutShare(Stage.Connect, Stage.Send), 0.25, 0.55);
        Assert.True(sales.TimeoutShare(Stage.Host, Stage.Gateway) < 0.03);
        var beats = events.Heartbeats().Between(From, to, h => h.Timestamp).Where(h => east.Contains(h.TerminalId)).ToList();
        Assert.True(beats.Select(h => h.PacketLossPct).Order().ElementAt(beats.Count / 2) >= 25);
        Assert.True(beats.Average(h => h.LatencyMs) > Baseline.Heartbeats().Between(From, to, h => h.Timestamp).Where(h => east.Contains(h.TerminalId)).Average(h => h.LatencyMs) + 200);
        Assert.Contains(beats, h => h.PendingOffline > 0);
        // Some heartbeats are lost on the way.
        Assert.True(beats.Count < Baseline.Heartbeats().Between(From, to, h => h.Timestamp).Count(h => east.Contains(h.TerminalId)));
        Assert.Subset(east, Changed(Baseline, events));

        var truth = Only(sim);
        Assert.Equal((Cause.Network, ScopeType.Region, "east", Severity.Critical), (truth.Cause, truth.ScopeType, truth.ScopeId, truth.ExpectedSeverity));
    }

    [Fact]
    public void Network_offline_silences_a_terminal_and_its_queue_shows_when_it_returns()
    {
        var (sim, events) = Run("network:terminal=random:offline:30m:at=1h");
        var to = From.AddMinutes(30);
        var truth = Only(sim);
        var id = truth.ScopeId;

        Assert.DoesNotContain(events.Between(From, to, e => e.Timestamp), e => e.TerminalId == id);
        Assert.Contains(Baseline.Between(From, to, e => e.Timestamp), e => e.TerminalId == id);
        var back = events.Heartbeats().First(h => h.TerminalId == id && h.Timestamp >= to);
        Assert.True(back.PendingOffline > 0, "sales made offline are queued");
        Assert.Equal([id], Changed(Baseline, events));
        Assert.Equal((Cause.Network, ScopeType.Terminal, 1.0, Severity.Minor), (truth.Cause, truth.ScopeType, truth.Intensity, truth.ExpectedSeverity));
    }

    [Fact]
    public void Server_fault_raises_host_timeouts_across_regions_and_gateways_and_leaves_heartbeats_alone()
    {
        var (sim, events) = Run("server:30%:30m:at=1h");
        var to = From.AddMinutes(30);
        var terminal = sim.Fleet.Terminals.ToDictionary(t => t.Id);

        var hostTimeouts = events.Sales().Between(From, to).Where(s => s.Outcome == Outcome.Timeout && s.Stage == Stage.Host).ToList();
        var sales = events.Sales().Between(From, to).ToList();
        Assert.InRange(sales.TimeoutShare(Stage.Host), 0.2, 0.4);
        Assert.True(hostTimeouts.Select(s => terminal[s.TerminalId].Terminal.RegionId).Distinct().Count() >= 4);
        Assert.Equal(
            sales.Select(s => s.Gateway).Distinct().Order(),
            hostTimeouts.Select(s => s.Gateway).Distinct().Order());
        Assert.True(sales.Where(s => s.Outcome == Outcome.Approved).Average(s => s.StageMs![(int)Stage.Host]) > 2000);
        // The network is fine: the same heartbeats at the same times with the same round trips.
        Assert.Equal(Baseline.Heartbeats().Select(h => (h.EventId, h.Timestamp)), events.Heartbeats().Select(h => (h.EventId, h.Timestamp)));
        Assert.Equal(
            Baseline.Heartbeats().Between(From, to, h => h.Timestamp).Average(h => h.LatencyMs),
            events.Heartbeats().Between(From, to, h => h.Timestamp).Average(h => h.LatencyMs), 0);

        var truth = Only(sim);
        Assert.Equal((Cause.Server, ScopeType.Platform, "platform", Severity.Critical), (truth.Cause, truth.ScopeType, truth.ScopeId, truth.ExpectedSeverity));
        Assert.True(truth.AffectedTerminals.Count > 250);
    }

    [Fact]
    public void Software_fault_with_a_rollout_fails_sales_in_the_app_on_that_version_only_and_restarts_terminals()
    {
        var (sim, events) = Run("software:firmware=3.3.0:rollout=20m:share=50%:40%:at=1h:for=1h");
        var to = From.AddHours(1);
        var truth = Only(sim);
        var upgraded = truth.AffectedTerminals.ToHashSet();
        Assert.InRange(upgraded.Count, 100, 200);

        var beats = events.Heartbeats().ToList();
        // Each upgraded terminal reports the new version (after a restart) and goes back after the fault.
        foreach (var id in upgraded.Take(20))
        {
            var mine = beats.Where(h => h.TerminalId == id).ToList();
            var first = mine.FirstOrDefault(h => h.Firmware == "3.3.0");
            if (first is null) continue;
            Assert.InRange(first.Timestamp, From, From.AddMinutes(25));
            Assert.True(first.UptimeSec < 600, "the upgrade restarted it");
            Assert.NotEqual("3.3.0", mine.Last().Firmware);
        }
        Assert.True(beats.Count(h => h.Firmware == "3.3.0") > 1000);

        var onVersion = events.Sales().Between(From.AddMinutes(20), to).Where(s => upgraded.Contains(s.TerminalId)).ToList();
        var appFailures = (double)onVersion.Count(s => s.Stage == Stage.App && s.Outcome is Outcome.Error or Outcome.Timeout) / onVersion.Count;
        Assert.InRange(appFailures, 0.25, 0.55);
        Assert.Contains(onVersion, s => s.Outcome == Outcome.Error && s.ErrorCode == "E-APP-CRASH");
        var others = events.Sales().Between(From, to).Where(s => !upgraded.Contains(s.TerminalId)).ToList();
        Assert.True((double)others.Count(s => s.Stage == Stage.App) / others.Count < 0.01);
        Assert.Subset(upgraded, Changed(Baseline, events));
        Assert.Equal((Cause.Software, ScopeType.Firmware, "3.3.0", Severity.Major), (truth.Cause, truth.ScopeType, truth.ScopeId, truth.ExpectedSeverity));
    }

    [Fact]
    public void Software_fault_on_a_version_already_out_hits_the_terminals_running_it()
    {
        var (sim, events) = Run("software:firmware=3.2.2:30%:at=1h:30m");
        var onVersion = sim.Fleet.Terminals.Where(t => t.Terminal.Firmware == "3.2.2").Select(t => t.Id).ToHashSet();

        Assert.Subset(onVersion, Changed(Baseline, events));
        Assert.True(events.Sales().Between(From, From.AddMinutes(30)).Where(s => onVersion.Contains(s.TerminalId)).Count(s => s.Stage == Stage.App) > 10);
        var switchedOn = events.Between(From, From.AddMinutes(30), e => e.Timestamp).Select(e => e.TerminalId).ToHashSet();
        Assert.Equal(onVersion.Where(switchedOn.Contains).Order(), Only(sim).AffectedTerminals.Order());
    }

    [Fact]
    public void Hardware_fault_jams_one_printer_and_times_out_receipts_there_only()
    {
        var (sim, events) = Run("hardware:terminal=random:jam:at=1h:for=1h");
        var to = From.AddHours(1);
        var id = Only(sim).ScopeId;

        Assert.All(events.Heartbeats().Between(From, to, h => h.Timestamp).Where(h => h.TerminalId == id), h => Assert.Equal(PrinterStatus.Jam, h.Printer));
        Assert.All(events.Heartbeats().Where(h => h.TerminalId != id || h.Timestamp >= to), h => Assert.NotEqual(PrinterStatus.Jam, h.Printer));
        var mine = events.Sales().Between(From, to).Where(s => s.TerminalId == id).ToList();
        Assert.True(mine.TimeoutShare(Stage.Print) >= 0.5, $"{mine.Count} sales");
        Assert.All(mine.Where(s => s.Stage == Stage.Print), s => Assert.True(s.StageMs![(int)Stage.Gateway] > 0, "paid, then the receipt failed"));
        Assert.Equal([id], Changed(Baseline, events));
        Assert.Equal((Cause.Hardware, ScopeType.Terminal, Severity.Minor), (Only(sim).Cause, Only(sim).ScopeType, Only(sim).ExpectedSeverity));
    }

    [Fact]
    public void Hardware_cpu_fault_shows_in_heartbeats_and_app_timeouts()
    {
        var (sim, events) = Run("hardware:terminal=random:cpu:90%:at=1h:for=1h");
        var id = Only(sim).ScopeId;

        Assert.All(events.Heartbeats().Between(From, From.AddHours(1), h => h.Timestamp).Where(h => h.TerminalId == id), h => Assert.True(h.CpuPct >= 92));
        Assert.True(events.Sales().Between(From, From.AddHours(1)).Where(s => s.TerminalId == id).TimeoutShare(Stage.App) > 0.5);
    }

    [Fact]
    public void Third_party_fault_times_out_notifications_in_its_region_while_payments_stay_healthy()
    {
        var (sim, events) = Run("third_party:region=south:60%:30m:at=1h");
        var to = From.AddMinutes(30);
        var south = sim.Fleet.Terminals.Where(t => t.Terminal.RegionId == "south").Select(t => t.Id).ToHashSet();
        var notifying = sim.Traffic.Terminals.Where(t => t.SendsNotifications).Select(t => t.Terminal.Id).ToHashSet();

        var hit = events.Sales().Between(From, to).Where(s => south.Contains(s.TerminalId) && notifying.Contains(s.TerminalId)).ToList();
        Assert.InRange(hit.TimeoutShare(Stage.Notify), 0.4, 0.75);
        Assert.All(hit.Where(s => s.Stage == Stage.Notify), s => Assert.True(s.StageMs![(int)Stage.Gateway] > 0 && s.StageMs[(int)Stage.Print] >= 0));
        Assert.True(hit.TimeoutShare(Stage.Connect, Stage.Send, Stage.Host, Stage.Gateway) < 0.03);
        Assert.Empty(events.Sales().Between(From, to).Where(s => !south.Contains(s.TerminalId) && s.Stage == Stage.Notify && s.Outcome == Outcome.Timeout).Skip(3));
        Assert.Subset(south, Changed(Baseline, events));
        Assert.All(Only(sim).AffectedTerminals, id => Assert.Contains(id, notifying));
        Assert.Equal(Severity.Minor, Only(sim).ExpectedSeverity);
    }

    [Fact]
    public void Operator_fault_brings_input_timeouts_and_cancellations_at_one_store_with_healthy_heartbeats()
    {
        var (sim, events) = Run("operator:merchant=random:50%:at=1h:for=1h");
        var truth = Only(sim);
        var store = sim.Fleet.Terminals.Where(t => t.Terminal.MerchantId == truth.ScopeId).Select(t => t.Id).ToHashSet();

        var sales = events.Sales().Between(From, From.AddHours(1)).Where(s => store.Contains(s.TerminalId)).ToList();
        var inputTrouble = (double)sales.Count(s => s.Stage == Stage.Input && s.Outcome is Outcome.Timeout or Outcome.Cancelled) / sales.Count;
        Assert.InRange(inputTrouble, 0.3, 0.75);
        Assert.Contains(sales, s => s.Outcome == Outcome.Cancelled);
        Assert.Contains(sales, s => s.Outcome == Outcome.Timeout && s.Stage == Stage.Input);
        Assert.Equal(
            Baseline.Heartbeats().Where(h => store.Contains(h.TerminalId)).Select(h => h.EventId + h.LatencyMs + h.PacketLossPct),
            events.Heartbeats().Where(h => store.Contains(h.TerminalId)).Select(h => h.EventId + h.LatencyMs + h.PacketLossPct));
        Assert.Subset(store, Changed(Baseline, events));
        Assert.Equal((Cause.Operator, ScopeType.Merchant, Severity.Major), (truth.Cause, truth.ScopeType, truth.ExpectedSeverity));
    }

    [Fact]
    public void Random_operator_fault_picks_a_store_busy_enough_for_its_failures_to_make_a_rate()
    {
        // 20% of sales for 40 minutes: the store must fail about 12 sales a quarter hour (32 in all), not two or three.
        var (sim, events) = Run("operator:merchant=random:20%:40m:at=1h");
        var truth = Only(sim);
        var store = truth.AffectedTerminals.ToHashSet();
        var failed = events.Sales().Between(From, From.AddMinutes(40))
            .Count(s => store.Contains(s.TerminalId) && s.Stage == Stage.Input && s.Outcome is Outcome.Timeout or Outcome.Cancelled);
        Assert.True(failed >= 20, $"{truth.ScopeId} failed only {failed} sales in 40 minutes");
    }

    [Fact]
    public void Several_named_terminals_give_one_ground_truth_entry_each()
    {
        var fleet = FleetGenerator.Generate(300, 7);
        var ids = fleet.Terminals.Where(t => t.HasPrinter).Take(2).Select(t => t.Id).ToArray();
        var sim = new Simulator(Options($"hardware:terminal={ids[0]},{ids[1]}:paper_out:at=1h"));

        Assert.Equal(ids, sim.GroundTruth.Select(e => e.ScopeId));
        Assert.All(sim.GroundTruth, e => Assert.Equal(TimeSpan.FromHours(1), e.End - e.Start));
    }

    [Theory]
    [InlineData("gateway:gw-nowhere", "gateway 'gw-nowhere' is not in the fleet (gateways: gw-unionpay")]
    [InlineData("network:region=mars", "region 'mars' is not in the fleet (regions: east, north")]
    [InlineData("operator:merchant=m-9999", "merchant 'm-9999' is not in the fleet")]
    [InlineData("software:firmware=9.9.9", "no terminal runs firmware 9.9.9")]
    [InlineData("server:at=5h", "after the run ends")]
    public void Faults_that_do_not_fit_the_fleet_are_refused_with_what_would(string text, string reason)
    {
        var e = Assert.ThrowsAny<ArgumentException>(() => new Simulator(Options(text)));

        Assert.Contains(reason, e.Message);
    }

    [Fact]
    public void A_fault_without_a_start_begins_a_quarter_into_the_run()
    {
        var sim = new Simulator(Options("gateway:gw-unionpay"));

        Assert.Equal(Start.AddMinutes(45), Only(sim).Start);
        Assert.Equal(Start.AddMinutes(60), Only(sim).End);
    }
}
