using System.Net;
using Microsoft.Extensions.DependencyInjection;
using PosMonitor.Web.Features.Identity;

namespace PosMonitor.Web.Tests.Identity;

/// <summary>For each role, the pages it may open and those it may not (then it gets the access-denied page).</summary>
public class PageAccessTests(PortalFactory factory) : IClassFixture<PortalFactory>
{
    private const string Ok = "ok", Denied = "denied", SignIn = "sign-in", MyHome = "my";

    public static TheoryData<string, string, string> Matrix()
    {
        var data = new TheoryData<string, string, string>();
        // page → expected for admin, operator, agent, owner
        (string Page, string Admin, string Operator, string Agent, string Owner)[] rows =
        [
            ("/", Ok, Ok, Ok, MyHome),
            ("/merchants", Ok, Ok, Ok, Denied),
            ("/incidents", Ok, Ok, Ok, Denied),
            ("/admin", Ok, Denied, Denied, Denied),
            ("/admin/ingestion", Ok, Denied, Denied, Denied),
            ("/admin/detection", Ok, Denied, Denied, Denied),
            ("/admin/notifications", Ok, Denied, Denied, Denied),
            ("/runbooks", Ok, Ok, Ok, Denied),
            ("/runbooks/rb-gateway-degradation/edit", Ok, Denied, Denied, Denied),
            ("/incidents/figures", Ok, Ok, Ok, Denied),
            ("/admin/users", Ok, Denied, Denied, Denied),
            ("/admin/keys", Ok, Denied, Denied, Denied),
            ("/admin/wall-tokens", Ok, Denied, Denied, Denied),
            ("/admin/audit", Ok, Denied, Denied, Denied),
            ("/admin/maintenance", Ok, Denied, Denied, Denied),
            ("/account/two-factor", Ok, Ok, Ok, Denied),
            ("/feedback", Ok, Denied, Ok, Denied),
            ("/feedback/overview", Ok, Ok, Ok, Denied),
            ("/my", Denied, Denied, Denied, Ok),
            ("/my/feedback", Denied, Denied, Denied, Ok),
            ("/my/help/timeout", Denied, Denied, Denied, Ok),
        ];
        foreach (var r in rows)
        {
            data.Add(PortalFactory.Admin, r.Page, r.Admin);
            data.Add(PortalFactory.Operator, r.Page, r.Operator);
            data.Add(PortalFactory.Agent, r.Page, r.Agent);
            data.Add(PortalFactory.Owner1, r.Page, r.Owner);
            data.Add("", r.Page, SignIn);
        }
        return data;
    }

    [Theory]
    [MemberData(nameof(Matrix))]
    public async Task Each_role_reaches_only_its_pages(string email, string page, string expected)
    {
        await factory.SeedAsync();
        var client = email == "" ? factory.Browser() : await factory.SignedInAsync(email);

        var response = await client.GetAsync(page);

        var outcome = response.StatusCode switch
        {
            HttpStatusCode.OK => Ok,
            HttpStatusCode.Redirect when response.Headers.Location!.OriginalString == "/my" => MyHome,
            HttpStatusCode.Redirect when response.Headers.Location!.AbsolutePath == "/account/denied" => Denied,
            HttpStatusCode.Redirect when response.Headers.Location!.AbsolutePath == "/account/sign-in" => SignIn,
            _ => $"{(int)response.StatusCode} {response.Headers.Location}",
        };
        Assert.Equal(expected, outcome);
    }

    [Theory]
    [InlineData("/healthz")]
    [InlineData("/readyz")]
    [InlineData("/account/sign-in")]
    [InlineData("/account/denied")]
    [InlineData("/culture?name=zh-CN&redirect=/")]
    [InlineData("/app.css")]
    public async Task Public_paths_stay_reachable_without_signing_in(string path)
    {
        var response = await factory.Browser().GetAsync(path);
        Assert.True(response.StatusCode is HttpStatusCode.OK or HttpStatusCode.Redirect, $"{path}: {(int)response.StatusCode}");
        if (response.StatusCode == HttpStatusCode.Redirect)
            Assert.DoesNotContain("/account/sign-in", response.Headers.Location!.OriginalString);
    }

    [Fact]
    public async Task The_circuit_endpoint_needs_a_signed_in_browser()
    {
        await factory.SeedAsync();
        var anonymous = await factory.Browser().PostAsync("/_blazor/negotiate?negotiateVersion=1", null);
        var signedIn = await (await factory.SignedInAsync(PortalFactory.Owner1)).PostAsync("/_blazor/negotiate?negotiateVersion=1", null);

        Assert.NotEqual(HttpStatusCode.OK, anonymous.StatusCode);
        Assert.Equal(HttpStatusCode.OK, signedIn.StatusCode);
    }

