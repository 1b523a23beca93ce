using System.Text.Json;
using PosMonitor.Core.Detection;
using PosMonitor.Core.Incidents;
using PosMonitor.Core.Replay;
using PosMonitor.Core.Tests.Simulation;

namespace PosMonitor.Core.Tests.Replay;

public class ReplayerTests
{
    private static (List<string> Changes, Replayer Replayer) Run(bool detectOnAnotherThread, int take = int.MaxValue)
    {
        var (simulator, events) = SimulationRuns.Run("gateway:gw-unionpay:40%:30m:at=1h", "network:region=east:loss=40%:20m:at=2h");
        var replayer = new Replayer(Core.Fleet.Fleet.FromDocument(simulator.Fleet.Document), new DetectionSettings { WarmUp = TimeSpan.FromMinutes(20) })
        {
            DetectOnAnotherThread = detectOnAnotherThread,
        };
        var changes = new List<string>();
        replayer.Changed += c => changes.Add($"{c.Kind} {JsonSerializer.Serialize(IncidentBody.From(c.Incident), IncidentBody.Json)}");
        foreach (var e in events.Take(take))
        {
            if (e.Heartbeat is { } hb) replayer.Add(hb);
            else replayer.Add(e.Transaction!);
        }
        replayer.Finish();
        return (changes, replayer);
    }

    [Fact]
    public void Detection_on_its_own_thread_makes_the_same_changes_in_the_same_order()
    {
        var (inline, a) = Run(detectOnAnotherThread: false);
        var (threaded, b) = Run(detectOnAnotherThread: true);

        Assert.NotEmpty(inline);
        Assert.Equal(inline, threaded);
        Assert.Equal((a.Events, a.Checks, a.LateEvents, a.Now), (b.Events, b.Checks, b.LateEvents, b.Now));
        Assert.Equal(a.Problems, b.Problems);
    }

    [Fact]
    public async Task A_replay_abandoned_half_way_lets_its_detection_thread_end()
    {
        var (simulator, events) = SimulationRuns.Run();
        var replayer = new Replayer(Core.Fleet.Fleet.FromDocument(simulator.Fleet.Document), new DetectionSettings()) { DetectOnAnotherThread = true };
        foreach (var e in events.Take(events.Count / 2).Where(e => e.Heartbeat is not null)) replayer.Add(e.Heartbeat!);

        replayer.Dispose();

        // Detection takes no more checks: finishing now is refused at once instead of waiting forever.
        var finished = Task.Run(() => Assert.ThrowsAny<InvalidOperationException>(replayer.Finish), TestContext.Current.CancellationToken);
        await finished.WaitAsync(TimeSpan.FromSeconds(30), TestContext.Current.CancellationToken);
    }
}
