using System.Net;
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
