using System.Net.Http.Json;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.Extensions.DependencyInjection;
using PosMonitor.Core.Fleet;

namespace PosMonitor.Web.Tests.Infrastructure;

/// <summary>
/// The portal in-process on a fresh temporary SQLite file, with a known bootstrap admin key and
/// without the demo fleet, so each test class starts from an empty, migrated database.
/// </summary>
public class PosMonitorFactory : WebApplicationFactory<Program>
{
    public const string AdminKey = "test-admin-key-7f3a9c2e5b1d4f60";
    private readonly string _folder = Path.Combine(Path.GetTempPath(), "posmonitor-tests", Guid.NewGuid().ToString("N"));

    public string DatabasePath => Path.Combine(_folder, "posmonitor.db");

    /// <summary>Extra settings a test class needs (key → value), applied after the defaults.</summary>
    protected virtual IEnumerable<KeyValuePair<string, string?>> Settings => [];

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        builder.UseEnvironment("Testing");
        builder.UseSetting("ConnectionStrings:PosMonitor", $"Data Source={DatabasePath}");
        builder.UseSetting("PosMonitor:Database:CreateIfMissing", "true");
        builder.UseSetting("PosMonitor:Demo:Enabled", "false");
        builder.UseSetting("PosMonitor:Bootstrap:AdminApiKey", AdminKey);
        // Rollups written right after each commit, so tests can read them without waiting.
        builder.UseSetting("PosMonitor:Ingestion:RollupFlushMilliseconds", "0");
        foreach (var (key, value) in Settings) builder.UseSetting(key, value);
    }

    public HttpClient CreateClient(string? apiKey)
    {
        var client = CreateClient();
        if (apiKey is not null) client.DefaultRequestHeaders.Add("X-Api-Key", apiKey);
        return client;
    }

    public HttpClient AdminClient() => CreateClient(AdminKey);

    /// <summary>
    /// Completes once every commit acknowledged so far has reached the state cache and the feed's subscribers: after a
    /// 202, what the pages read of a terminal's state is current.
    /// </summary>
    public Task TelemetryDeliveredAsync() =>
        Services.GetRequiredService<PosMonitor.Web.Features.Telemetry.TelemetryFeed>().DeliveredAsync().WaitAsync(TimeSpan.FromSeconds(10));

    /// <summary>Creates a key through the API and returns it.</summary>
    public async Task<string> CreateKeyAsync(string scope, string? merchantId = null)
    {
        var response = await AdminClient().PostAsJsonAsync("/api/v1/keys", new { scope, merchantId, name = $"test {scope}" });
        response.EnsureSuccessStatusCode();
        var created = await response.Content.ReadFromJsonAsync<CreatedKeyBody>();
        return created!.Key;
    }

    public async Task PutFleetAsync(FleetDocument document)
    {
        var response = await AdminClient().PutAsJsonAsync("/api/v1/fleet", document);
        response.EnsureSuccessStatusCode();
    }

    protected override void Dispose(bool disposing)
    {
        base.Dispose(disposing);
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        try { Directory.Delete(_folder, recursive: true); } catch (IOException) { /* a file still closing; temp space */ }
    }

    private sealed record CreatedKeyBody(string Id, string Key, string Scope, string? MerchantId);
}
