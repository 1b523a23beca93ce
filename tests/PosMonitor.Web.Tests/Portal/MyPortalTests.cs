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
        await factory.TelemetryDeliveredAsync();
        var mine = await portal.TerminalsAsync("m-0001", default);

        var seen = mine.Single(t => t.Id == "T-000001");
        var never = mine.Single(t => t.Id == "T-000002");
        Assert.Equal((true, false), (seen.Online, seen.NeverSeen));
        Assert.Equal((false, true), (never.Online, never.NeverSeen));
        var page = WebUtility.HtmlDecode(await (await factory.SignedInAsync(PortalFactory.Owner1)).GetStringAsync("/my"));
        // Outside the shop's hours (10:00-22:00 Shanghai) a terminal not seen is "closed", not "not seen yet".
        Assert.Contains(portal.OpensAt("m-0001") is { } opens ? $"Closed, opens {opens:HH:mm}" : "Not seen yet", page);
        Assert.DoesNotContain(">Offline<", page);
    }
}
