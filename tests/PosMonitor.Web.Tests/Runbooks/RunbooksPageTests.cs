using PosMonitor.Web.Tests.Identity;

namespace PosMonitor.Web.Tests.Runbooks;

/// <summary>The portal seeds the default runbooks at start-up and serves their pages.</summary>
public class RunbooksPageTests(PortalFactory factory) : IClassFixture<PortalFactory>
{
    // Runbooks are for staff: a support agent reads them.
    private async Task<HttpClient> AgentAsync()
    {
        await factory.SeedAsync();
        return await factory.SignedInAsync(PortalFactory.Agent);
    }

    [Fact]
    public async Task The_list_shows_the_seeded_runbooks()
    {
        var html = await (await AgentAsync()).GetStringAsync("/runbooks");

        Assert.Contains("Payment gateway degradation", html);
        Assert.Contains("/runbooks/rb-operator-guidance", html);
    }

    [Theory]
    [InlineData(PortalFactory.Operator, false)]
    [InlineData(PortalFactory.Agent, false)]
    [InlineData(PortalFactory.Admin, true)]
    public async Task New_runbook_is_offered_only_to_those_who_may_write_one(string user, bool offered)
    {
        await factory.SeedAsync();

        var html = await (await factory.SignedInAsync(user)).GetStringAsync("/runbooks");

        Assert.Contains("Payment gateway degradation", html);
        Assert.Equal(offered, html.Contains("/runbooks/new/edit", StringComparison.Ordinal));
    }

    [Fact]
    public async Task The_runbook_page_shows_steps_in_the_viewer_s_language()
    {
        var client = await AgentAsync();
        client.DefaultRequestHeaders.AcceptLanguage.ParseAdd("zh-CN");

        // Prerendered HTML encodes CJK as character references.
        var html = System.Net.WebUtility.HtmlDecode(await client.GetStringAsync("/runbooks/rb-gateway-degradation"));

        Assert.Contains("联系网关服务商", html);
        Assert.Contains("升级联系人", html);
        Assert.Contains("门户自带的默认预案。", html); // the seeded version described in Chinese, not "Seeded from timeout-causes.md"
    }

    [Fact]
    public async Task Contacts_link_their_mail_and_phone_and_keep_a_webhook_s_token_to_admins_who_alone_may_edit()
    {
        var agentPage = System.Net.WebUtility.HtmlDecode(await (await AgentAsync()).GetStringAsync("/runbooks/rb-network-outage"));
        var adminPage = System.Net.WebUtility.HtmlDecode(await (await factory.SignedInAsync(PortalFactory.Admin)).GetStringAsync("/runbooks/rb-network-outage"));

        Assert.Contains("href=\"mailto:support-lead@acquirer.example\"", agentPage);
        Assert.Contains("href=\"tel:+862155550100\"", agentPage);
        Assert.Contains("oapi.dingtalk.com/…", agentPage);
        Assert.DoesNotContain("robot/send", agentPage);
        Assert.DoesNotContain("access_token", agentPage);
        Assert.DoesNotContain("data-testid=\"edit-runbook\"", agentPage);
        Assert.Contains("data-testid=\"edit-runbook\"", adminPage);
    }
}
