using System.Text;
using Microsoft.Extensions.DependencyInjection;
using PosMonitor.Core.Detection;
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
        // The replay's clock starts at the first event: one at the very start aligns its checks with the live ones.
        var marker = new TestEvent(Start, true, LiveTraffic.WithType(Heartbeat("hb-start", "T-east-1-1", Start, firmware: "1.0.0"), "heartbeat"));
        var events = traffic.Generate(fleet, Start, Start.AddMinutes(31)).Prepend(marker).ToList();

        await using var factory = new DetectionFactory();
        await factory.PutFleetAsync(fleet);
        await DetectionRunnerTests.RunUntil(factory, factory.Services.GetRequiredService<DetectionRunner>(),
            new Queue<TestEvent>(events), Start.AddMinutes(30));
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
            + $"{i.AffectedMerchants}m/{i.AffectedTerminals}t";
        var expected = replayer.Incidents.Select(Describe).ToList();
        Assert.True(expected.Count >= 2, string.Join("\n", expected));
        Assert.Equal(expected, live.OrderBy(i => i.Id).Select(Describe));
        Assert.Contains(replayer.Incidents, i => i.ScopeId == "gw-c" && i.ResolvedAt is not null);
        Assert.Contains(replayer.Incidents, i => i.ScopeId == "m-south-3" && i.ResolvedAt is null);
    }
}
