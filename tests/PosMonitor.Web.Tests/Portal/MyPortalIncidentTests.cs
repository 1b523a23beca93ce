using System.Net;
using Microsoft.Extensions.DependencyInjection;
using PosMonitor.Web.Features.Fleet;
using PosMonitor.Web.Features.Incidents;
using PosMonitor.Web.Tests.Identity;

namespace PosMonitor.Web.Tests.Portal;

/// <summary>What an owner reads of an incident on a phone: the banner and the notices say the same (incident-state.md).</summary>
public class MyPortalIncidentTests(PortalFactory factory) : IClassFixture<PortalFactory>
{
    [Theory]
    [InlineData("en", "Payments through UnionPay are slow or failing.", "Affected terminals: T-000001, T-000002",
        "tell customers that UnionPay payments are failing right now")]
    [InlineData("zh-CN", "通过 UnionPay 的支付响应缓慢或失败", "受影响终端：T-000001, T-000002", "请告知顾客目前 UnionPay 支付无法正常使用")]
    public async Task The_banner_names_the_provider_and_the_owner_s_terminals_and_gives_the_notice_s_one_piece_of_advice(
        string culture, string problem, string terminals, string advice)
    {
        await factory.SeedAsync();
        await factory.Services.GetRequiredService<FleetCache>().ReloadAsync(default);
        var incident = await factory.Services.GetRequiredService<IncidentTickets>().CreateManualAsync(
            $"UnionPay down ({culture})", Core.Incidents.Cause.Gateway, Core.Incidents.Severity.Critical, Core.Incidents.ScopeType.Gateway, "gw-unionpay",
            ["m-0001"], "alice", default);
        var owner = await factory.SignedInAsync(PortalFactory.Owner1);
        owner.DefaultRequestHeaders.AcceptLanguage.ParseAdd(culture);

        var page = WebUtility.HtmlDecode(await owner.GetStringAsync("/my"));

        // Banners come first, each ending with its incident's id; the notices follow.
        var end = page.IndexOf(incident.Id, StringComparison.Ordinal);
        var alert = page[page.LastIndexOf("data-testid=\"my-incident\"", end, StringComparison.Ordinal)..end];
        Assert.Contains(problem, alert);
        Assert.Contains(terminals, alert);
        Assert.Contains(advice, alert);
        // The notice posted to this owner gives the very same advice.
        var notices = page[page.IndexOf("data-testid=\"my-notices\"", StringComparison.Ordinal)..];
        Assert.Contains(advice, notices);
    }
}
