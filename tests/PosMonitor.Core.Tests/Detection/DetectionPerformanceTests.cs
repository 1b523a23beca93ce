using Microsoft.Extensions.Time.Testing;
using PosMonitor.Core.Detection;
using PosMonitor.Core.Rollups;
using PosMonitor.Core.Telemetry;

namespace PosMonitor.Core.Tests.Detection;

public class DetectionPerformanceTests
{
    [Theory]
    [InlineData(1_000)]
    [InlineData(5_000)]
    public void One_evaluation_over_a_large_fleet_takes_milliseconds(int terminals)
    {
        var merchants = terminals / 4;
        var fleet = TrafficScenario.MakeFleet(merchantsPerRegion: merchants / 5, regions: ["r1", "r2", "r3", "r4", "r5"]);
        var settings = new DetectionSettings();
        var time = new FakeTimeProvider(TrafficScenario.Monday9Utc);
        var engine = new DetectionEngine(settings, time, new SequentialIncidentIdGenerator());
        var random = new Random(3);
        var minutes = new List<TerminalMinute>();
        var states = new Dictionary<string, TerminalState>();

        var elapsed = new List<double>();
        for (var tick = 0; tick < 24; tick++)
        {
            var now = time.GetUtcNow();
            var minute = TerminalMinute.MinuteOf(now);
            if (now == minute)
            {
                minutes.RemoveAll(m => m.Minute < now - settings.Lookback);
                foreach (var t in fleet.Terminals.Values)
                {
                    var m = new TerminalMinute(t.Id, minute) { Transactions = 2, Approved = 2, Heartbeats = 1, NetLatencySumMs = 80 };
                    if (random.NextDouble() < 0.01) { m.Timeouts++; m.Approved--; m.TimeoutsByStage[(int)Stage.Connect]++; }
                    minutes.Add(m);
                    states[t.Id] = new TerminalState { TerminalId = t.Id, LastSeenAt = now, LastHeartbeatAt = now, Firmware = "1.0.0" };
                }
            }
            var input = new DetectionInput { Fleet = fleet, Minutes = minutes, States = states };
            var started = System.Diagnostics.Stopwatch.GetTimestamp();
            engine.Evaluate(input);
            elapsed.Add(System.Diagnostics.Stopwatch.GetElapsedTime(started).TotalMilliseconds);
            time.Advance(settings.Interval);
        }
        var steady = elapsed.Skip(4).Order().ToList();
        var median = steady[steady.Count / 2];
        TestContext.Current.TestOutputHelper?.WriteLine($"{terminals} terminals: median {median:0.0} ms, max {steady[^1]:0.0} ms per evaluation");
        Assert.True(median < 500, $"median evaluation {median:0.0} ms");
    }
}
