using System.Net;
using Dapper;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.DependencyInjection;
using PosMonitor.Web.Features.Telemetry;
using PosMonitor.Web.Tests.Infrastructure;
using static PosMonitor.Web.Tests.Telemetry.TelemetryJson;

namespace PosMonitor.Web.Tests.Telemetry;

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
