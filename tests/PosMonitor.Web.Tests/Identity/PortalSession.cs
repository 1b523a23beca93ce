using System.Net;
using System.Text.RegularExpressions;
using Microsoft.AspNetCore.Identity;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.Extensions.DependencyInjection;
using PosMonitor.Web.Features.Identity;
using PosMonitor.Web.Tests.Infrastructure;

namespace PosMonitor.Web.Tests.Identity;

/// <summary>
/// The portal with sign-in limits opened up for tests (no rate limit), the small fleet loaded, and
/// one user of every role.
/// </summary>
public class PortalFactory : PosMonitorFactory
{
    public const string Password = "correct-horse-battery";
    public const string Admin = "admin@test.local", Operator = "operator@test.local", Agent = "agent@test.local";
    public const string Owner1 = "owner1@test.local", Owner2 = "owner2@test.local";

    protected override IEnumerable<KeyValuePair<string, string?>> Settings =>
    [
        new("PosMonitor:Identity:SignInPermitsPerMinute", "10000"),
        .. ExtraSettings,
    ];

    protected virtual IEnumerable<KeyValuePair<string, string?>> ExtraSettings => [];

    private readonly SemaphoreSlim _seed = new(1, 1);
    private bool _seeded;

    /// <summary>Loads TestFleet.Small() and creates the users once per factory.</summary>
    public async Task SeedAsync()
    {
        await _seed.WaitAsync();
        try
        {
            if (_seeded) return;
            await PutFleetAsync(TestFleet.Small());
            await CreateUserAsync(Admin, Roles.Admin);
            await CreateUserAsync(Operator, Roles.Operator);
            await CreateUserAsync(Agent, Roles.SupportAgent);
            await CreateUserAsync(Owner1, Roles.MerchantOwner, "m-0001");
            await CreateUserAsync(Owner2, Roles.MerchantOwner, "m-0002");
            _seeded = true;
        }
        finally
        {
            _seed.Release();
        }
    }

    public async Task<PortalUser> CreateUserAsync(string email, string role, string? merchantId = null, string password = Password)
    {
        using var scope = Services.CreateScope();
        var users = scope.ServiceProvider.GetRequiredService<UserManager<PortalUser>>();
        var user = new PortalUser { Email = email, DisplayName = email, Role = role, MerchantId = merchantId };
        var result = await users.CreateAsync(user, password);
        Assert.True(result.Succeeded, string.Join("; ", result.Errors.Select(e => e.Code)));
        return user;
    }

    public async Task<PortalUser?> FindUserAsync(string email)
    {
        using var scope = Services.CreateScope();
        return await scope.ServiceProvider.GetRequiredService<UserManager<PortalUser>>().FindByNameAsync(email);
    }

    /// <summary>A browser-like client: keeps cookies, does not follow redirects.</summary>
    public HttpClient Browser() => CreateClient(new WebApplicationFactoryClientOptions { AllowAutoRedirect = false, HandleCookies = true });

    /// <summary>A browser client already signed in as <paramref name="email"/>.</summary>
    public async Task<HttpClient> SignedInAsync(string email, string password = Password)
    {
        var client = Browser();
        var response = await PortalSession.PostSignInAsync(client, email, password);
        Assert.Equal(HttpStatusCode.Redirect, response.StatusCode);
        return client;
    }
}

public static partial class PortalSession
{
    public static async Task<HttpResponseMessage> PostSignInAsync(HttpClient client, string email, string password)
    {
        var page = await client.GetStringAsync("/account/sign-in");
        return await client.PostAsync("/account/sign-in", new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["_handler"] = "sign-in",
            ["__RequestVerificationToken"] = AntiforgeryToken(page),
            ["Input.Email"] = email,
            ["Input.Password"] = password,
        }));
    }

    /// <summary>Signs a wall display in as its screen does: the link's page, then its form post.</summary>
    public static async Task<HttpResponseMessage> PostWallSignInAsync(HttpClient client, string key)
    {
        var page = await client.GetStringAsync($"/wall/sign-in?token={Uri.EscapeDataString(key)}");
        return await client.PostAsync("/wall/sign-in", new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["_handler"] = "wall-sign-in",
            ["__RequestVerificationToken"] = AntiforgeryToken(page),
            ["Input.Token"] = key,
        }));
    }

    /// <summary>"PosMonitor.Auth=…" from a sign-in response, to replay as a Cookie header.</summary>
    public static string AuthCookie(HttpResponseMessage signIn) =>
        signIn.Headers.GetValues("Set-Cookie").First(c => c.StartsWith(IdentityExtensions.CookieName + "=", StringComparison.Ordinal)).Split(';')[0];

    /// <summary>The principal a sign-in cookie ("PosMonitor.Auth=…") carries, as <paramref name="instance"/> reads it.</summary>
    public static System.Security.Claims.ClaimsPrincipal PrincipalOf(WebApplicationFactory<Program> instance, string cookie)
    {
        var options = instance.Services.GetRequiredService<Microsoft.Extensions.Options.IOptionsMonitor<Microsoft.AspNetCore.Authentication.Cookies.CookieAuthenticationOptions>>()
            .Get(IdentityConstants.ApplicationScheme);
        return options.TicketDataFormat.Unprotect(Uri.UnescapeDataString(cookie[(cookie.IndexOf('=') + 1)..]))!.Principal;
    }

    public static string AntiforgeryToken(string html) => Token().Match(html).Groups[1].Value;

    /// <summary>The page's error message, or null when it shows none.</summary>
    public static string? SignInError(string html) => Error().Match(html) is { Success: true } m ? m.Groups[1].Value : null;

    [GeneratedRegex("name=\"__RequestVerificationToken\" value=\"([^\"]+)\"")]
    private static partial Regex Token();

    [GeneratedRegex("data-testid=\"sign-in-error\">([^<]*)<")]
    private static partial Regex Error();
}
