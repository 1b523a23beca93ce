using System.Net;
using System.Text.Json;
using System.Text.RegularExpressions;
using PosMonitor.Web.Tests.Identity;

namespace PosMonitor.Web.Tests.Infrastructure;

/// <summary>The OpenAPI document at /openapi/v1.json, held to the contract written in telemetry-api.md.</summary>
public sealed partial class ApiDocumentTests(PortalFactory factory) : IClassFixture<PortalFactory>
{
    private async Task<JsonElement> DocumentAsync()
    {
        // Anonymous: integrators read it before they hold a key.
        var response = await factory.CreateClient().GetAsync("/openapi/v1.json");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement;
    }

    private static string ContractPath([System.Runtime.CompilerServices.CallerFilePath] string here = "") =>
        Path.GetFullPath(Path.Combine(Path.GetDirectoryName(here)!, "..", "..", "..", "src", "PosMonitor.Web", "Features", "Telemetry", "telemetry-api.md"));

    [Fact]
    public async Task Every_call_the_contract_names_is_in_the_document_and_nothing_but_the_api()
    {
        var paths = (await DocumentAsync()).GetProperty("paths");
        var documented = paths.EnumerateObject()
            .SelectMany(p => p.Value.EnumerateObject().Select(m => $"{m.Name.ToUpperInvariant()} {p.Name}")).ToHashSet();
        var contract = CallPattern().Matches(await File.ReadAllTextAsync(ContractPath()))
            .Select(m => $"{m.Groups[1].Value} {m.Groups[2].Value.TrimEnd('/')}").Distinct().ToList();
        Assert.NotEmpty(contract);
        foreach (var call in contract) Assert.Contains(call, documented);
        Assert.All(paths.EnumerateObject(), p => Assert.StartsWith("/api/v1/", p.Name));
    }

    [Fact]
    public async Task Telemetry_shows_its_body_its_answers_and_its_scopes()
    {
        var doc = await DocumentAsync();
        var post = doc.GetProperty("paths").GetProperty("/api/v1/telemetry").GetProperty("post");
        var responses = post.GetProperty("responses").EnumerateObject().Select(r => r.Name).ToList();
        foreach (var code in new[] { "202", "400", "401", "403", "413", "415", "429", "503" }) Assert.Contains(code, responses);
        Assert.True(post.GetProperty("requestBody").GetProperty("content").TryGetProperty("application/json", out _));
        Assert.Contains("ingest:platform", post.GetProperty("description").GetString());
        var schemas = doc.GetProperty("components").GetProperty("schemas");
        var heartbeat = schemas.GetProperty("HeartbeatWire").GetProperty("properties");
        foreach (var field in new[] { "eventId", "terminalId", "timestamp", "network", "printer", "pendingOffline" })
            Assert.True(heartbeat.TryGetProperty(field, out _), field);
        Assert.True(schemas.GetProperty("TelemetryAccepted").GetProperty("properties").TryGetProperty("rejected", out _));
    }

    [Fact]
    public async Task Keys_are_described_as_the_api_takes_them()
    {
        var schemes = (await DocumentAsync()).GetProperty("components").GetProperty("securitySchemes");
        var header = schemes.EnumerateObject().Single(s => s.Value.GetProperty("type").GetString() == "apiKey").Value;
        Assert.Equal(("header", "X-Api-Key"), (header.GetProperty("in").GetString(), header.GetProperty("name").GetString()));
        Assert.Contains(schemes.EnumerateObject(), s => s.Value.GetProperty("type").GetString() == "http" && s.Value.GetProperty("scheme").GetString() == "bearer");
    }

    /// <summary>"`POST /api/v1/telemetry`", "`GET /api/v1/incidents/{id}`": every call the contract names in code spans.</summary>
    [GeneratedRegex(@"`(GET|POST|PUT|DELETE) (/api/v1/[a-z/{}]+)")]
    private static partial Regex CallPattern();
}
