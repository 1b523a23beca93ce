using PosMonitor.Core.Incidents;
using PosMonitor.Core.Simulation;
using PosMonitor.Core.Telemetry;
using static PosMonitor.Core.Tests.Simulation.SimulationRuns;

namespace PosMonitor.Core.Tests.Simulation;

/// <summary>Decoys look odd, must not become incidents, and are recorded as such in the ground truth.</summary>
public class DecoyTests
{
    private static (Simulator Simulator, List<SimulatedEvent> Events) RunWith(Decoys decoys, params string[] faults)
    {
        var simulator = new Simulator(Options(faults) with { Decoys = decoys });
        return (simulator, simulator.Events().ToList());
    }

    private static GroundTruthEntry Entry(Simulator sim, Decoys decoy) => Assert.Single(sim.GroundTruth, e => e.Spec == DecoyNames.Name(decoy));

    [Fact]
    public void Without_decoys_the_ground_truth_lists_only_faults()
    {
        Assert.Empty(new Simulator(Options()).GroundTruth);
        Assert.All(new Simulator(Options("server:at=1h")).GroundTruth, e => Assert.Equal(GroundTruthKind.Fault, e.Kind));
    }

    [Fact]
    public void Blip_is_a_minute_or_so_of_gateway_timeouts_from_any_second()
    {
        var (sim, events) = RunWith(Decoys.Blip);
        var blip = Entry(sim, Decoys.Blip);
        var onGateway = sim.Fleet.Terminals.Where(t => t.Terminal.GatewayId == blip.ScopeId).Select(t => t.Id).ToHashSet();

        Assert.Equal(GroundTruthKind.Decoy, blip.Kind);
        Assert.InRange(blip.End - blip.Start, TimeSpan.FromSeconds(45), TimeSpan.FromSeconds(90));
        // A real hiccup does not wait for the minute: over seeds, it starts at several seconds of one.
        var starts = Enumerable.Range(1, 6).Select(seed => Entry(new Simulator(Options() with { Decoys = Decoys.Blip, Seed = seed }), Decoys.Blip).Start.Second);
        Assert.True(starts.Distinct().Count() >= 3, string.Join(", ", starts));
        Assert.Null(blip.ExpectedSeverity);
        Assert.True(events.Sales().Between(blip.Start, blip.End).Where(s => onGateway.Contains(s.TerminalId)).TimeoutShare(Stage.Gateway) > 0.3);
        Assert.True(events.Sales().Between(blip.End, blip.End.AddMinutes(10)).Where(s => onGateway.Contains(s.TerminalId)).TimeoutShare(Stage.Gateway) < 0.03);
    }

    [Fact]
    public void Sparse_terminal_makes_two_sales_in_an_hour_one_timed_out()
    {
        var (sim, events) = RunWith(Decoys.SparseTerminal);
        var sparse = Entry(sim, Decoys.SparseTerminal);

        var sales = events.Sales().Between(sparse.Start, sparse.End).Where(s => s.TerminalId == sparse.ScopeId).ToList();
        Assert.Equal(2, sales.Count);
        Assert.Equal([Outcome.Timeout, Outcome.Approved], sales.Select(s => s.Outcome));
        Assert.Equal((ScopeType.Terminal, Cause.Network, 0.5), (sparse.ScopeType, sparse.Cause, sparse.Intensity));
        Assert.Contains(events.Heartbeats(), h => h.TerminalId == sparse.ScopeId && h.Timestamp > sparse.Start && h.Timestamp < sparse.End);
    }

    [Fact]
    public void Hot_stores_are_listed_for_the_whole_run()
    {
        var (sim, _) = RunWith(Decoys.HotStores);
        var hot = sim.GroundTruth.Where(e => e.Spec == DecoyNames.Name(Decoys.HotStores)).ToList();

        Assert.NotEmpty(hot);
        Assert.Equal(
            sim.Traffic.Terminals.Where(t => t.IsHot).Select(t => t.Terminal.Terminal.MerchantId).Distinct().Order(),
            hot.Select(e => e.ScopeId).Order());
        Assert.All(hot, e => Assert.Equal((sim.Start, sim.End!.Value, ScopeType.Merchant), (e.Start, e.End, e.ScopeType)));
        Assert.All(hot, e => Assert.True(e.Intensity >= 0.06));
    }

