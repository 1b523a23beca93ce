using System.Net;
using System.Net.Http.Headers;
using System.Text.Json;
using PosMonitor.Web.Features.Identity;
using PosMonitor.Web.Tests.Identity;

namespace PosMonitor.Web.Tests.Infrastructure;

/// <summary>every /api answer is problem+json, and a bad redirect is no 500.</summary>
public sealed class ApiErrorAnswersTests(PortalFactory factory) : IClassFixture<PortalFactory>
{
    private static async Task<JsonElement> AssertProblem(HttpResponseMessage response, HttpStatusCode status)
    {
        Assert.Equal(status, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        var problem = JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement;
        Assert.Equal((int)status, problem.GetProperty("status").GetInt32());
        return problem;
    }

    [Theory]
    [InlineData("/api/v1/nothing-here")]
    [InlineData("/api/v2/incidents")]
    [InlineData("/api")]
    public async Task An_unknown_api_route_with_a_valid_key_is_a_404_problem(string path)
    {
        var client = factory.AdminClient();
        // A browser-like Accept header still gets JSON, never the portal's HTML pages.
        client.DefaultRequestHeaders.Accept.ParseAdd("text/html");

        await AssertProblem(await client.GetAsync(path), HttpStatusCode.NotFound);
    }

    [Theory]
    [InlineData("POST", "/api/v1/incidents", "GET")]
    [InlineData("DELETE", "/api/v1/fleet", "PUT")]
    [InlineData("GET", "/api/v1/telemetry", "POST")]
    public async Task A_wrong_method_with_a_valid_key_is_a_405_problem_naming_the_allowed_one(string method, string path, string allowed)
    {
        var response = await factory.AdminClient().SendAsync(new HttpRequestMessage(new HttpMethod(method), path));

        var problem = await AssertProblem(response, HttpStatusCode.MethodNotAllowed);
        Assert.Contains(allowed, response.Content.Headers.Allow);
        Assert.Contains(allowed, problem.GetProperty("detail").GetString());
    }

    [Fact]
    public async Task An_unknown_api_route_without_a_key_or_with_an_unknown_one_is_a_401_problem()
    {
        await AssertProblem(await factory.CreateClient(apiKey: null).GetAsync("/api/v1/nothing-here"), HttpStatusCode.Unauthorized);
        await AssertProblem(await factory.CreateClient("pmk_not-a-real-key").GetAsync("/api/v1/nothing-here"), HttpStatusCode.Unauthorized);
        await AssertProblem(await factory.CreateClient(apiKey: null).PostAsync("/api/v1/incidents", null), HttpStatusCode.Unauthorized);
    }

    [Fact]
    public async Task A_wall_display_cookie_on_the_api_is_a_403_problem()
    {
        var wall = factory.Browser();
        Assert.Equal(HttpStatusCode.Redirect, (await Identity.PortalSession.PostWallSignInAsync(wall, await factory.CreateKeyAsync(Scopes.Display))).StatusCode);
        wall.DefaultRequestHeaders.Accept.ParseAdd("text/html");

        await AssertProblem(await wall.GetAsync("/api/v1/incidents"), HttpStatusCode.Forbidden);
        await AssertProblem(await wall.GetAsync("/api/v1/feedback"), HttpStatusCode.Forbidden);
    }

    [Fact]
    public async Task An_expired_sign_in_cookie_on_the_api_is_a_401_problem()
    {
        var client = factory.CreateClient(apiKey: null);
        client.DefaultRequestHeaders.Add("Cookie", $"{IdentityExtensions.CookieName}=not-a-valid-ticket");

        await AssertProblem(await client.GetAsync("/api/v1/incidents"), HttpStatusCode.Unauthorized);
    }

    [Theory]
    [InlineData("/\\evil.com")]
    [InlineData("/%5Cevil.com")]
    [InlineData("/%09/evil.com")]
    [InlineData("//evil.com")]
    [InlineData("https://evil.com")]
    [InlineData("")]
    public async Task The_culture_switch_sends_anything_but_a_local_path_home(string redirect)
    {
        var response = await factory.Browser().GetAsync($"/culture?name=zh-CN&redirect={redirect}");

        Assert.Equal(HttpStatusCode.Redirect, response.StatusCode);
        Assert.Equal("/", response.Headers.Location!.OriginalString);
    }

    [Fact]
    public async Task The_culture_switch_goes_back_to_a_local_path()
    {
        var response = await factory.Browser().GetAsync("/culture?name=zh-CN&redirect=%2Fincidents%3Fstatus%3Dopen");

        Assert.Equal(HttpStatusCode.Redirect, response.StatusCode);
        Assert.Equal("/incidents?status=open", response.Headers.Location!.OriginalString);
    }
}
