using System.Globalization;
using System.Security.Claims;
using Bunit;
using Bunit.TestDoubles;
using Microsoft.Extensions.DependencyInjection;
using PosMonitor.Web.Features.Admin;
using PosMonitor.Web.Features.Audit;
using PosMonitor.Web.Features.Feedback;
using PosMonitor.Web.Features.Fleet;
using PosMonitor.Web.Features.Identity;
using PosMonitor.Web.Infrastructure.Time;
using PosMonitor.Web.Features.Portal;
using PosMonitor.Web.Features.Terminals;
using PosMonitor.Web.Tests.Infrastructure;
using PosMonitor.Web.Tests.Terminals;

namespace PosMonitor.Web.Tests.Identity;

/// <summary>
/// Dates as each page writes them, in the reader's culture and zone: the terminal page, the feedback inbox, the audit
/// log, the API keys and the owner's portal, read two days after a Monday 17:00 in Shanghai (09:00 UTC).
/// </summary>
public sealed class ReaderDatesTests : BunitTest, IAsyncLifetime
{
    private readonly DeviceNoticePortal _portal = new();
    private BunitAuthorizationContext _auth = default!;

    public async ValueTask InitializeAsync()
    {
        _auth = AddAuthorization();
        _auth.SetAuthorized(PortalFactory.Operator).SetRoles(Roles.Operator, Roles.Admin);
        Services.AddScoped(_ => new DisplayTime(TimeZoneInfo.FindSystemTimeZoneById("Asia/Shanghai"), _portal.Clock));
        Services.AddSingleton(_ => _portal.Services.GetRequiredService<ApiKeyRepository>());
        Services.AddSingleton(_ => _portal.Services.GetRequiredService<FleetRepository>());
        await _portal.StartAsync(this);
    }

    public new async ValueTask DisposeAsync()
    {
        await base.DisposeAsync();
        await _portal.DisposeAsync();
    }

    [Theory]
    [InlineData("en", "November 23 17:00", "November 23, 2026 17:00")]
    [InlineData("zh-CN", "11月23日 17:00", "2026年11月23日 17:00")]
    public async Task Every_page_writes_an_earlier_day_as_the_reader_s_culture_does(string culture, string moment, string dateAndTime)
    {
        using var _ = CultureScope.Use(CultureInfo.GetCultureInfo(culture));
        var owner = new ClaimsPrincipal(new ClaimsIdentity(
            [new Claim(ClaimTypes.NameIdentifier, "owner-1"), new Claim(ClaimTypes.Name, PortalFactory.Owner1), new Claim(ClaimTypes.Role, Roles.MerchantOwner),
             new Claim(PosClaims.MerchantId, "m-0001")], "test"));
        // Monday 09:00 UTC, 17:00 in Shanghai: a timeout report (audited) and a heartbeat; then two days pass.
        await _portal.Services.CreateScope().ServiceProvider.GetRequiredService<FeedbackService>().ReportTimeoutNowAsync(owner, "T-000001", CancellationToken.None);
        await _portal.HeartbeatAsync("T-000001", "ok");
        _portal.Clock.Advance(TimeSpan.FromDays(2));

        var terminal = Render<TerminalPage>(p => p.Add(x => x.Id, "T-000001"));
        terminal.WaitForAssertion(() => Assert.Contains($"{moment}:00", terminal.Markup)); // last seen, to the second

        var inbox = Render<FeedbackInboxPage>();
        inbox.WaitForAssertion(() => Assert.Contains(moment, inbox.Markup));

        var audit = Render<AuditLogPage>();
        audit.WaitForAssertion(() => Assert.Contains($"{dateAndTime}:00", audit.Markup));

        var keys = Render<KeyManager>();
        keys.WaitForAssertion(() => Assert.Contains(dateAndTime, keys.Markup)); // the bootstrap key, made as the portal started

        _auth.SetAuthorized(PortalFactory.Owner1).SetRoles(Roles.MerchantOwner).SetClaims(new Claim(PosClaims.MerchantId, "m-0001"));
        var portal = Render<MyPortalPage>();
        portal.WaitForAssertion(() => Assert.Contains(moment, portal.Markup)); // the terminal's last sale or heartbeat

        foreach (var page in new IRenderedComponent<Microsoft.AspNetCore.Components.IComponent>[] { terminal, inbox, audit, keys, portal })
        {
            Assert.DoesNotContain("2026-11-23", page.Markup);
            Assert.DoesNotContain("11-23 17:00", page.Markup);
            Assert.DoesNotContain("11/23/2026", page.Markup);
        }
    }
}
