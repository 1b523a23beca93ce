using PosMonitor.Core.Simulation;
using static PosMonitor.Core.Tests.Simulation.SimulationRuns;

namespace PosMonitor.Core.Tests.Simulation;

public class LiveSimulationTests
{
    private static readonly DateTimeOffset Now = new(2026, 11, 25, 4, 0, 0, TimeSpan.Zero);

    private static SimulationOptions Open(params string[] faults) => new()
    {
        Terminals = 100, Seed = 3, Start = Now.AddMinutes(-10), Duration = null, Faults = faults.Select(FaultSpec.Parse).ToArray(),
    };

    [Fact]
    public void Hands_out_each_due_event_once_in_order_as_the_clock_moves()
    {
        using var live = new LiveSimulation(Open());
        var taken = new List<SimulatedEvent>();
        for (var now = Now; now < Now.AddMinutes(5); now = now.AddSeconds(1))
        {
            var batch = live.TakeDue(now);
            // The background delays some events (as a TMS relays them): none is handed out before its stamp.
            Assert.All(batch.Heartbeats, h => Assert.True(h.Timestamp <= now));
            Assert.All(batch.Transactions, t => Assert.True(t.Timestamp <= now));
            taken.AddRange(batch.Heartbeats.Select(h => new SimulatedEvent(h, null)).Concat(batch.Transactions.Select(t => new SimulatedEvent(null, t))).OrderBy(e => e.Timestamp));
            Assert.True(live.NextDueAt > now);
        }
        var lastCall = Now.AddMinutes(5).AddSeconds(-1);
        var expected = new Simulator(Open()).Events().TakeWhile(e => e.ArrivesAt <= lastCall).ToList();
        Assert.Contains(expected, e => e.ArrivesAt - e.Timestamp > TimeSpan.FromSeconds(10));

        Assert.Equal(expected.Count, taken.Count);
        Assert.Equal(expected.Count, live.Delivered);
        Assert.Equal(expected.Select(Json).Order(), taken.Select(Json).Order());
    }

    [Fact]
    public void A_backlog_drains_over_several_calls()
    {
        using var live = new LiveSimulation(Open());

        var first = live.TakeDue(Now, max: 500);
        var second = live.TakeDue(Now, max: 500);

        Assert.Equal(500, first.Count);
        Assert.True(second.Count > 0);
        Assert.DoesNotContain(second.Heartbeats, h => first.Heartbeats.Any(f => f.EventId == h.EventId));
        Assert.True(live.TakeDue(Now.AddDays(-1)).IsEmpty);
    }

    [Fact]
    public void Runs_without_end_and_places_faults_ten_minutes_in_by_default()
    {
        using var live = new LiveSimulation(Open("gateway:gw-unionpay:50%"));

        Assert.Null(live.Simulator.End);
        var fault = Assert.Single(live.GroundTruth);
        Assert.Equal(Now, fault.Start);
        var late = live.TakeDue(Now.AddHours(30), max: 10_000);
        Assert.Equal(10_000, late.Count);
        Assert.Same(live.Simulator.Fleet.Document, live.Fleet);
    }
}
