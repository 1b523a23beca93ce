using System.Net;
using PosMonitor.Web.Tests.Identity;
using static PosMonitor.Web.Tests.Telemetry.TelemetryJson;

namespace PosMonitor.Web.Tests.Terminals;

public sealed class TerminalPageTests(PortalFactory factory) : IClassFixture<PortalFactory>
{
    [Fact]
    public async Task The_terminal_page_names_its_region_gateway_and_network_in_words()
    {
        await factory.SeedAsync();
        var posted = await factory.AdminClient().PostAsync("/api/v1/telemetry",
            Content(Body(heartbeats: [Heartbeat("hb-terminal-page", "T-000001", DateTimeOffset.UtcNow)])));
        Assert.Equal(HttpStatusCode.Accepted, posted.StatusCode);
        var admin = await factory.SignedInAsync(PortalFactory.Admin);
        admin.DefaultRequestHeaders.AcceptLanguage.ParseAdd("zh-CN");

        // The terminal's state follows the 202 by a moment (it is folded in after the commit).
        await factory.TelemetryDeliveredAsync();
        var page = WebUtility.HtmlDecode(await admin.GetStringAsync("/terminals/T-000001"));

        Assert.Contains("华东", page); // the region's name in the reader's language, not its id "east" nor the fleet's "East China"
        Assert.Contains("UnionPay", page);
        Assert.Contains("<b>Wi-Fi</b>", page);
        Assert.DoesNotContain("<b>wifi</b>", page);
    }

    [Fact]
    public async Task A_wired_terminal_shows_no_signal_reading_and_no_signal_chart()
    {
        await factory.SeedAsync();
        var wired = Heartbeat("hb-terminal-wired", "T-000002", DateTimeOffset.UtcNow)
            .Replace("\"type\": \"wifi\", \"signalDbm\": -60", "\"type\": \"ethernet\", \"signalDbm\": 0", StringComparison.Ordinal);
        var posted = await factory.AdminClient().PostAsync("/api/v1/telemetry", Content(Body(heartbeats: [wired])));
        Assert.Equal(HttpStatusCode.Accepted, posted.StatusCode);
        var admin = await factory.SignedInAsync(PortalFactory.Admin);

        await factory.TelemetryDeliveredAsync();
        var page = WebUtility.HtmlDecode(await admin.GetStringAsync("/terminals/T-000002"));

        Assert.Contains("<b>Ethernet</b>", page);
        Assert.Contains("<b>wired (no radio)</b>", page);
        Assert.DoesNotContain("0 dBm", page);
        Assert.DoesNotContain("Signal, weakest (dBm)", page);
    }
}
