using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Dapper;
using PosMonitor.Web.Tests.Infrastructure;

namespace PosMonitor.Web.Tests.Identity;

public class ApiKeysApiTests(PosMonitorFactory factory) : IClassFixture<PosMonitorFactory>
{
    [Fact]
    public async Task A_created_key_is_shown_once_and_stored_only_as_a_hash()
    {
        await factory.PutFleetAsync(TestFleet.Small());
        var response = await factory.AdminClient().PostAsJsonAsync("/api/v1/keys", new { scope = "ingest:merchant", merchantId = "m-0001", name = "till bridge" });

        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        var body = await response.Content.ReadFromJsonAsync<JsonElement>();
        var key = body.GetProperty("key").GetString()!;
        Assert.Equal("ingest:merchant", body.GetProperty("scope").GetString());
        Assert.Equal("m-0001", body.GetProperty("merchantId").GetString());
        Assert.True(key.Length >= 40, "a key carries at least 128 random bits");

        await using var c = new Microsoft.Data.Sqlite.SqliteConnection($"Data Source={factory.DatabasePath}");
        var stored = await c.QuerySingleAsync<(string Hash, string Scope)>(
            "SELECT key_hash AS Hash, scope AS Scope FROM api_keys WHERE id = @Id", new { Id = body.GetProperty("id").GetString() });
        Assert.NotEqual(key, stored.Hash);
        Assert.DoesNotContain(key, stored.Hash);
        Assert.Equal(64, stored.Hash.Length);
    }

    [Theory]
    [InlineData("ingest:merchant", null, "merchantId: is required")]
    [InlineData("read:platform", "m-0001", "merchantId: is not allowed")]
    [InlineData("superuser", null, "scope: must be one of")]
    [InlineData("read:merchant", "m-unknown", "unknown merchant")]
    public async Task Key_requests_are_validated(string scope, string? merchantId, string expected)
    {
        await factory.PutFleetAsync(TestFleet.Small());
        var response = await factory.AdminClient().PostAsJsonAsync("/api/v1/keys", new { scope, merchantId });

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Contains(expected, await response.Content.ReadAsStringAsync());
    }

    [Theory]
    [InlineData("name", "till 4111.1111.1111.1111")]
    [InlineData("merchantId", "m-4111111111111111")]
    public async Task A_key_request_with_card_data_is_refused_as_card_data_naming_the_field(string field, string value)
    {
        await factory.PutFleetAsync(TestFleet.Small());
        var request = field == "name"
            ? new { scope = "read:merchant", merchantId = "m-0001", name = value }
            : new { scope = "read:merchant", merchantId = value, name = "till" };
        var response = await factory.AdminClient().PostAsJsonAsync("/api/v1/keys", request);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        var text = await response.Content.ReadAsStringAsync();
        var problem = JsonDocument.Parse(text).RootElement;
        Assert.Equal("card_data", problem.GetProperty("code").GetString());
        Assert.Equal([field], problem.GetProperty("fields").EnumerateArray().Select(f => f.GetString()));
        Assert.DoesNotContain("1111", text);
        await using var c = new Microsoft.Data.Sqlite.SqliteConnection($"Data Source={factory.DatabasePath}");
        Assert.Equal(0, await c.ExecuteScalarAsync<int>("SELECT COUNT(*) FROM api_keys WHERE name LIKE '%1111%'"));
        Assert.Equal(0, await c.ExecuteScalarAsync<int>("SELECT COUNT(*) FROM audit_log WHERE target LIKE '%1111%' OR detail LIKE '%1111%'"));
    }

    [Fact]
    public async Task A_revoked_key_gets_401_on_its_next_call()
    {
        var created = await (await factory.AdminClient().PostAsJsonAsync("/api/v1/keys", new { scope = "admin" }))
            .Content.ReadFromJsonAsync<JsonElement>();
        var client = factory.CreateClient(created.GetProperty("key").GetString());
        Assert.Equal(HttpStatusCode.OK, (await client.PutAsJsonAsync("/api/v1/fleet", TestFleet.Small())).StatusCode);

        var revoke = await factory.AdminClient().DeleteAsync($"/api/v1/keys/{created.GetProperty("id").GetString()}");

        Assert.Equal(HttpStatusCode.NoContent, revoke.StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, (await client.PutAsJsonAsync("/api/v1/fleet", TestFleet.Small())).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await factory.AdminClient().DeleteAsync($"/api/v1/keys/{created.GetProperty("id").GetString()}")).StatusCode);
    }

    [Fact]
    public async Task Only_admin_keys_manage_keys()
    {
        var platform = await factory.CreateKeyAsync("ingest:platform");
        var response = await factory.CreateClient(platform).PostAsJsonAsync("/api/v1/keys", new { scope = "admin" });
        Assert.Equal(HttpStatusCode.Forbidden, response.StatusCode);
    }

    [Fact]
    public async Task Health_and_readiness_answer_without_a_key()
    {
        var client = factory.CreateClient(apiKey: null);
        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("/healthz")).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("/readyz")).StatusCode);
    }
}