    [Fact]
    public void Quiet_rollout_changes_firmware_and_restarts_terminals_without_failures()
    {
        var (sim, events) = RunWith(Decoys.QuietRollout);
        var rollout = Entry(sim, Decoys.QuietRollout);
        var upgraded = rollout.AffectedTerminals.ToHashSet();

        Assert.Equal((ScopeType.Firmware, Cause.Software, GroundTruthKind.Decoy, 0.0), (rollout.ScopeType, rollout.Cause, rollout.Kind, rollout.Intensity));
        Assert.Equal(sim.Fleet.RollingOutFirmware, rollout.ScopeId);
        Assert.True(upgraded.Count > 30);
        var reached = events.Heartbeats().Where(h => upgraded.Contains(h.TerminalId) && h.Timestamp > rollout.End).ToList();
        Assert.All(reached, h => Assert.Equal(rollout.ScopeId, h.Firmware));
        var sales = events.Sales().Where(s => upgraded.Contains(s.TerminalId) && s.Timestamp > rollout.Start).ToList();
        Assert.True((double)sales.Count(s => s.Stage == Stage.App) / sales.Count < 0.01);
    }

    [Fact]
    public void Quiet_rollout_picks_another_version_when_a_fault_targets_the_rolling_one()
    {
        var sim = new Simulator(Options("software:firmware=3.2.2:at=1h") with { Decoys = Decoys.QuietRollout });

        Assert.NotEqual("3.2.2", Entry(sim, Decoys.QuietRollout).ScopeId);
    }

    [Fact]
    public void Maintenance_window_is_marked_as_maintenance_and_disturbs_its_gateway()
    {
        var (sim, events) = RunWith(Decoys.MaintenanceWindow, "gateway:gw-unionpay:at=30m");
        var window = Entry(sim, Decoys.MaintenanceWindow);
        var onGateway = sim.Fleet.Terminals.Where(t => t.Terminal.GatewayId == window.ScopeId).Select(t => t.Id).ToHashSet();

        Assert.Equal(GroundTruthKind.Maintenance, window.Kind);
        Assert.NotEqual("gw-unionpay", window.ScopeId);
        Assert.Equal(TimeSpan.FromMinutes(20), window.End - window.Start);
        Assert.True(events.Sales().Between(window.Start, window.End).Where(s => onGateway.Contains(s.TerminalId)).TimeoutShare(Stage.Gateway) > 0.4);
    }

    [Fact]
    public void Night_closing_closes_shops_mid_run_and_the_fleet_says_so()
    {
        var (sim, events) = RunWith(Decoys.NightClosing);
        var closing = sim.GroundTruth.Where(e => e.Spec == DecoyNames.Name(Decoys.NightClosing)).ToList();

        Assert.InRange(closing.Count, 3, 200);
        foreach (var e in closing)
        {
            var merchant = sim.Fleet.Merchants.Single(m => m.Merchant.Id == e.ScopeId);
            Assert.True(merchant.IsOpen(sim.Start));
            Assert.False(merchant.IsOpen(e.Start));
            Assert.Equal(merchant.Merchant.OpeningHours, sim.Fleet.Document.Merchants!.Single(m => m.Id == e.ScopeId).OpeningHours);
            Assert.DoesNotContain(events.Sales(), s => e.AffectedTerminals.Contains(s.TerminalId) && s.Timestamp >= e.Start && s.Timestamp < e.End);
        }
    }

    [Fact]
    public void Night_closing_records_shops_that_close_anyway_in_a_run_through_the_evening()
    {
        var sim = new Simulator(Options() with { Start = new DateTimeOffset(2026, 11, 25, 12, 0, 0, TimeSpan.Zero), Decoys = Decoys.NightClosing });
        var closing = sim.GroundTruth.Where(e => e.Spec == DecoyNames.Name(Decoys.NightClosing)).ToList();

        // 20:00 to 23:00 in Shanghai: plenty of shops close by themselves, none need their hours changed.
        Assert.True(closing.Count > 20);
        Assert.Equal(
            FleetGenerator.Generate(300, 7).Document.Merchants!.Select(m => m.OpeningHours),
            sim.Fleet.Document.Merchants!.Select(m => m.OpeningHours));
    }

    [Fact]
    public void All_decoys_together_with_faults_keep_kinds_apart()
    {
        var sim = new Simulator(Options("gateway:gw-unionpay:at=1h") with { Decoys = Decoys.All });

        Assert.Single(sim.GroundTruth, e => e.Kind == GroundTruthKind.Fault);
        Assert.Single(sim.GroundTruth, e => e.Kind == GroundTruthKind.Maintenance);
        foreach (var decoy in new[] { Decoys.Blip, Decoys.SparseTerminal, Decoys.QuietRollout })
            Assert.Equal(GroundTruthKind.Decoy, Entry(sim, decoy).Kind);
        Assert.Equal(sim.GroundTruth.OrderBy(e => e.Start).Select(e => e.Start), sim.GroundTruth.Select(e => e.Start));
    }
}
