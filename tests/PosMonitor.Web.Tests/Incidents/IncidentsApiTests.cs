using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using PosMonitor.Core.Detection;
using PosMonitor.Web.Features.Incidents;
using PosMonitor.Web.Tests.Infrastructure;
using FleetModel = PosMonitor.Core.Fleet.Fleet;

namespace PosMonitor.Web.Tests.Incidents;

public class IncidentsApiTests(PosMonitorFactory factory) : IClassFixture<PosMonitorFactory>, IAsyncLifetime
{
    private static readonly DateTimeOffset T0 = new(2026, 11, 25, 8, 3, 15, TimeSpan.Zero);

    public async ValueTask InitializeAsync()
    {
        await factory.PutFleetAsync(TestFleet.Small());
        var repo = factory.Services.GetRequiredService<IncidentRepository>();
        var fleet = FleetModel.FromDocument(TestFleet.Small());
        if ((await repo.OpenAsync(CancellationToken.None)).Count > 0) return; // seeded by an earlier test of this class
        var first = TestIncidents.GatewayOutage("inc-000001", T0, ["T-000001", "T-000002"]);
        await repo.SaveAsync([new IncidentChange(IncidentChangeKind.Opened, first)], fleet, CancellationToken.None);
        await repo.SaveAsync([new IncidentChange(IncidentChangeKind.Resolved, first with { ResolvedAt = T0.AddMinutes(38), UpdatedAt = T0.AddMinutes(38) })],
            fleet, CancellationToken.None);
        await repo.SaveAsync([new IncidentChange(IncidentChangeKind.Opened, TestIncidents.GatewayOutage("inc-000002", T0.AddHours(1), ["T-000003"]))],
            fleet, CancellationToken.None);
        await repo.SaveAsync([new IncidentChange(IncidentChangeKind.Opened, TestIncidents.GatewayOutage("inc-000003", T0.AddHours(2), ["T-000004"]))],
            fleet, CancellationToken.None);
    }

    public ValueTask DisposeAsync() => ValueTask.CompletedTask;

    private static async Task<string[]> Ids(HttpClient client, string query = "")
    {
        var response = await client.GetAsync("/api/v1/incidents" + query);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var list = await response.Content.ReadFromJsonAsync<JsonElement>();
        return list.EnumerateArray().Select(i => i.GetProperty("id").GetString()!).ToArray();
    }

    [Fact]
    public async Task The_list_has_exactly_the_fields_of_replay_md_newest_first()
    {
        var list = await factory.AdminClient().GetFromJsonAsync<JsonElement>("/api/v1/incidents");

        Assert.Equal(["inc-000003", "inc-000002", "inc-000001"], list.EnumerateArray().Select(i => i.GetProperty("id").GetString()));
        var resolved = list[2];
        Assert.Equal(
            ["id", "scopeType", "scopeId", "cause", "severity", "openedAt", "resolvedAt", "runbookId", "title", "evidence", "affected"],
            resolved.EnumerateObject().Select(p => p.Name));
        Assert.Equal("gateway", resolved.GetProperty("scopeType").GetString());
        Assert.Equal("gateway", resolved.GetProperty("cause").GetString());
        Assert.Equal("critical", resolved.GetProperty("severity").GetString());
        Assert.Equal("2026-11-25T08:03:15Z", resolved.GetProperty("openedAt").GetString());
        Assert.Equal("2026-11-25T08:41:15Z", resolved.GetProperty("resolvedAt").GetString());
        Assert.Equal("rb-gateway-degradation", resolved.GetProperty("runbookId").GetString());
        Assert.Equal(2, resolved.GetProperty("evidence").GetArrayLength());
        Assert.Equal(1, resolved.GetProperty("affected").GetProperty("merchants").GetInt32());
        Assert.Equal(2, resolved.GetProperty("affected").GetProperty("terminals").GetInt32());
        Assert.Equal(JsonValueKind.Null, list[0].GetProperty("resolvedAt").ValueKind);
    }

