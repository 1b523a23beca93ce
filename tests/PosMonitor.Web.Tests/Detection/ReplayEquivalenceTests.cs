using System.Text;
using Microsoft.Extensions.DependencyInjection;
using PosMonitor.Core.Detection;
using PosMonitor.Core.Fleet;
using PosMonitor.Core.Incidents;
using PosMonitor.Core.Replay;
using PosMonitor.Core.Telemetry;
using PosMonitor.Web.Features.Detection;
using PosMonitor.Web.Features.Identity;
using PosMonitor.Web.Features.Incidents;
using static PosMonitor.Web.Tests.Telemetry.TelemetryJson;

namespace PosMonitor.Web.Tests.Detection;

/// <summary>src/PosMonitor.Core/Replay/replay.md: "a replay and a live run of the same data open the same incidents at the same times".</summary>
public class ReplayEquivalenceTests
{
    private static readonly DateTimeOffset Start = DetectionFactory.Monday9Utc;

    [Fact]
    public async Task The_live_server_and_a_replay_of_the_same_events_open_the_same_incidents_at_the_same_times()
    {
        var fleet = LiveTraffic.Fleet();
        var traffic = new LiveTraffic(seed: 11)
        {
            Fault = (terminal, gw, at) =>
                gw == "gw-c" && at >= Start.AddMinutes(9) && at < Start.AddMinutes(13) ? (0.5, "timeout", "gateway")
                : terminal.StartsWith("T-south-3-", StringComparison.Ordinal) && at >= Start.AddMinutes(11) ? (0.6, "timeout", "connect")
                : null,
        };
        var replayed = await LiveAndReplayed(fleet, traffic.Generate(fleet, Start, Start.AddMinutes(31)).ToList());
        Assert.Contains(replayed, i => i.ScopeId == "gw-c" && i.ResolvedAt is not null);
        Assert.Contains(replayed, i => i.ScopeId == "m-south-3" && i.ResolvedAt is null);
    }

    [Fact]
    public async Task Events_delivered_after_the_live_window_gave_up_their_minute_count_as_in_a_replay()
    {
        var fleet = LiveTraffic.Fleet();
        var traffic = new LiveTraffic(seed: 12)
        {
            Fault = (terminal, _, at) => terminal == "T-south-3-1" && at >= Start.AddMinutes(10) ? (0.6, "timeout", "connect") : null,
        };
        // The till's sales from minute 10 to 16 reach us only at 19:30, queued offline while its heartbeats still came: by
        // then the live window has given up the rows of minutes 10 to 15 once read (LiveMinuteWindow.SealAfter), and the
        // runs take those sales as additions to what they read; the replay reads them into whole minutes.
        var events = traffic.Generate(fleet, Start, Start.AddMinutes(31))
            .Select(e => !e.IsHeartbeat && e.Json.Contains("\"T-south-3-1\"", StringComparison.Ordinal) && e.At >= Start.AddMinutes(10) && e.At < Start.AddMinutes(17)
                ? e with { At = Start.AddMinutes(19.5) } : e)
            .OrderBy(e => e.At)
            .ToList();
        var replayed = await LiveAndReplayed(fleet, events, atLeast: 1, (minute, batch) =>
        {
            // The live run did take them as additions: a minute given up holds the till's late sales alone.
            if (minute != Start.AddMinutes(15)) return;
            Assert.True(batch.Changes!.Increments);
            Assert.Equal(["T-south-3-1"], batch.Terminals.Select(r => r.TerminalId).Distinct());
        });
        Assert.Contains(replayed, i => i.ScopeId == "T-south-3-1");
    }

    /// <summary>
    /// Sends <paramref name="events"/> to the live server as their <see cref="TestEvent.At"/> comes (the delivery time;
    /// the event's own time is in its JSON) with a detection run every tick, replays them in the same order, and asserts
    /// both opened and resolved the same incidents at the same times: the replay's.
    /// </summary>
    private static async Task<IReadOnlyList<Incident>> LiveAndReplayed(FleetDocument fleet, List<TestEvent> events, int atLeast = 2,
        Action<DateTimeOffset, MinuteBatch>? window = null)
    {
        // The replay's clock starts at the first event: one at the very start aligns its checks with the live ones.
        var marker = new TestEvent(Start, true, LiveTraffic.WithType(Heartbeat("hb-start", "T-east-1-1", Start, firmware: "1.0.0"), "heartbeat"));
        events.Insert(0, marker);

        await using var factory = new DetectionFactory();
        await factory.PutFleetAsync(fleet);
        await DetectionRunnerTests.RunUntil(factory, factory.Services.GetRequiredService<DetectionRunner>(),
            new Queue<TestEvent>(events), Start.AddMinutes(30));
        var held = factory.Services.GetRequiredService<LiveMinuteWindow>().Between(Start, Start.AddMinutes(31));
        foreach (var batch in held) window?.Invoke(batch.Minute, batch);
        Assert.True(window is null || held.Any(b => b.Minute == Start.AddMinutes(15)), "minute 15 is no longer in the window");
        var live = await factory.Services.GetRequiredService<IncidentRepository>()
            .ListAsync(new Viewer(true, null, false), IncidentStatus.All, null, 100, CancellationToken.None);

        var replayer = new Replayer(Core.Fleet.Fleet.FromDocument(fleet), new DetectionSettings { WarmUp = TimeSpan.FromMinutes(5) });
        var file = new MemoryStream(Encoding.UTF8.GetBytes(string.Join("\n", events.Where(e => e.At <= Start.AddMinutes(30)).Select(LiveTraffic.Line))));
        new EventFileReader(file, Core.Fleet.Fleet.FromDocument(fleet)).ReadAll(e =>
        {
            if (e is Heartbeat hb) replayer.Add(hb);
            else replayer.Add((Transaction)e);
        });
        replayer.Finish();

        static string Describe(Incident i) =>
            $"{i.Id} {Causes.Name(i.Cause)} {Causes.Name(i.ScopeType)} {i.ScopeId} opened {i.OpenedAt:HH:mm:ss} resolved {i.ResolvedAt:HH:mm:ss} "
            + $"{i.AffectedMerchants}m/{i.AffectedTerminals}t peak {i.PeakRate:0.####}: {i.Title} / {string.Join(" / ", i.Evidence)}";
        var expected = replayer.Incidents.Select(Describe).ToList();
        Assert.True(expected.Count >= atLeast, string.Join("\n", expected));
        Assert.Equal(expected, live.OrderBy(i => i.Id).Select(Describe));
        return replayer.Incidents;
    }
}
