using System.Net;
using Dapper;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.Extensions.DependencyInjection;
using PosMonitor.Web.Features.Identity;
using PosMonitor.Web.Infrastructure.Data;
using PosMonitor.Web.Tests.Identity;

namespace PosMonitor.Web.Tests.Infrastructure;

/// <summary>
/// The portal behind a TLS proxy at 10.0.0.5: every request arrives from the proxy's address
/// (or from the one named in <see cref="RemoteHeader"/>), over plain http, as a proxy forwards it.
/// </summary>
public sealed class BehindProxyFactory : PortalFactory
{
    public const string Proxy = "10.0.0.5", RemoteHeader = "X-Test-Connection-From";

    protected override IEnumerable<KeyValuePair<string, string?>> ExtraSettings =>
    [
        new("PosMonitor:Proxy:KnownProxies:0", Proxy),
        new("PosMonitor:Identity:SignInPermitsPerMinute", "2"),
    ];

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        base.ConfigureWebHost(builder);
        builder.ConfigureServices(s => s.AddSingleton<IStartupFilter>(new ConnectionFrom()));
    }

    /// <summary>Sets the connection's address before the portal's pipeline, as the socket would.</summary>
    private sealed class ConnectionFrom : IStartupFilter
    {
        public Action<IApplicationBuilder> Configure(Action<IApplicationBuilder> next) => app =>
        {
            app.Use((http, nextMiddleware) =>
            {
                http.Connection.RemoteIpAddress = IPAddress.Parse(http.Request.Headers[RemoteHeader].FirstOrDefault() ?? Proxy);
                return nextMiddleware(http);
            });
            next(app);
        };
    }
}

public sealed class ForwardedHeadersTests(BehindProxyFactory factory) : IClassFixture<BehindProxyFactory>
{
    [Fact]
    public async Task Behind_a_known_proxy_cookies_are_secure_hsts_is_sent_and_the_client_address_is_audited()
    {
        await factory.SeedAsync();
        await factory.CreateUserAsync("behind-proxy@test.local", Roles.Operator);

        var signIn = await SignInAsync(Client(forwardedFor: "203.0.113.7"), "behind-proxy@test.local");

        Assert.Equal(HttpStatusCode.Redirect, signIn.StatusCode);
        var cookie = signIn.Headers.GetValues("Set-Cookie").Single(c => c.StartsWith(IdentityExtensions.CookieName + "=", StringComparison.Ordinal));
        Assert.Contains("secure", cookie, StringComparison.OrdinalIgnoreCase);
        Assert.StartsWith("max-age=31536000", signIn.Headers.GetValues("Strict-Transport-Security").Single());
        Assert.Equal(["203.0.113.7"], await SignInAddressesAsync("behind-proxy@test.local"));
    }

    [Fact]
    public async Task Forwarded_headers_from_an_address_that_is_not_a_known_proxy_are_ignored()
    {
        await factory.SeedAsync();
        await factory.CreateUserAsync("spoofer@test.local", Roles.Operator);

        var signIn = await SignInAsync(Client(forwardedFor: "203.0.113.99", connectionFrom: "198.51.100.20"), "spoofer@test.local");

        var cookie = signIn.Headers.GetValues("Set-Cookie").Single(c => c.StartsWith(IdentityExtensions.CookieName + "=", StringComparison.Ordinal));
        Assert.DoesNotContain("secure", cookie, StringComparison.OrdinalIgnoreCase);
        Assert.False(signIn.Headers.Contains("Strict-Transport-Security"));
        Assert.Equal(["198.51.100.20"], await SignInAddressesAsync("spoofer@test.local"));
    }

    [Fact]
    public async Task The_sign_in_rate_limit_counts_per_client_behind_the_proxy()
    {
        await factory.SeedAsync();
        var busy = new List<HttpStatusCode>();
        for (var i = 0; i < 3; i++) busy.Add((await SignInAsync(Client(forwardedFor: "203.0.113.30"), "nobody@test.local", "wrong-password-1")).StatusCode);

        var other = await SignInAsync(Client(forwardedFor: "203.0.113.31"), "nobody@test.local", "wrong-password-1");

        Assert.Equal(HttpStatusCode.TooManyRequests, busy[^1]);
        Assert.NotEqual(HttpStatusCode.TooManyRequests, other.StatusCode);
    }

    /// <summary>A browser behind the proxy: https outside, so its cookies are Secure and kept here by hand (the test speaks http).</summary>
    private HttpClient Client(string forwardedFor, string? connectionFrom = null)
    {
        var client = factory.CreateClient(new WebApplicationFactoryClientOptions
        {
            BaseAddress = new Uri("http://portal.example"), AllowAutoRedirect = false, HandleCookies = false,
        });
        client.DefaultRequestHeaders.Add("X-Forwarded-For", forwardedFor);
        client.DefaultRequestHeaders.Add("X-Forwarded-Proto", "https");
        if (connectionFrom is not null) client.DefaultRequestHeaders.Add(BehindProxyFactory.RemoteHeader, connectionFrom);
        return client;
    }

    private static async Task<HttpResponseMessage> SignInAsync(HttpClient client, string email, string password = PortalFactory.Password)
    {
        var page = await client.GetAsync("/account/sign-in");
        var cookies = page.Headers.GetValues("Set-Cookie").Select(c => c.Split(';')[0]);
        var post = new HttpRequestMessage(HttpMethod.Post, "/account/sign-in")
        {
            Content = new FormUrlEncodedContent(new Dictionary<string, string>
            {
                ["_handler"] = "sign-in", ["__RequestVerificationToken"] = PortalSession.AntiforgeryToken(await page.Content.ReadAsStringAsync()),
                ["Input.Email"] = email, ["Input.Password"] = password,
            }),
        };
        post.Headers.Add("Cookie", string.Join("; ", cookies));
        return await client.SendAsync(post);
    }

    private async Task<List<string?>> SignInAddressesAsync(string actor)
    {
        await using var c = await factory.Services.GetRequiredService<Db>().OpenAsync();
        return (await c.QueryAsync<string?>("SELECT ip FROM audit_log WHERE actor = @actor AND action = 'auth.sign-in'", new { actor })).AsList();
    }
}
