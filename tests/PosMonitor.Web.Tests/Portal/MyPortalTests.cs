using System.Net;
using Microsoft.Extensions.DependencyInjection;
using PosMonitor.Web.Features.Portal;
using PosMonitor.Web.Tests.Identity;
using PosMonitor.Web.Tests.Telemetry;

namespace PosMonitor.Web.Tests.Portal;

public class MyPortalTests(PortalFactory factory) : IClassFixture<PortalFactory>
{
    [Fact]
    public async Task A_terminal_never_heard_from_is_not_seen_yet_rather_than_offline()
    {
        await factory.SeedAsync();
        var body = TelemetryJson.Body(heartbeats: [TelemetryJson.Heartbeat($"h-{Guid.NewGuid():D}", "T-000001", DateTimeOffset.UtcNow)]);
        Assert.Equal(HttpStatusCode.Accepted, (await factory.AdminClient().PostAsync("/api/v1/telemetry", TelemetryJson.Content(body))).StatusCode);
        var portal = factory.Services.GetRequiredService<MerchantPortal>();
        IReadOnlyList<MyTerminal> mine = [];
        for (var i = 0; i < 50 && !mine.Any(t => t.Id == "T-000001" && t.Online); i++)
        {
            mine = await portal.TerminalsAsync("m-0001", default);
            await Task.Delay(100);
        }

        var seen = mine.Single(t => t.Id == "T-000001");
        var never = mine.Single(t => t.Id == "T-000002");
        Assert.Equal((true, false), (seen.Online, seen.NeverSeen));
        Assert.Equal((false, true), (never.Online, never.NeverSeen));
        var page = WebUtility.HtmlDecode(await (await factory.SignedInAsync(PortalFactory.Owner1)).GetStringAsync("/my"));
        Assert.Contains("Not seen yet", page);
        Assert.DoesNotContain(">Offline<", page);
    }
}
