using PosMonitor.Core.Incidents;
using PosMonitor.Core.Simulation;

namespace PosMonitor.Core.Tests.Detection;

/// <summary>Every cause at least twice: a subtle case near the noise and a severe one, or two scopes.</summary>
public class ScenarioFaultTests
{
    public static TheoryData<string> Faults => new(
    [
        "network:merchant=random:offline:20m:at=1h",
        "network:terminal=random:offline:20m:at=1h",
        "server:platform:40%:10m:at=1h",
        "server:platform:8%:10m:at=1h",
        "gateway:gateway=random:60%:15m:at=1h",
        "gateway:gateway=random:12%:15m:at=1h",
        "software:firmware=3.2.2:25%:30m:at=1h",
        "software:firmware=3.2.2:15%:30m:at=1h",
        "hardware:terminal=random:paper_out:30m:at=1h",
        "hardware:terminal=random:jam:30m:at=1h",
        "third_party:platform:50%:15m:at=1h",
        "third_party:region=random:20%:15m:at=1h",
        "operator:merchant=random:35%:40m:at=1h",
        "operator:merchant=random:20%:40m:at=1h",
        "network:region=random:loss=40%:20m:at=1h",
    ]);

    [Theory]
    [MemberData(nameof(Faults))]
    public void Fault_opens_one_incident_at_its_cause_and_scope(string fault) =>
        Scenarios.AssertOpenedExactlyTheFaults(Scenarios.Run(Decoys.None, fault));

    /// <summary>
    /// A firmware defect failing one sale in ten in the app on the few terminals running the version (29 of 200, about
    /// nine sales a minute between them) opens one software incident on the version, and nothing else. Its first failures
    /// were learned into the version's thin hour figures (and the platform's): its normal rose from 0.3% to 6% in under
    /// twenty minutes, and the fault never opened.
    /// </summary>
    [Fact]
    public void A_firmware_failing_one_sale_in_ten_on_few_terminals_opens_one_software_incident() =>
        Scenarios.AssertOpenedExactlyTheFaults(Scenarios.Run(Decoys.None, "software:firmware=3.2.2:10%:30m:at=1h"));

    /// <summary>
    /// That fault opens within a quarter hour of its start, the long window it is decided on. Its failures come a couple
    /// every few minutes, so a wide finding's failures in two minutes of the short window (the test of a burst within one minute)
    /// seldom showed: found from its eighth minute, it opened in its twenty-second.
    /// </summary>
    [Fact]
    public void A_firmware_failing_one_sale_in_ten_on_few_terminals_opens_within_the_long_window()
    {
        var run = Scenarios.Run(Decoys.None, "software:firmware=3.2.2:10%:30m:at=1h");
        var start = run.GroundTruth.Single(e => e.Kind == GroundTruthKind.Fault).Start;
        var incident = Assert.Single(run.Engine);
        Assert.InRange(incident.OpenedAt - start, TimeSpan.Zero, TimeSpan.FromMinutes(15));
    }

    /// <summary>
    /// A cashier's trouble in a quiet shop (a handful of sales left timing out at the PIN pad or cancelled over 45 minutes,
    /// never three in a quarter hour) opens one operator incident, on the shop or on the till that made most of them,
    /// and nothing else.
    /// </summary>
    [Fact]
    public void A_quiet_shop_s_cashier_trouble_opens_one_operator_incident_over_the_rare_window()
    {
        var run = Scenarios.Run(Decoys.None, "operator:merchant=quiet:30%:45m:at=1h");
        var fault = run.GroundTruth.Single(e => e.Kind == GroundTruthKind.Fault);
        Assert.Empty(run.Problems);
        var incident = Assert.Single(run.Engine);
        Assert.Equal(Cause.Operator, incident.Cause);
        Assert.True(incident.ScopeId == fault.ScopeId || fault.AffectedTerminals.Contains(incident.ScopeId),
            $"{incident.ScopeType} {incident.ScopeId}, not the shop {fault.ScopeId} or its tills");
        Assert.InRange(incident.OpenedAt, fault.Start, fault.End);
    }

    /// <summary>
    /// A terminal or a shop cut off, in a fleet that shows no routine gaps, opens within two minutes of the moment its
    /// silence showed (its start plus two heartbeat intervals, latency from evidence): nothing says its terminals are
    /// restarting (no rollout, no crashing build, no other terminal quiet), so it need not wait out a restart.
    /// </summary>
    [Theory]
    [InlineData("network:terminal=random:offline:20m:at=1h")]
    [InlineData("network:merchant=random:offline:20m:at=1h")]
    public void Terminals_going_offline_open_within_two_minutes_of_the_evidence(string fault)
    {
        var run = Scenarios.Run(Decoys.None, BackgroundNoise.None, fault);
        Scenarios.AssertOpenedExactlyTheFaults(run);
        var start = run.GroundTruth.Single(e => e.Kind == GroundTruthKind.Fault).Start;
        var latency = run.Engine.Single().OpenedAt - (start + TimeSpan.FromMinutes(2));
        Assert.True(latency < TimeSpan.FromMinutes(2), $"opened {latency} after the evidence");
    }

    /// <summary>
    /// Over an estate's background a lone terminal cut off waits out the longest gap the fleet lately showed ending on its
    /// own (link drops of up to three minutes, a lost heartbeat after one): more than two minutes after the evidence, but
    /// never more than the longest routine gap the detection takes (five minutes) and two intervals.
    /// </summary>
    [Fact]
    public void A_terminal_going_offline_over_the_background_opens_once_it_outlasts_the_fleet_s_routine_gaps()
    {
        var run = Scenarios.Run(Decoys.None, "network:terminal=random:offline:20m:at=1h");
        Scenarios.AssertOpenedExactlyTheFaults(run);
        var start = run.GroundTruth.Single(e => e.Kind == GroundTruthKind.Fault).Start;
        var latency = run.Engine.Single().OpenedAt - start;
        Assert.InRange(latency, TimeSpan.FromMinutes(3), TimeSpan.FromMinutes(7.5));
    }
}
