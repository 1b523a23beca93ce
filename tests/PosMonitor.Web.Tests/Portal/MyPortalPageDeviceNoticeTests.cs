using System.Security.Claims;
using Bunit;
using Microsoft.Extensions.DependencyInjection;
using PosMonitor.Web.Features.Identity;
using PosMonitor.Web.Features.Incidents;
using PosMonitor.Web.Features.Portal;
using PosMonitor.Web.Infrastructure.Time;
using PosMonitor.Web.Tests.Infrastructure;
using PosMonitor.Web.Tests.Terminals;

namespace PosMonitor.Web.Tests.Portal;

public sealed class MyPortalPageDeviceNoticeTests : BunitTest, IAsyncLifetime
{
    private readonly DeviceNoticePortal _portal = new();

    public async ValueTask InitializeAsync()
    {
        AddAuthorization().SetAuthorized(Identity.PortalFactory.Owner1).SetRoles(Roles.MerchantOwner)
            .SetClaims(new Claim(PosClaims.MerchantId, "m-0001"));
        // An owner reads their shop's zone (Shanghai, UTC+8).
        Services.AddScoped(_ => new DisplayTime(TimeZoneInfo.FindSystemTimeZoneById("Asia/Shanghai")));
        await _portal.StartAsync(this);
    }

    public new async ValueTask DisposeAsync()
    {
        await base.DisposeAsync();
        await _portal.DisposeAsync();
    }

    [Fact]
    public async Task The_owner_sees_the_device_notice_of_their_own_terminal_with_what_to_do_and_not_another_merchant_s()
    {
        await _portal.HeartbeatAsync("T-000002", "ok");
        await _portal.HeartbeatAsync("T-000003", "jam"); // m-0002's
        await _portal.HeartbeatAsync("T-000001", "paper_out"); // 09:02 UTC
        await _portal.HeartbeatAsync("T-000001", "paper_out");

        var page = Render<MyPortalPage>();

        page.WaitForAssertion(() =>
        {
            var notice = Assert.Single(page.FindAll("[data-testid=device-notice]"));
            Assert.Equal(("T-000001", "printer_paper_out"), (notice.GetAttribute("data-terminal"), notice.GetAttribute("data-state")));
            Assert.Contains("T-000001 (Nanjing Rd)", notice.TextContent);
            Assert.Equal("since 17:02", notice.QuerySelector("[data-testid=device-notice-since]")!.TextContent);
            Assert.Contains("Change the paper roll", notice.TextContent);
            Assert.Contains("not an incident yet", notice.TextContent);
        });
        Assert.DoesNotContain("T-000003", page.Markup);
        Assert.DoesNotContain("Printer jammed", page.Markup);
    }

    [Fact]
    public async Task An_incident_opening_on_the_owner_s_terminal_brings_its_notice_to_the_open_page_without_the_clock_moving()
    {
        for (var i = 0; i < 7; i++) await _portal.HeartbeatAsync("T-000001", "ok");
        var page = Render<MyPortalPage>();
        page.WaitForAssertion(() => Assert.NotNull(page.Find("[data-testid=no-incidents]")));

        // Past DevicePersistence (10 min): a hardware incident opens, and the ticket feeder posts the owner its notice.
        for (var i = 0; i < 12; i++) await _portal.HeartbeatAsync("T-000001", "paper_out");
        var incident = Assert.Single(await _portal.Services.GetRequiredService<IncidentRepository>().OpenAsync(CancellationToken.None));

        // The fake clock stands still from here: the notice must follow the ticket feeder's change, not a timer.
        page.WaitForAssertion(() => Assert.Contains(incident.Id, page.Find("[data-testid=my-notices]").TextContent), TimeSpan.FromSeconds(10));
    }
}
