using PosMonitor.Core.Simulation;

namespace PosMonitor.Core.Tests.Detection;

/// <summary>Situations that look odd but are normal: each must open nothing.</summary>
public class ScenarioDecoyTests
{
    [Fact]
    public void One_minute_gateway_blip_opens_nothing() => Scenarios.AssertOpenedNothing(Scenarios.Run(Decoys.Blip));

    [Fact]
    public void Merchants_closing_for_the_night_open_nothing() => Scenarios.AssertOpenedNothing(Scenarios.Run(Decoys.NightClosing));

    [Fact]
    public void Terminal_with_one_timeout_in_two_sales_opens_nothing() => Scenarios.AssertOpenedNothing(Scenarios.Run(Decoys.SparseTerminal));

    [Fact]
    public void Stores_that_always_run_hot_open_nothing() => Scenarios.AssertOpenedNothing(Scenarios.Run(Decoys.HotStores));

    [Fact]
    public void Firmware_rollout_without_defect_opens_nothing() => Scenarios.AssertOpenedNothing(Scenarios.Run(Decoys.QuietRollout));

    [Fact]
    public void Gateway_down_inside_its_maintenance_window_opens_nothing()
    {
        var run = Scenarios.Run(Decoys.MaintenanceWindow);
        Assert.Contains(run.GroundTruth, e => e.Kind == GroundTruthKind.Maintenance);
        Scenarios.AssertOpenedNothing(run);
    }
}
