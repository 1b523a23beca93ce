using System.Net;
using Dapper;
using Microsoft.Data.Sqlite;
using PosMonitor.Web.Tests.Infrastructure;
using static PosMonitor.Web.Tests.Telemetry.TelemetryJson;

namespace PosMonitor.Web.Tests.Telemetry;

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
