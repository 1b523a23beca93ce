using System.Net;
using Dapper;
using PosMonitor.Web.Tests.Infrastructure;

namespace PosMonitor.Web.Tests.Audit;

public class AuditLogTests(PosMonitorFactory factory) : IClassFixture<PosMonitorFactory>
{
    [Fact]
    public async Task A_card_number_in_an_audited_request_is_stored_masked()
    {
        await factory.PutFleetAsync(TestFleet.Small());
        var merchant = factory.CreateClient(await factory.CreateKeyAsync("read:merchant", "m-0001"));

        // A merchant-bound caller asking for an incident it may not see is audited with the id it asked for.
        var response = await merchant.GetAsync("/api/v1/incidents/4111.1111.1111.1111");

        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        await using var c = new Microsoft.Data.Sqlite.SqliteConnection($"Data Source={factory.DatabasePath}");
        var targets = (await c.QueryAsync<string>("SELECT target FROM audit_log WHERE action = 'access.cross-merchant'")).ToList();
        Assert.Contains("incident:411111******1111", targets);
        Assert.DoesNotContain(targets, t => t.Contains("4111.1111"));
    }
}
