using System.Net;
using Dapper;
using Microsoft.Data.Sqlite;
using PosMonitor.Web.Tests.Infrastructure;
using static PosMonitor.Web.Tests.Telemetry.TelemetryJson;

namespace PosMonitor.Web.Tests.Telemetry;

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
            var id = TelemetryJson.UniqueId($"rl-{i}");
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
