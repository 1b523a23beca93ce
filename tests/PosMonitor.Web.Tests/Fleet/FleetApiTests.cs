using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Dapper;
using PosMonitor.Web.Tests.Infrastructure;

namespace PosMonitor.Web.Tests.Fleet;

public class FleetApiTests(PosMonitorFactory factory) : IClassFixture<PosMonitorFactory>
{
    [Fact]
    public async Task Putting_the_same_document_twice_changes_nothing()
    {
        var document = TestFleet.Small();
        var first = await factory.AdminClient().PutAsJsonAsync("/api/v1/fleet", document);
        Assert.Equal(HttpStatusCode.OK, first.StatusCode);
        var counts = await first.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal(2, counts.GetProperty("regions").GetInt32());
        Assert.Equal(4, counts.GetProperty("terminals").GetInt32());
        var before = await Snapshot();

        await Task.Delay(5); // a rewrite would stamp a later updated_at
        var second = await factory.AdminClient().PutAsJsonAsync("/api/v1/fleet", document);

        Assert.Equal(HttpStatusCode.OK, second.StatusCode);
        Assert.Equal(before, await Snapshot());
    }

    [Fact]
    public async Task A_terminal_region_defaults_to_its_merchants_and_changes_are_applied()
    {
        await factory.PutFleetAsync(TestFleet.Small());
        var changed = TestFleet.Small();
        changed.Merchants![0].Terminals![0] = changed.Merchants[0].Terminals![0] with { Firmware = "3.3.0" };
        await factory.PutFleetAsync(changed);

        await using var c = new Microsoft.Data.Sqlite.SqliteConnection($"Data Source={factory.DatabasePath}");
        Assert.Equal("3.3.0", await c.ExecuteScalarAsync<string>("SELECT firmware FROM terminals WHERE id = 'T-000001'"));
        Assert.Equal("north", await c.ExecuteScalarAsync<string>("SELECT region_id FROM terminals WHERE id = 'T-000003'"));
        Assert.Equal("east", await c.ExecuteScalarAsync<string>("SELECT region_id FROM terminals WHERE id = 'T-000004'"));
    }

    [Fact]
    public async Task An_invalid_document_is_rejected_whole_listing_every_problem()
    {
        var body = """
        {
          "regions": [{ "id": "west", "name": "West" }],
          "gateways": [],
          "merchants": [
            { "id": "m-bad-1", "name": "A", "region": "nowhere", "timeZone": "Mars/Olympus", "openingHours": "9-5",
              "terminals": [ { "id": "T-dup", "gateway": "gw-missing" } ] },
            { "id": "m-bad-2", "name": "B", "region": "west",
              "terminals": [ { "id": "T-dup", "gateway": "gw-missing" }, { "id": "bad id!", "gateway": "gw-missing" } ] }
          ]
        }
        """;
        var response = await factory.AdminClient().PutAsync("/api/v1/fleet", new StringContent(body, Encoding.UTF8, "application/json"));

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        var problem = await response.Content.ReadFromJsonAsync<JsonElement>();
        var errors = problem.GetProperty("errors").EnumerateArray().Select(e => e.GetString()!).ToList();
        Assert.Contains(errors, e => e.Contains("unknown region 'nowhere'"));
        Assert.Contains(errors, e => e.Contains("'Mars/Olympus' is not an IANA time zone"));
        Assert.Contains(errors, e => e.Contains("openingHours"));
        Assert.Contains(errors, e => e.Contains("unknown gateway 'gw-missing'"));
        Assert.Contains(errors, e => e.Contains("'T-dup' is listed under merchants 'm-bad-1' and 'm-bad-2'"));
        Assert.Contains(errors, e => e.Contains("merchants[1].terminals[1].id"));

        // Rejected whole: not even the valid region was stored.
        await using var c = new Microsoft.Data.Sqlite.SqliteConnection($"Data Source={factory.DatabasePath}");
        Assert.Equal(0, await c.ExecuteScalarAsync<int>("SELECT COUNT(*) FROM regions WHERE id = 'west'"));
    }

    [Fact]
    public async Task Malformed_json_is_a_400_problem_and_other_media_types_a_415()
    {
        var malformed = await factory.AdminClient().PutAsync("/api/v1/fleet", new StringContent("{\"regions\": [", Encoding.UTF8, "application/json"));
        Assert.Equal(HttpStatusCode.BadRequest, malformed.StatusCode);
        Assert.Equal("application/problem+json", malformed.Content.Headers.ContentType?.MediaType);

        var text = await factory.AdminClient().PutAsync("/api/v1/fleet", new StringContent("{}", Encoding.UTF8, "text/plain"));
        Assert.Equal(HttpStatusCode.UnsupportedMediaType, text.StatusCode);
    }