    [Fact]
    public async Task Status_and_since_filter_the_list()
    {
        var admin = factory.AdminClient();
        Assert.Equal(["inc-000003", "inc-000002"], await Ids(admin, "?status=open"));
        Assert.Equal(["inc-000001"], await Ids(admin, "?status=resolved"));
        Assert.Equal(["inc-000003", "inc-000002", "inc-000001"], await Ids(admin, "?status=all"));
        Assert.Equal(["inc-000003", "inc-000002"], await Ids(admin, "?since=2026-11-25T09:00:00Z"));
    }

    [Theory]
    [InlineData("?status=closed", "status")]
    [InlineData("?since=yesterday", "since")]
    [InlineData("?since=2026-11-25T09:00:00%2B08:00", "since")]
    [InlineData("?limit=0", "limit")]
    public async Task A_bad_query_value_is_a_400_problem_naming_the_parameter(string query, string parameter)
    {
        var response = await factory.AdminClient().GetAsync("/api/v1/incidents" + query);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        var problem = await response.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Contains($"'{parameter}'", problem.GetProperty("title").GetString());
        Assert.Equal(parameter, problem.GetProperty("parameter").GetString());
    }

    [Fact]
    public async Task One_incident_carries_its_timeline_and_runbook()
    {
        var detail = await factory.AdminClient().GetFromJsonAsync<JsonElement>("/api/v1/incidents/inc-000001");

        Assert.Equal("inc-000001", detail.GetProperty("id").GetString());
        Assert.Equal(["opened", "resolved"], detail.GetProperty("timeline").EnumerateArray().Select(e => e.GetProperty("kind").GetString()));
        Assert.Equal("2026-11-25T08:41:15Z", detail.GetProperty("timeline")[1].GetProperty("at").GetString());
        Assert.Equal("rb-gateway-degradation", detail.GetProperty("runbook").GetProperty("id").GetString());
        // The checklist is the runbook's steps (the seeded default here: no ticket pins an older version).
        Assert.Equal("Confirm it is one gateway", detail.GetProperty("runbook").GetProperty("checklist")[0].GetString());
        Assert.Equal(5, detail.GetProperty("runbook").GetProperty("checklist").GetArrayLength());
    }

    [Fact]
    public async Task A_merchant_key_sees_only_incidents_affecting_its_merchant_and_404_for_others()
    {
        var m1 = factory.CreateClient(await factory.CreateKeyAsync("read:merchant", "m-0001"));
        var m2 = factory.CreateClient(await factory.CreateKeyAsync("read:merchant", "m-0002"));

        Assert.Equal(["inc-000001"], await Ids(m1));
        Assert.Equal(["inc-000003", "inc-000002"], await Ids(m2));
        Assert.Equal(HttpStatusCode.NotFound, (await m1.GetAsync("/api/v1/incidents/inc-000002")).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await m2.GetAsync("/api/v1/incidents/inc-000002")).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await m2.GetAsync("/api/v1/incidents/inc-000001")).StatusCode);
    }

    [Fact]
    public async Task Platform_readers_see_every_incident_and_unknown_ids_are_404()
    {
        var reader = factory.CreateClient(await factory.CreateKeyAsync("read:platform"));
        Assert.Equal(3, (await Ids(reader)).Length);
        Assert.Equal(HttpStatusCode.NotFound, (await reader.GetAsync("/api/v1/incidents/inc-999999")).StatusCode);
    }

    [Fact]
    public async Task No_key_is_401_and_a_key_without_a_read_scope_is_403()
    {
        Assert.Equal(HttpStatusCode.Unauthorized, (await factory.CreateClient(apiKey: null).GetAsync("/api/v1/incidents")).StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, (await factory.CreateClient("not-a-key").GetAsync("/api/v1/incidents/inc-000001")).StatusCode);
        var ingest = factory.CreateClient(await factory.CreateKeyAsync("ingest:platform"));
        Assert.Equal(HttpStatusCode.Forbidden, (await ingest.GetAsync("/api/v1/incidents")).StatusCode);
        var display = factory.CreateClient(await factory.CreateKeyAsync("display"));
        Assert.Equal(HttpStatusCode.Forbidden, (await display.GetAsync("/api/v1/incidents/inc-000001")).StatusCode);
    }
}
