using System.Net;
using System.Security.Claims;
using Dapper;
using Microsoft.Extensions.DependencyInjection;
using PosMonitor.Web.Features.Audit;
using PosMonitor.Web.Features.Identity;
using PosMonitor.Web.Infrastructure.Data;

namespace PosMonitor.Web.Tests.Identity;

public class SignInTests(PortalFactory factory) : IClassFixture<PortalFactory>
{
    [Fact]
    public async Task Signing_in_sets_an_http_only_lax_cookie_and_goes_to_the_return_url()
    {
        await factory.SeedAsync();
        var client = factory.Browser();
        var page = await client.GetStringAsync("/account/sign-in?ReturnUrl=%2Fmerchants");

        var response = await client.PostAsync("/account/sign-in?ReturnUrl=%2Fmerchants", new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["_handler"] = "sign-in", ["__RequestVerificationToken"] = PortalSession.AntiforgeryToken(page),
            ["Input.Email"] = PortalFactory.Operator, ["Input.Password"] = PortalFactory.Password,
        }));

        Assert.Equal(HttpStatusCode.Redirect, response.StatusCode);
        Assert.Equal("/merchants", response.Headers.Location?.PathAndQuery);
        var cookie = Assert.Single(response.Headers.GetValues("Set-Cookie"), c => c.StartsWith(IdentityExtensions.CookieName + "=", StringComparison.Ordinal));
        Assert.Contains("httponly", cookie, StringComparison.OrdinalIgnoreCase);
        Assert.Contains("samesite=lax", cookie, StringComparison.OrdinalIgnoreCase);
        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("/merchants")).StatusCode);
    }

    [Fact]
    public async Task A_return_url_to_another_site_is_ignored()
    {
        await factory.SeedAsync();
        var client = factory.Browser();
        var page = await client.GetStringAsync("/account/sign-in");
        var response = await client.PostAsync("/account/sign-in?ReturnUrl=%2F%2Fevil.example", new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["_handler"] = "sign-in", ["__RequestVerificationToken"] = PortalSession.AntiforgeryToken(page),
            ["Input.Email"] = PortalFactory.Operator, ["Input.Password"] = PortalFactory.Password,
        }));
        Assert.Equal("http://localhost/", response.Headers.Location?.OriginalString);
    }

    [Fact]
    public async Task Unknown_user_and_wrong_password_get_the_same_error()
    {
        await factory.SeedAsync();
        var unknown = await PortalSession.PostSignInAsync(factory.Browser(), "nobody@test.local", PortalFactory.Password);
        var wrong = await PortalSession.PostSignInAsync(factory.Browser(), PortalFactory.Agent, "wrong-password-123");

        Assert.Equal(HttpStatusCode.OK, unknown.StatusCode);
        Assert.Equal(HttpStatusCode.OK, wrong.StatusCode);
        var unknownError = PortalSession.SignInError(await unknown.Content.ReadAsStringAsync());
        Assert.NotNull(unknownError);
        Assert.Equal(unknownError, PortalSession.SignInError(await wrong.Content.ReadAsStringAsync()));
    }

    [Fact]
    public async Task Ten_failures_lock_the_account_for_30_minutes_even_for_the_right_password()
    {
        await factory.SeedAsync();
        await factory.CreateUserAsync("lockme@test.local", Roles.Operator);
        for (var i = 0; i < 10; i++)
            await PortalSession.PostSignInAsync(factory.Browser(), "lockme@test.local", "not-the-password-" + i);

        var right = await PortalSession.PostSignInAsync(factory.Browser(), "lockme@test.local", PortalFactory.Password);

        Assert.Equal(HttpStatusCode.OK, right.StatusCode);
        Assert.NotNull(PortalSession.SignInError(await right.Content.ReadAsStringAsync()));
        var user = await factory.FindUserAsync("lockme@test.local");
        var lockedFor = user!.LockoutEnd!.Value - DateTimeOffset.UtcNow;
        Assert.InRange(lockedFor.TotalMinutes, 29, 30.1);
        Assert.Contains(await AuditAsync("lockme@test.local"), e => e.Action == AuditActions.SignIn && e.Result == AuditResults.LockedOut);
    }

    [Fact]
    public async Task Nine_failures_then_the_right_password_signs_in()
    {
        await factory.SeedAsync();
        await factory.CreateUserAsync("almost@test.local", Roles.Operator);
        for (var i = 0; i < 9; i++)
            await PortalSession.PostSignInAsync(factory.Browser(), "almost@test.local", "not-the-password-" + i);

        var right = await PortalSession.PostSignInAsync(factory.Browser(), "almost@test.local", PortalFactory.Password);

        Assert.Equal(HttpStatusCode.Redirect, right.StatusCode);
    }

    [Fact]
    public async Task Sign_ins_are_audited_with_result_and_address()
    {
        await factory.SeedAsync();
        await PortalSession.PostSignInAsync(factory.Browser(), "ghost@test.local", "whatever-password");
        await factory.SignedInAsync(PortalFactory.Agent);

        var ghost = Assert.Single(await AuditAsync("ghost@test.local"));
        Assert.Equal((AuditActions.SignIn, AuditResults.Failure), (ghost.Action, ghost.Result));
        Assert.Contains(await AuditAsync(PortalFactory.Agent), e => e.Action == AuditActions.SignIn && e.Result == AuditResults.Success);
    }

    [Fact]
    public async Task A_disabled_user_loses_access_with_the_cookie_they_already_have()
    {
        await factory.SeedAsync();
        var user = await factory.CreateUserAsync("soon-disabled@test.local", Roles.Operator);
        var client = await factory.SignedInAsync(user.Email);
        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("/merchants")).StatusCode);

        using (var scope = factory.Services.CreateScope())
            await scope.ServiceProvider.GetRequiredService<UserAdministration>().SetDisabledAsync(AdminPrincipal(), user.Id, true, CancellationToken.None);

        var after = await client.GetAsync("/merchants");
        Assert.Equal(HttpStatusCode.Redirect, after.StatusCode);
        Assert.StartsWith("/account/sign-in", after.Headers.Location!.PathAndQuery);
        Assert.Equal(HttpStatusCode.OK, (await PortalSession.PostSignInAsync(factory.Browser(), user.Email, PortalFactory.Password)).StatusCode);
    }

    [Fact]
    public async Task An_open_circuit_is_revalidated_against_the_disabled_flag_and_security_stamp()
    {
        await factory.SeedAsync();
        var user = await factory.CreateUserAsync("circuit@test.local", Roles.SupportAgent);
        var principal = await PrincipalOfAsync(user.Email);
        var sessions = factory.Services.GetRequiredService<SessionValidator>();
        Assert.True(await sessions.IsValidAsync(principal, CancellationToken.None));

        using (var scope = factory.Services.CreateScope())
            await scope.ServiceProvider.GetRequiredService<UserAdministration>().SetDisabledAsync(AdminPrincipal(), user.Id, true, CancellationToken.None);

        Assert.False(await sessions.IsValidAsync(principal, CancellationToken.None));
    }

    [Fact]
    public async Task Signing_out_ends_the_session_even_for_a_copied_cookie()
    {
        await factory.SeedAsync();
        await factory.CreateUserAsync("leaving@test.local", Roles.Operator);
        var client = factory.Browser();
        var signIn = await PortalSession.PostSignInAsync(client, "leaving@test.local", PortalFactory.Password);
        var authCookie = PortalSession.AuthCookie(signIn);
        var page = await client.GetStringAsync("/merchants");
        var copy = factory.CreateClient(new Microsoft.AspNetCore.Mvc.Testing.WebApplicationFactoryClientOptions { AllowAutoRedirect = false, HandleCookies = false });
        copy.DefaultRequestHeaders.Add("Cookie", authCookie);
        Assert.Equal(HttpStatusCode.OK, (await copy.GetAsync("/merchants")).StatusCode);

        var signOut = await client.PostAsync("/account/sign-out", new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["__RequestVerificationToken"] = PortalSession.AntiforgeryToken(page),
        }));

        Assert.Equal(HttpStatusCode.Redirect, signOut.StatusCode);
        Assert.Equal(HttpStatusCode.Redirect, (await client.GetAsync("/merchants")).StatusCode);
        var copied = await copy.GetAsync("/merchants");
        Assert.Equal(HttpStatusCode.Redirect, copied.StatusCode);
        Assert.StartsWith("/account/sign-in", copied.Headers.Location!.PathAndQuery);
    }

    [Fact]
    public async Task Sign_out_without_an_antiforgery_token_is_refused()
    {
        await factory.SeedAsync();
        var client = await factory.SignedInAsync(PortalFactory.Operator);
        var response = await client.PostAsync("/account/sign-out", new FormUrlEncodedContent(new Dictionary<string, string>()));
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("/merchants")).StatusCode);
    }

    [Fact]
    public async Task A_password_shorter_than_12_characters_is_refused()
    {
        await factory.SeedAsync();
        using var scope = factory.Services.CreateScope();
        var admin = scope.ServiceProvider.GetRequiredService<UserAdministration>();
        var problems = await admin.CreateAsync(AdminPrincipal(), new NewUser("short@test.local", "Short", Roles.Operator, null, "elevenchars"), CancellationToken.None);
        Assert.Contains("PasswordTooShort", problems);
        Assert.Null(await factory.FindUserAsync("short@test.local"));
    }

    [Fact]
    public async Task A_merchant_owner_must_be_bound_to_an_existing_merchant()
    {
        await factory.SeedAsync();
        using var scope = factory.Services.CreateScope();
        var admin = scope.ServiceProvider.GetRequiredService<UserAdministration>();
        var problems = await admin.CreateAsync(AdminPrincipal(), new NewUser("o@test.local", "O", Roles.MerchantOwner, "m-9999", PortalFactory.Password), CancellationToken.None);
        Assert.Equal(["Merchant"], problems);
    }

    internal static ClaimsPrincipal AdminPrincipal() =>
        new(new ClaimsIdentity([new Claim(ClaimTypes.Name, "test-admin"), new Claim(ClaimTypes.Role, Roles.Admin)], "test"));

    /// <summary>The principal of a real sign-in (with its server-side session), as the portal reads its cookie.</summary>
    private async Task<ClaimsPrincipal> PrincipalOfAsync(string email) =>
        PortalSession.PrincipalOf(factory, PortalSession.AuthCookie(await PortalSession.PostSignInAsync(factory.Browser(), email, PortalFactory.Password)));

    private async Task<IReadOnlyList<AuditEntry>> AuditAsync(string actor)
    {
        await using var c = await factory.Services.GetRequiredService<Db>().OpenAsync();
        return (await c.QueryAsync<AuditEntry>(
            "SELECT id AS Id, at AS At, actor AS Actor, action AS Action, target AS Target, result AS Result, ip AS Ip, detail AS Detail FROM audit_log WHERE actor = @actor",
            new { actor })).AsList();
    }
}
