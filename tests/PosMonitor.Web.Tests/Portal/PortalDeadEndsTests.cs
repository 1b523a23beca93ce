using System.Net;
using PosMonitor.Web.Tests.Identity;

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
