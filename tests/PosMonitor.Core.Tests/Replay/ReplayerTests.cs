using System.Text.Json;
using PosMonitor.Core.Detection;
using PosMonitor.Core.Incidents;
using PosMonitor.Core.Replay;
using PosMonitor.Core.Telemetry;
using PosMonitor.Core.Tests.Simulation;

namespace PosMonitor.Core.Tests.Replay;

public class ReplayerTests
{
    private static (List<string> Changes, Replayer Replayer) Run(bool detectOnAnotherThread, int take = int.MaxValue, bool resend = false)
    {
        var (simulator, events) = SimulationRuns.Run("gateway:gw-unionpay:40%:30m:at=1h", "network:region=east:loss=40%:20m:at=2h");
        var replayer = new Replayer(Core.Fleet.Fleet.FromDocument(simulator.Fleet.Document), new DetectionSettings { WarmUp = TimeSpan.FromMinutes(20) })
        {
            DetectOnAnotherThread = detectOnAnotherThread,
        };
        var changes = new List<string>();
        replayer.Changed += c => changes.Add($"{c.Kind} {JsonSerializer.Serialize(IncidentBody.From(c.Incident), IncidentBody.Json)}");
        var list = events.Take(take).ToList();
        for (var i = 0; i < list.Count; i++)
        {
            Add(list[i]);
            // A resend of every third event, a few events later (as a terminal retrying a batch it got no answer for).
            if (resend && i >= 5 && i % 3 == 0) Add(list[i - 5]);
        }
        void Add(Core.Simulation.SimulatedEvent e)
        {
            if (e.Heartbeat is { } hb) replayer.Add(hb);
            else replayer.Add(e.Transaction!);
        }
        replayer.Finish();
        return (changes, replayer);
    }

    [Fact]
    public void Resent_events_are_skipped_as_the_live_api_skips_them()
    {
        var (once, a) = Run(detectOnAnotherThread: true);
        var (twice, b) = Run(detectOnAnotherThread: true, resend: true);

        Assert.NotEmpty(once);
        Assert.Equal(once, twice);
        Assert.Equal(0, a.Duplicates);
        Assert.True(b.Duplicates > 1000, $"{b.Duplicates} duplicates");
        Assert.Equal(a.Events + b.Duplicates, b.Events);
    }

    [Fact]
    public void The_same_id_at_another_time_or_of_the_other_kind_is_another_event()
    {
        var (simulator, _) = SimulationRuns.Run();
        var fleet = Core.Fleet.Fleet.FromDocument(simulator.Fleet.Document);
        var terminal = fleet.Terminals.Keys.First();
        var replayer = new Replayer(fleet, new DetectionSettings());
        var at = new DateTimeOffset(2026, 11, 25, 1, 0, 0, TimeSpan.Zero);
        Transaction Sale(DateTimeOffset t) => new()
        {
            EventId = "e-1", TerminalId = terminal, Timestamp = t, Outcome = Outcome.Approved, LatencyMs = 900,
        };
        replayer.Add(Sale(at));
        replayer.Add(Sale(at)); // a resend
        replayer.Add(Sale(at.AddMilliseconds(1))); // another sale that reused the id
        replayer.Add(new Heartbeat
        {
            EventId = "e-1", TerminalId = terminal, Timestamp = at, NetworkType = NetworkType.Wifi, LatencyMs = 40, PacketLossPct = 0,
            Firmware = "3.2.1", UptimeSec = 100, Printer = PrinterStatus.Ok, Scanner = ScannerStatus.Ok, PendingOffline = 0,
        });
        replayer.Finish();
        Assert.Equal((4L, 1L), (replayer.Events, replayer.Duplicates));
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