    [Fact]
    public async Task Without_a_key_the_fleet_is_401_and_with_a_non_admin_key_403()
    {
        var anonymous = await factory.CreateClient(apiKey: null).PutAsJsonAsync("/api/v1/fleet", TestFleet.Small());
        var unknown = await factory.CreateClient("pmk_not-a-real-key").PutAsJsonAsync("/api/v1/fleet", TestFleet.Small());
        var ingestKey = await factory.CreateKeyAsync("ingest:platform");
        var wrongScope = await factory.CreateClient(ingestKey).PutAsJsonAsync("/api/v1/fleet", TestFleet.Small());

        Assert.Equal(HttpStatusCode.Unauthorized, anonymous.StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, unknown.StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, wrongScope.StatusCode);
        Assert.Equal("application/problem+json", anonymous.Content.Headers.ContentType?.MediaType);
        Assert.Equal("application/problem+json", wrongScope.Content.Headers.ContentType?.MediaType);
    }

    public static TheoryData<string, string> CardDataPlaces => new()
    {
        { "merchants[0].name", "Lotus 4111.1111.1111.1111" },
        { "merchants[0].terminals[1].store", "Nanjing Rd ４１１１１１１１１１１１１１１１" },
        { "merchants[0].terminals[0].model", "A920 4111\u00A01111\u00A01111\u00A01111" },
        { "merchants[1].terminals[0].firmware", "41 11 11 11 11 11 11 11" },
        { "regions[0].name", "East 4111\u200B1111\u200B1111\u200B1111" },
        { "gateways[1].name", "Alipay 4111/1111/1111/1111" },
        { "merchants[1].id", "m-4111111111111111" },
    };

    [Theory]
    [MemberData(nameof(CardDataPlaces))]
    public async Task A_document_with_card_data_anywhere_is_refused_as_card_data_naming_the_field(string field, string value)
    {
        var document = TestFleet.Small();
        var name = "Card Data Test " + Guid.NewGuid().ToString("N")[..8];
        document.Merchants![0] = document.Merchants[0] with { Name = name };
        document = field switch
        {
            "merchants[0].name" => Replace(document, 0, m => m with { Name = value }),
            "merchants[0].terminals[1].store" => Replace(document, 0, m => m with { Terminals = [m.Terminals![0], m.Terminals[1] with { Store = value }] }),
            "merchants[0].terminals[0].model" => Replace(document, 0, m => m with { Terminals = [m.Terminals![0] with { Model = value }, m.Terminals[1]] }),
            "merchants[1].terminals[0].firmware" => Replace(document, 1, m => m with { Terminals = [m.Terminals![0] with { Firmware = value }, m.Terminals[1]] }),
            "regions[0].name" => document with { Regions = [document.Regions![0] with { Name = value }, document.Regions[1]] },
            "gateways[1].name" => document with { Gateways = [document.Gateways![0], document.Gateways[1] with { Name = value }] },
            "merchants[1].id" => Replace(document, 1, m => m with { Id = value }),
            _ => throw new ArgumentException(field),
        };

        var response = await factory.AdminClient().PutAsJsonAsync("/api/v1/fleet", document);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        var text = await response.Content.ReadAsStringAsync();
        var problem = JsonDocument.Parse(text).RootElement;
        Assert.Equal("card_data", problem.GetProperty("code").GetString());
        Assert.Equal([field], problem.GetProperty("fields").EnumerateArray().Select(f => f.GetString()));
        Assert.DoesNotContain("1111", text); // the value is not echoed
        await using var c = new Microsoft.Data.Sqlite.SqliteConnection($"Data Source={factory.DatabasePath}");
        Assert.Equal(0, await c.ExecuteScalarAsync<int>("SELECT COUNT(*) FROM merchants WHERE name = @name", new { name }));
        Assert.Equal(0, await c.ExecuteScalarAsync<int>("SELECT COUNT(*) FROM merchants WHERE name LIKE '%1111%' OR id LIKE '%1111%'"));
    }

    private static PosMonitor.Core.Fleet.FleetDocument Replace(PosMonitor.Core.Fleet.FleetDocument d, int index, Func<PosMonitor.Core.Fleet.MerchantDto, PosMonitor.Core.Fleet.MerchantDto> change)
    {
        var merchants = d.Merchants!.ToList();
        merchants[index] = change(merchants[index]);
        return d with { Merchants = merchants };
    }

    private async Task<string> Snapshot()
    {
        await using var c = new Microsoft.Data.Sqlite.SqliteConnection($"Data Source={factory.DatabasePath}");
        var rows = await c.QueryAsync<string>(
            """
            SELECT 'r|' || id || '|' || name || '|' || updated_at FROM regions
            UNION ALL SELECT 'g|' || id || '|' || updated_at FROM gateways
            UNION ALL SELECT 'm|' || id || '|' || region_id || '|' || updated_at FROM merchants
            UNION ALL SELECT 't|' || id || '|' || merchant_id || '|' || firmware || '|' || updated_at FROM terminals
            ORDER BY 1
            """);
        return string.Join("\n", rows);
    }
}
