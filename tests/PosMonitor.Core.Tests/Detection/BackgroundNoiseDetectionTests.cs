using PosMonitor.Core.Quality;
using PosMonitor.Core.Simulation;
using PosMonitor.Core.Telemetry;

namespace PosMonitor.Core.Tests.Detection;

/// <summary>
/// A real estate's background alone (lost heartbeats, link drops, paper rolls running out, reboots, skewed clocks, late
/// delivery, cancelled sales, hot stores, shops opening late and closing early) is no work for people: detection run over
/// it, exactly as <c>posmonitor replay</c> runs it, opens nothing.
/// </summary>
public class BackgroundNoiseDetectionTests
{
    [Theory]
    [InlineData(21)]
    [InlineData(22)]
    public void A_fleet_with_only_background_noise_opens_no_incident(int seed)
    {
        var run = ScenarioRun.Execute(new SimulationOptions
        {
            Terminals = 300,
            Seed = seed,
            Start = new DateTimeOffset(2026, 11, 25, 1, 0, 0, TimeSpan.Zero),
            Duration = TimeSpan.FromHours(6),
            Background = BackgroundNoise.Default,
            Decoys = Decoys.HotStores,
        });
        Scenarios.AssertOpenedNothing(run);
    }

    [Fact]
    public void The_background_really_holds_the_noise_detection_must_not_open_on()
    {
        // Guards the test above: a background that produced nothing would pass it trivially.
        var events = new Simulator(new SimulationOptions
        {
            Terminals = 300,
            Seed = 21,
            Start = new DateTimeOffset(2026, 11, 25, 1, 0, 0, TimeSpan.Zero),
            Duration = TimeSpan.FromHours(6),
            Background = BackgroundNoise.Default,
        }).Events().ToList();
        Assert.Contains(events, e => e.Heartbeat?.Printer == PrinterStatus.PaperOut);
        Assert.Contains(events, e => e.Heartbeat?.PendingOffline > 0);
        Assert.Contains(events, e => e.Transaction?.Outcome == Outcome.Cancelled);
        Assert.Contains(events, e => e.Transaction is { Outcome: Outcome.Timeout, Stage: Stage.Print });
    }
}
