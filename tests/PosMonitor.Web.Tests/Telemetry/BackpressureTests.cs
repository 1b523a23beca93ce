using System.Net;
using Dapper;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.DependencyInjection;
using PosMonitor.Web.Features.Telemetry;
using PosMonitor.Web.Tests.Infrastructure;
using static PosMonitor.Web.Tests.Telemetry.TelemetryJson;

namespace PosMonitor.Web.Tests.Telemetry;

public class RateLimitFactory : PosMonitorFactory
{
    protected override IEnumerable<KeyValuePair<string, string?>> Settings =>
        [new("PosMonitor:Ingestion:RequestsPerSecondPerKey", "2")];
}

public class SmallQueueFactory : PosMonitorFactory
{
    protected override IEnumerable<KeyValuePair<string, string?>> Settings =>
        [new("PosMonitor:Ingestion:QueueCapacityEvents", "10")];
}

public class RateLimitTests(RateLimitFactory factory) : IClassFixture<RateLimitFactory>
{
    [Fact]
    public async Task A_key_over_its_rate_gets_429_with_retry_after_and_nothing_is_stored()
    {
        await factory.PutFleetAsync(TestFleet.Small());
        var client = factory.AdminClient();
        var responses = new List<(HttpResponseMessage Response, string Id)>();
        for (var i = 0; i < 6; i++)
        {
            var id = $"rl-{i}-{Guid.NewGuid():N}";
            responses.Add((await client.PostAsync("/api/v1/telemetry", Content(Body(transactions: [Sale(id, "T-000001", DateTimeOffset.UtcNow)]))), id));
        }

        var limited = responses.Where(r => r.Response.StatusCode == HttpStatusCode.TooManyRequests).ToList();
        Assert.NotEmpty(limited);
        Assert.All(limited, r => Assert.True(r.Response.Headers.RetryAfter?.Delta?.TotalSeconds >= 1));
        Assert.All(limited, r => Assert.Equal("application/problem+json", r.Response.Content.Headers.ContentType?.MediaType));
        await using var db = new SqliteConnection($"Data Source={factory.DatabasePath}");
        foreach (var (_, id) in limited)
            Assert.Equal(0, await db.ExecuteScalarAsync<int>("SELECT COUNT(*) FROM transactions WHERE event_id = @id", new { id }));
    }
}

public class QueueFullTests(SmallQueueFactory factory) : IClassFixture<SmallQueueFactory>
{
    [Fact]
    public async Task A_full_queue_answers_503_with_retry_after_and_stores_nothing_of_that_request()
    {
        await factory.PutFleetAsync(TestFleet.Small());
        var client = factory.AdminClient();
        string Batch(string prefix) => Body(transactions: Enumerable.Range(0, 5).Select(i => Sale($"{prefix}-{i}", "T-000001", DateTimeOffset.UtcNow)));

        // Hold SQLite's write lock so the writer cannot commit and the queue fills.
        await using var blocker = new SqliteConnection($"Data Source={factory.DatabasePath}");
        await blocker.OpenAsync();
        await blocker.ExecuteAsync("BEGIN EXCLUSIVE");
        var a = client.PostAsync("/api/v1/telemetry", Content(Batch("qa")));
        var b = client.PostAsync("/api/v1/telemetry", Content(Batch("qb")));
        // Both batches are queued (held by the blocked writer, which counts them until they commit): the queue is full.
        var queue = factory.Services.GetRequiredService<IngestionQueue>();
        await Poll.UntilAsync(() => queue.PendingEvents >= 10, "the queue holds the 10 events of both posts");
        var c = await client.PostAsync("/api/v1/telemetry", Content(Batch("qc")));
        await blocker.ExecuteAsync("COMMIT");

        Assert.Equal(HttpStatusCode.ServiceUnavailable, c.StatusCode);
        Assert.Equal(TimeSpan.FromSeconds(1), c.Headers.RetryAfter?.Delta);
        Assert.Equal(HttpStatusCode.Accepted, (await a).StatusCode);
        Assert.Equal(HttpStatusCode.Accepted, (await b).StatusCode);
        Assert.Equal(0, await blocker.ExecuteScalarAsync<int>("SELECT COUNT(*) FROM transactions WHERE event_id LIKE 'qc-%'"));
        Assert.Equal(10, await blocker.ExecuteScalarAsync<int>("SELECT COUNT(*) FROM transactions WHERE event_id LIKE 'qa-%' OR event_id LIKE 'qb-%'"));
    }
}

public class StorageFailureTests(PosMonitorFactory factory) : IClassFixture<PosMonitorFactory>
{
    [Fact]
    public async Task When_the_commit_fails_the_request_gets_503_and_nothing_of_it_is_stored()
    {
        await factory.PutFleetAsync(TestFleet.Small());
        await using var db = new SqliteConnection($"Data Source={factory.DatabasePath}");
        await db.ExecuteAsync("ALTER TABLE heartbeats RENAME TO heartbeats_away");

        var response = await factory.AdminClient().PostAsync("/api/v1/telemetry",
            Content(Body(heartbeats: [Heartbeat("sf-0", "T-000001", DateTimeOffset.UtcNow)],
                transactions: [Sale("sf-1", "T-000001", DateTimeOffset.UtcNow), Sale("sf-2", "T-000002", DateTimeOffset.UtcNow)])));

        Assert.Equal(HttpStatusCode.ServiceUnavailable, response.StatusCode);
        Assert.NotNull(response.Headers.RetryAfter);
        Assert.Equal(0, await db.ExecuteScalarAsync<int>("SELECT COUNT(*) FROM transactions WHERE event_id LIKE 'sf-%'"));
        await db.ExecuteAsync("ALTER TABLE heartbeats_away RENAME TO heartbeats");
    }
}
