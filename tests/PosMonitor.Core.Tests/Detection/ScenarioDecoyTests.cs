using PosMonitor.Core.Incidents;
using PosMonitor.Core.Simulation;

namespace PosMonitor.Core.Tests.Detection;

/// <summary>Situations that look odd but are normal: each must open nothing.</summary>
public class ScenarioDecoyTests
{
    /// <summary>
    /// A gateway failing most of its sales for a minute or so cannot be told from the onset of an outage before it has
    /// lasted longer than that, and an outage's incident must open within a minute of its evidence (the latency target):
    /// a hiccup spanning two of detection's minutes may open one incident, on its gateway, that resolves by itself once the
    /// quiet period has passed. What it must not do is open anywhere else or more than once.
    /// </summary>
    [Fact]
    public void A_gateway_hiccup_of_a_minute_opens_at_most_one_incident_on_it_that_resolves_by_itself()
    {
        var run = Scenarios.Run(Decoys.Blip);
        var blip = Assert.Single(run.GroundTruth, e => e.Spec == DecoyNames.Name(Decoys.Blip));
        Assert.True(run.Engine.Count <= 1, $"{run.Engine.Count} incidents");
        foreach (var incident in run.Engine)
        {
            Assert.Equal((Cause.Gateway, ScopeType.Gateway, blip.ScopeId), (incident.Cause, incident.ScopeType, incident.ScopeId));
            Assert.NotNull(incident.ResolvedAt);
            Assert.InRange(incident.ResolvedAt!.Value - blip.End, TimeSpan.Zero, TimeSpan.FromMinutes(15));
        }
        Assert.Empty(run.Problems);
    }

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
