using System.Net;
using PosMonitor.Web.Tests.Identity;
using PosMonitor.Web.Tests.Infrastructure;

namespace PosMonitor.Web.Tests.Portal;

/// <summary>Where an owner's links lead: their own pages, never a staff page that answers "access denied".</summary>
public class PortalDeadEndsTests(PortalFactory factory) : IClassFixture<PortalFactory>
{
    private async Task<HttpClient> OwnerAsync(string? language = null)
    {
        await factory.SeedAsync();
        var client = await factory.SignedInAsync(PortalFactory.Owner1);
        if (language is not null) client.DefaultRequestHeaders.AcceptLanguage.ParseAdd(language);
        return client;
    }

    [Theory]
    [InlineData(null, "Back to my terminals")]
    [InlineData("zh-CN", "返回我的终端")]
    public async Task An_owner_s_not_found_page_leads_back_to_their_terminals(string? language, string back)
    {
        var response = await (await OwnerAsync(language)).GetAsync("/terminals/T-000003"); // m-0002's

        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        var html = WebUtility.HtmlDecode(await response.Content.ReadAsStringAsync());
        Assert.Contains(back, html);
        Assert.Contains("href=\"/my\"", html);
        Assert.DoesNotContain("Back to operations", html);
        Assert.DoesNotContain("返回运营监控", html);
    }

    [Fact]
    public async Task Staff_not_found_page_still_leads_to_operations()
    {
        await factory.SeedAsync();
        var response = await (await factory.SignedInAsync(PortalFactory.Operator)).GetAsync("/no-such-page");

        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        Assert.Contains("Back to operations", await response.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task The_owner_s_page_links_each_terminal_to_its_own_page_whose_crumb_leads_back_to_it()
    {
        var client = await OwnerAsync();

        var my = await client.GetStringAsync("/my");
        Assert.Contains("href=\"/terminals/T-000001\"", my);
        Assert.Contains("href=\"/terminals/T-000002\"", my);
        var terminal = WebUtility.HtmlDecode(await client.GetStringAsync("/terminals/T-000001"));
        Assert.Contains("My terminals", terminal);
        Assert.Contains("href=\"/my\"", terminal);
        Assert.DoesNotContain(">Operations<", terminal);
    }
}

/// <summary>A shop outside its opening hours: closed until it opens, not "not seen yet" under "no known problem".</summary>
public class ClosedShopTests(PortalFactory factory) : IClassFixture<PortalFactory>
{
    [Theory]
    [InlineData("en", "Closed, opens {0}", "closed now and opens at {0}")]
    [InlineData("zh-CN", "休息中，{0} 开门", "现在休息，{0} 开门")]
    public async Task A_closed_shop_says_when_it_opens_instead_of_not_seen_under_a_green_banner(string language, string status, string banner)
    {
        await factory.SeedAsync();
        // Hours that start two hours from now in the shop's zone: the shop is closed whatever the time of the run.
        var local = TimeZoneInfo.ConvertTime(DateTimeOffset.UtcNow, TimeZoneInfo.FindSystemTimeZoneById("Asia/Shanghai"));
        var opens = TimeOnly.FromDateTime(local.DateTime).AddHours(2);
        opens = new TimeOnly(opens.Hour, 0);
        var fleet = TestFleet.Small();
        fleet.Merchants![0] = fleet.Merchants[0] with { OpeningHours = $"{opens:HH:mm}-{opens.AddHours(1):HH:mm}" };
        await factory.PutFleetAsync(fleet);
        var client = await factory.SignedInAsync(PortalFactory.Owner1);
        client.DefaultRequestHeaders.AcceptLanguage.ParseAdd(language);

        var html = WebUtility.HtmlDecode(await client.GetStringAsync("/my"));

        Assert.Contains(string.Format(status, opens.ToString("HH:mm")), html);
        Assert.Contains(string.Format(banner, opens.ToString("HH:mm")), html);
        Assert.DoesNotContain("data-testid=\"no-incidents\"", html);
        Assert.DoesNotContain("Not seen yet", html);
        Assert.DoesNotContain("从未上线", html);
    }
}
