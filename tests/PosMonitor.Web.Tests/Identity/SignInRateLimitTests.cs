using System.Net;
using PosMonitor.Web.Tests.Infrastructure;

namespace PosMonitor.Web.Tests.Identity;

public class SignInRateLimitTests(SignInRateLimitTests.Factory factory) : IClassFixture<SignInRateLimitTests.Factory>
{
    public sealed class Factory : PosMonitorFactory
    {
        protected override IEnumerable<KeyValuePair<string, string?>> Settings => [new("PosMonitor:Identity:SignInPermitsPerMinute", "3")];
    }

    [Fact]
    public async Task Sign_in_posts_over_the_per_ip_limit_get_429_while_viewing_the_page_stays_free()
    {
        var client = factory.CreateClient(new Microsoft.AspNetCore.Mvc.Testing.WebApplicationFactoryClientOptions { AllowAutoRedirect = false });
        var statuses = new List<HttpStatusCode>();
        for (var i = 0; i < 4; i++)
            statuses.Add((await PortalSession.PostSignInAsync(client, "x@test.local", "wrong-password-xyz")).StatusCode);

        Assert.Equal([HttpStatusCode.OK, HttpStatusCode.OK, HttpStatusCode.OK, HttpStatusCode.TooManyRequests], statuses);
        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("/account/sign-in")).StatusCode);
    }
}
