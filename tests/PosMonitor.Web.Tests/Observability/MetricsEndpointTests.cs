using System.Globalization;
using System.Net;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using PosMonitor.Web.Features.Detection;
using PosMonitor.Web.Tests.Infrastructure;
using static PosMonitor.Web.Tests.Telemetry.TelemetryJson;

namespace PosMonitor.Web.Tests.Observability;

/// <summary>
/// The meter "PosMonitor" is found by name: another portal in this process (another test class) would add its counts
/// to these, so the classes that read exact values run alone.
/// </summary>
[CollectionDefinition(nameof(MetricsCollection), DisableParallelization = true)]
public sealed class MetricsCollection;

public sealed class MetricsFactory : PosMonitorFactory
{
    public const string AllowedNetwork = "10.20.0.0/16";

    protected override IEnumerable<KeyValuePair<string, string?>> Settings => [new("PosMonitor:Metrics:AllowedNetworks:0", AllowedNetwork)];
}

[Collection(nameof(MetricsCollection))]
public class MetricsEndpointTests(MetricsFactory factory) : IClassFixture<MetricsFactory>, IAsyncLifetime
{
    private readonly DateTimeOffset _now = DateTimeOffset.UtcNow;

    public async ValueTask InitializeAsync() => await factory.PutFleetAsync(TestFleet.Small());

    public ValueTask DisposeAsync() => ValueTask.CompletedTask;

    private static string Id() => "e-" + string.Concat(Guid.NewGuid().ToByteArray().Select(b => (char)('a' + b % 26)));

    [Fact]
    public async Task Metrics_count_accepted_rejected_and_duplicate_events_beside_queue_detection_and_runtime_figures()
    {
        var ingest = factory.CreateClient(await factory.CreateKeyAsync("ingest:platform"));
        var (heartbeat, sale) = (Id(), Id());
        // Two stored, one for a terminal nobody registered; then the heartbeat again: a duplicate.
        var first = await ingest.PostAsync("/api/v1/telemetry", Content(Body(
            heartbeats: [Heartbeat(heartbeat, "T-000001", _now)],
            transactions: [Sale(sale, "T-000001", _now), Sale(Id(), "T-999999", _now)])));
        Assert.Equal(HttpStatusCode.Accepted, first.StatusCode);
        var again = await ingest.PostAsync("/api/v1/telemetry", Content(Body(heartbeats: [Heartbeat(heartbeat, "T-000001", _now)])));
        Assert.Equal(HttpStatusCode.Accepted, again.StatusCode);
        await factory.Services.GetRequiredService<DetectionRunner>().RunAsync(CancellationToken.None);

        var response = await factory.CreateClient(await factory.CreateKeyAsync("metrics")).GetAsync("/metrics");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.StartsWith("text/plain", response.Content.Headers.ContentType?.MediaType);
        var text = await response.Content.ReadAsStringAsync();
        Assert.Equal(2, Value(text, "posmonitor_ingestion_accepted_total"));
        Assert.Equal(1, Value(text, "posmonitor_ingestion_duplicates_total"));
        Assert.Equal(1, Value(text, "posmonitor_ingestion_rejected_total", "code=\"unknown_terminal\""));
        // Both written just behind the 202s: present, their values a matter of moments.
        Assert.True(Value(text, "posmonitor_ingestion_queue_depth") >= 0);
        Assert.True(Value(text, "posmonitor_ingestion_rollup_lag_seconds") >= 0);
        Assert.Equal(200_000, Value(text, "posmonitor_ingestion_queue_capacity"));
        // The test database is SQLite: its connections have read and written pages.
        Assert.True(Value(text, "posmonitor_sqlite_memory_bytes") > 0);
        Assert.Equal(2, Value(text, "posmonitor_ingestion_commit_duration_seconds_count"));
        Assert.True(Value(text, "posmonitor_detection_tick_duration_seconds_count", "outcome=\"ok\"") >= 1);
        Assert.Equal(0, Value(text, "posmonitor_incidents_open", "severity=\"critical\""));
        Assert.Contains("\ndotnet_gc_collections_total", text);
        Assert.Contains("\nhttp_server_request_duration_seconds_bucket", text);
    }

    [Fact]
    public async Task Metrics_without_a_key_is_401_and_with_a_key_of_another_scope_403()
    {
        Assert.Equal(HttpStatusCode.Unauthorized, (await factory.CreateClient().GetAsync("/metrics")).StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, (await factory.CreateClient("not-a-key-at-all").GetAsync("/metrics")).StatusCode);
        var ingest = factory.CreateClient(await factory.CreateKeyAsync("ingest:platform"));
        Assert.Equal(HttpStatusCode.Forbidden, (await ingest.GetAsync("/metrics")).StatusCode);
        var read = factory.CreateClient(await factory.CreateKeyAsync("read:platform"));
        Assert.Equal(HttpStatusCode.Forbidden, (await read.GetAsync("/metrics")).StatusCode);
    }

    [Fact]
    public async Task Metrics_from_an_allowed_network_need_no_key_and_from_elsewhere_do()
    {
        Assert.Equal(StatusCodes.Status200OK, (await Scrape("10.20.3.4")).Response.StatusCode);
        Assert.Equal(StatusCodes.Status200OK, (await Scrape("::ffff:10.20.3.4")).Response.StatusCode);
        Assert.Equal(StatusCodes.Status401Unauthorized, (await Scrape("10.21.3.4")).Response.StatusCode);
        // Loopback is not allowed unless listed: behind a proxy on the same host, everyone would be loopback.
        Assert.Equal(StatusCodes.Status401Unauthorized, (await Scrape("127.0.0.1")).Response.StatusCode);
    }

    private Task<HttpContext> Scrape(string from) => factory.Server.SendAsync(http =>
    {
        http.Request.Method = HttpMethods.Get;
        http.Request.Path = "/metrics";
        http.Connection.RemoteIpAddress = IPAddress.Parse(from);
    });

    /// <summary>The value of the one sample of <paramref name="name"/> whose labels include <paramref name="label"/>.</summary>
    private static double Value(string exposition, string name, string? label = null)
    {
        var samples = exposition.Split('\n')
            .Where(line => line.StartsWith(name + " ", StringComparison.Ordinal) || line.StartsWith(name + "{", StringComparison.Ordinal))
            .Where(line => label is null || line.Contains(label, StringComparison.Ordinal))
            .ToList();
        var sample = Assert.Single(samples);
        // "name{labels} value [timestamp]"
        var afterLabels = sample[(sample.LastIndexOf('}') is var brace and >= 0 ? brace + 1 : name.Length)..].Trim();
        return double.Parse(afterLabels.Split(' ')[0], CultureInfo.InvariantCulture);
    }
}
