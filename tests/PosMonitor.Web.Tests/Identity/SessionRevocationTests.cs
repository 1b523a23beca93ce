using System.Net;
using System.Security.Claims;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using PosMonitor.Web.Features.Identity;

namespace PosMonitor.Web.Tests.Identity;

/// <summary>A second portal instance on the first one's database (same data protection keys, as instances behind one address share them).</summary>
public sealed class SecondInstance(string databasePath) : PortalFactory
{
    protected override IEnumerable<KeyValuePair<string, string?>> ExtraSettings => [new("ConnectionStrings:PosMonitor", $"Data Source={databasePath}")];
}

public sealed class SessionRevocationTests(PortalFactory factory) : IClassFixture<PortalFactory>
{
    [Fact]
    public async Task Signing_out_on_one_instance_refuses_the_cookie_at_once_on_another_and_in_its_circuits()
    {
        await factory.SeedAsync();
        await factory.CreateUserAsync("two-instances@test.local", Roles.Operator);
        using var other = new SecondInstance(factory.DatabasePath);
        var client = factory.Browser();
        var authCookie = PortalSession.AuthCookie(await PortalSession.PostSignInAsync(client, "two-instances@test.local", PortalFactory.Password));
        var page = await client.GetStringAsync("/merchants");
        var elsewhere = other.CreateClient(new WebApplicationFactoryClientOptions { AllowAutoRedirect = false, HandleCookies = false });
        elsewhere.DefaultRequestHeaders.Add("Cookie", authCookie);
        Assert.Equal(HttpStatusCode.OK, (await elsewhere.GetAsync("/merchants")).StatusCode);
        var principal = PortalSession.PrincipalOf(other, authCookie);
        var validator = other.Services.GetRequiredService<SessionValidator>();
        Assert.True(await validator.IsValidAsync(principal, CancellationToken.None));

        var signOut = await client.PostAsync("/account/sign-out", new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["__RequestVerificationToken"] = PortalSession.AntiforgeryToken(page),
        }));
        Assert.Equal(HttpStatusCode.Redirect, signOut.StatusCode);

        // No waiting: the other instance refuses the very next request, and its circuits' next check.
        var refused = await elsewhere.GetAsync("/merchants");
        Assert.Equal(HttpStatusCode.Redirect, refused.StatusCode);
        Assert.StartsWith("/account/sign-in", refused.Headers.Location!.PathAndQuery);
        Assert.False(await validator.IsValidAsync(principal, CancellationToken.None));
    }

    [Fact]
    public async Task An_open_circuit_on_the_instance_that_signed_out_loses_its_user_at_once()
    {
        await factory.SeedAsync();
        await factory.CreateUserAsync("circuit-out@test.local", Roles.SupportAgent);
        var client = factory.Browser();
        var principal = PortalSession.PrincipalOf(factory, PortalSession.AuthCookie(await PortalSession.PostSignInAsync(client, "circuit-out@test.local", PortalFactory.Password)));
        var sessions = factory.Services.GetRequiredService<SessionStore>();
        using var circuit = new PortalAuthenticationStateProvider(NullLoggerFactory.Instance, factory.Services.GetRequiredService<SessionValidator>(), sessions,
            Options.Create(new PortalIdentityOptions { RevalidateSeconds = 60 }));
        circuit.SetAuthenticationState(Task.FromResult(new Microsoft.AspNetCore.Components.Authorization.AuthenticationState(principal)));
        var changed = new TaskCompletionSource<ClaimsPrincipal>(TaskCreationOptions.RunContinuationsAsynchronously);
        circuit.AuthenticationStateChanged += async state => changed.TrySetResult((await state).User);

        await sessions.EndAsync(principal.FindFirstValue(PosClaims.SessionId)!, CancellationToken.None);

        var user = await changed.Task.WaitAsync(TimeSpan.FromSeconds(10));
        Assert.False(user.Identity?.IsAuthenticated);
    }
}