    [Fact]
    public async Task A_wall_display_token_signs_in_to_the_wall_and_nothing_else()
    {
        await factory.SeedAsync();
        var key = await factory.CreateKeyAsync(Scopes.Display);
        var wall = factory.Browser();

        var signIn = await PortalSession.PostWallSignInAsync(wall, key);

        Assert.Equal(HttpStatusCode.Redirect, signIn.StatusCode);
        Assert.Equal("/wall", signIn.Headers.Location!.AbsolutePath);
        Assert.Equal(HttpStatusCode.OK, (await wall.PostAsync("/_blazor/negotiate?negotiateVersion=1", null)).StatusCode);
        foreach (var page in new[] { "/", "/merchants", "/admin/keys", "/feedback", "/my", "/incidents" })
        {
            var response = await wall.GetAsync(page);
            Assert.True(response.StatusCode == HttpStatusCode.Redirect && response.Headers.Location!.AbsolutePath == "/account/denied",
                $"{page}: {(int)response.StatusCode} {response.Headers.Location}");
        }
    }

    [Fact]
    public async Task A_revoked_wall_token_ends_the_displays_session()
    {
        await factory.SeedAsync();
        var key = await factory.CreateKeyAsync(Scopes.Display);
        var wall = factory.Browser();
        await PortalSession.PostWallSignInAsync(wall, key);
        Assert.Equal(HttpStatusCode.OK, (await wall.PostAsync("/_blazor/negotiate?negotiateVersion=1", null)).StatusCode);
        var keys = await factory.Services.GetRequiredService<ApiKeyRepository>().ListAsync(CancellationToken.None);
        var id = keys.First(k => k.Scope == Scopes.Display && k.Revoked is null).Id;

        (await factory.AdminClient().DeleteAsync($"/api/v1/keys/{id}")).EnsureSuccessStatusCode();

        Assert.NotEqual(HttpStatusCode.OK, (await wall.PostAsync("/_blazor/negotiate?negotiateVersion=1", null)).StatusCode);
    }

    [Theory]
    [InlineData(Scopes.ReadPlatform)]
    [InlineData(Scopes.Admin)]
    public async Task A_key_of_another_scope_is_not_a_wall_token(string scope)
    {
        var key = scope == Scopes.Admin ? Infrastructure.PosMonitorFactory.AdminKey : await factory.CreateKeyAsync(scope);
        var response = await PortalSession.PostWallSignInAsync(factory.Browser(), key);
        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        Assert.Contains("data-testid=\"wall-sign-in-error\"", await response.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task Following_a_wall_link_signs_nothing_in_until_its_page_is_posted()
    {
        await factory.SeedAsync();
        var key = await factory.CreateKeyAsync(Scopes.Display);
        var browser = factory.Browser();

        var link = await browser.GetAsync($"/wall?token={Uri.EscapeDataString(key)}");
        Assert.Equal(HttpStatusCode.Redirect, link.StatusCode);
        Assert.Equal($"/wall/sign-in?token={Uri.EscapeDataString(key)}", link.Headers.Location!.OriginalString);
        var page = await browser.GetAsync(link.Headers.Location);

        Assert.Equal(HttpStatusCode.OK, page.StatusCode);
        Assert.False(page.Headers.TryGetValues("Set-Cookie", out var cookies) && cookies.Any(c => c.StartsWith(IdentityExtensions.CookieName + "=", StringComparison.Ordinal)));
        Assert.NotEqual(HttpStatusCode.OK, (await browser.PostAsync("/_blazor/negotiate?negotiateVersion=1", null)).StatusCode);
    }

    [Fact]
    public async Task A_wall_sign_in_posted_from_another_site_is_refused()
    {
        await factory.SeedAsync();
        var key = await factory.CreateKeyAsync(Scopes.Display);
        // Another site can make the browser post the form, but not read this site's antiforgery token.
        var response = await factory.Browser().PostAsync("/wall/sign-in", new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["_handler"] = "wall-sign-in", ["Input.Token"] = key,
        }));
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
    }

    [Fact]
    public async Task A_display_token_never_replaces_a_signed_in_agent_s_session()
    {
        await factory.SeedAsync();
        var key = await factory.CreateKeyAsync(Scopes.Display);
        var agent = await factory.SignedInAsync(PortalFactory.Agent);

        var page = await agent.GetAsync($"/wall/sign-in?token={Uri.EscapeDataString(key)}");
        Assert.Contains("data-testid=\"wall-staff-signed-in\"", await page.Content.ReadAsStringAsync());
        var posted = await agent.PostAsync("/wall/sign-in", new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["_handler"] = "wall-sign-in",
            ["__RequestVerificationToken"] = PortalSession.AntiforgeryToken(await agent.GetStringAsync("/account/sign-in")),
            ["Input.Token"] = key,
        }));

        // The page offers a signed-in user no wall form, so its post is refused before the token is looked at.
        Assert.Equal(HttpStatusCode.BadRequest, posted.StatusCode);
        Assert.False(posted.Headers.TryGetValues("Set-Cookie", out var cookies) && cookies.Any(c => c.StartsWith(IdentityExtensions.CookieName + "=", StringComparison.Ordinal)));
        Assert.Equal(HttpStatusCode.OK, (await agent.GetAsync("/incidents")).StatusCode);
    }
}
