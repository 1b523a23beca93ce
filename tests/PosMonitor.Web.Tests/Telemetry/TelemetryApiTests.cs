using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Dapper;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.DependencyInjection;
using PosMonitor.Web.Features.Telemetry;
using PosMonitor.Web.Tests.Infrastructure;
using static PosMonitor.Web.Tests.Telemetry.TelemetryJson;

namespace PosMonitor.Web.Tests.Telemetry;

public class TelemetryApiTests(PosMonitorFactory factory) : IClassFixture<PosMonitorFactory>, IAsyncLifetime
{
    private readonly DateTimeOffset _now = DateTimeOffset.UtcNow;

    public async ValueTask InitializeAsync() => await factory.PutFleetAsync(TestFleet.Small());

    public ValueTask DisposeAsync() => ValueTask.CompletedTask;

    private SqliteConnection Database() => new($"Data Source={factory.DatabasePath}");

    // 32 letters after "e-", as the storage assertions below expect.
    private static string Id() => TelemetryJson.UniqueId("e");

    private async Task<JsonElement> Post(string body, string? key = null, HttpStatusCode expected = HttpStatusCode.Accepted)
    {
        var response = await factory.CreateClient(key ?? PosMonitorFactory.AdminKey).PostAsync("/api/v1/telemetry", Content(body));
        Assert.Equal(expected, response.StatusCode);
        return await response.Content.ReadFromJsonAsync<JsonElement>();
    }

    [Fact]
    public async Task Health_figures_count_what_was_stored_whichever_way_it_reached_the_queue()
    {
        var metrics = factory.Services.GetRequiredService<IngestionMetrics>();
        var queue = factory.Services.GetRequiredService<IngestionQueue>();
        var before = metrics.Snapshot();
        var (heartbeat, sale) = (Id(), Id());

        // Two stored; a sale repeated inside the request and, next, the heartbeat resent: two duplicates.
        await Post(Body(heartbeats: [Heartbeat(heartbeat, "T-000001", _now)], transactions: [Sale(sale, "T-000001", _now), Sale(sale, "T-000001", _now)]));
        await Post(Body(heartbeats: [Heartbeat(heartbeat, "T-000001", _now)], transactions: []));
        // The demo's way in: straight onto the queue, past the API (the health page showed 0 events while it ran).
        var direct = new IngestBatch([], [new Core.Telemetry.Transaction
        {
            EventId = Id(), TerminalId = "T-000001", Timestamp = _now, Gateway = "gw-1", Outcome = Core.Telemetry.Outcome.Approved, LatencyMs = 500,
        }]);
        Assert.True(queue.TryEnqueue(direct));
        await direct.Stored.Task;

        var after = metrics.Snapshot();
        Assert.Equal(3, after.Accepted - before.Accepted);
        Assert.Equal(2, after.Duplicates - before.Duplicates);
    }

    [Fact]
    public async Task Valid_events_are_stored_beside_rejected_ones_with_every_rejection_code()
    {
        var ok = new[] { Id(), Id() };
        var body = Body(
            heartbeats: [Heartbeat(ok[0], "T-000001", _now), """{ "eventId": "bad-hb", "terminalId": "T-000001" }"""],
            transactions:
            [
                Sale(ok[1], "T-000001", _now),
                Sale("e-unknown", "T-999", _now),
                Sale("e-future", "T-000001", _now.AddMinutes(10)),
                Sale("e-stale", "T-000001", _now.AddDays(-8)),
                Sale("e-invalid", "T-000001", _now, outcome: "lost"),
                Sale("e-card", "T-000001", _now, extra: "\"errorCode\": \"5500 0000 0000 0004\""),
            ]);

        var result = await Post(body);

        Assert.Equal(2, result.GetProperty("accepted").GetInt32());
        Assert.Equal(0, result.GetProperty("duplicates").GetInt32());
        var rejected = result.GetProperty("rejected").EnumerateArray()
            .Select(r => (Kind: r.GetProperty("kind").GetString(), Index: r.GetProperty("index").GetInt32(), Code: r.GetProperty("code").GetString()))
            .ToList();
        Assert.Equal(
            [("heartbeat", 1, "missing_field"), ("transaction", 1, "unknown_terminal"), ("transaction", 2, "timestamp_out_of_range"),
             ("transaction", 3, "timestamp_out_of_range"), ("transaction", 4, "invalid_field"), ("transaction", 5, "card_data")],
            rejected);

        await using var db = Database();
        Assert.Equal(1, await db.ExecuteScalarAsync<int>("SELECT COUNT(*) FROM heartbeats WHERE event_id = @Id", new { Id = ok[0] }));
        Assert.Equal(1, await db.ExecuteScalarAsync<int>("SELECT COUNT(*) FROM transactions WHERE event_id = @Id", new { Id = ok[1] }));
        Assert.Equal(0, await db.ExecuteScalarAsync<int>("SELECT COUNT(*) FROM transactions WHERE event_id LIKE 'e-%' AND event_id NOT LIKE 'e-________________________________'"));
    }

    [Fact]
    public async Task Duplicates_are_counted_not_stored_twice_within_and_across_batches()
    {
        var at = _now.AddSeconds(-30);
        var (a, b) = (Id(), Id());
        var first = await Post(Body(transactions: [Sale(a, "T-000002", at, "timeout", "gateway"), Sale(a, "T-000002", at, "timeout", "gateway")]));
        var second = await Post(Body(transactions: [Sale(a, "T-000002", at, "timeout", "gateway"), Sale(b, "T-000002", at)]));

        Assert.Equal((1, 1), (first.GetProperty("accepted").GetInt32(), first.GetProperty("duplicates").GetInt32()));
        Assert.Equal((1, 1), (second.GetProperty("accepted").GetInt32(), second.GetProperty("duplicates").GetInt32()));
        await using var db = Database();
        Assert.Equal(1, await db.ExecuteScalarAsync<int>("SELECT COUNT(*) FROM transactions WHERE event_id = @a", new { a }));
        // The rollup counted the timeout once, not three times.
        var minute = at.ToUnixTimeMilliseconds() - at.ToUnixTimeMilliseconds() % 60_000;
        // Rollups are flushed right behind the commit (RollupFlushMilliseconds=0 here), not inside it.
        var rollup = await Poll.UntilAsync(() => db.QuerySingleOrDefaultAsync<(long Transactions, long Timeouts, long Gateway)>(
            "SELECT transactions, timeouts, timeouts_gateway FROM terminal_minutes WHERE terminal_id = 'T-000002' AND minute = @minute", new { minute }),
            r => r.Transactions == 2, "the minute's rollup counts both sales");
        Assert.Equal((2L, 1L, 1L), rollup);
    }

    [Fact]
    public async Task Card_data_never_reaches_the_database()
    {
        const string pan = "4111111111111111";
        var body = Body(
            heartbeats: [Heartbeat(pan, "T-000001", _now)],
            transactions:
            [
                Sale(Id(), "T-000001", _now, extra: $"\"errorCode\": \"{pan}\""),
                Sale(Id(), "T-000001", _now, extra: $"\"currency\": \"CNY\", \"memo\": \";{pan}=25121010000?\""),
                Sale(Id(), "T-000001", _now, extra: "\"errorCode\": \"4111 1111 1111 1111\""),
            ]);

        var result = await Post(body);

        Assert.All(result.GetProperty("rejected").EnumerateArray(), r => Assert.Equal("card_data", r.GetProperty("code").GetString()));
        Assert.Equal(4, result.GetProperty("rejected").GetArrayLength());
        Assert.DoesNotContain("4111", result.GetRawText().Replace("\"eventId\":null", ""));
        await using var db = Database();
        var everything = string.Join("\n",
            (await db.QueryAsync<string>("SELECT event_id || '|' || terminal_id || '|' || COALESCE(error_code, '') || '|' || COALESCE(stage_ms, '') FROM transactions"))
            .Concat(await db.QueryAsync<string>("SELECT event_id || '|' || firmware FROM heartbeats")));
        Assert.DoesNotContain("4111", everything);
    }

    [Fact]
    public async Task A_merchant_key_cannot_send_for_another_merchants_terminal()
    {
        var key = await factory.CreateKeyAsync("ingest:merchant", "m-0001");
        var own = Id();
        var result = await Post(Body(transactions: [Sale(own, "T-000001", _now), Sale(Id(), "T-000003", _now)]), key);

        Assert.Equal(1, result.GetProperty("accepted").GetInt32());
        var rejection = Assert.Single(result.GetProperty("rejected").EnumerateArray());
        Assert.Equal("out_of_scope", rejection.GetProperty("code").GetString());
        Assert.Equal(1, rejection.GetProperty("index").GetInt32());
    }

    [Fact]
    public async Task Only_ingest_and_admin_scopes_may_send()
    {
        var read = await factory.CreateKeyAsync("read:platform");
        var platform = await factory.CreateKeyAsync("ingest:platform");
        var body = Body(transactions: [Sale(Id(), "T-000003", _now)]);

        await Post(body, read, HttpStatusCode.Forbidden);
        var ok = await Post(body, platform);
        Assert.Equal(1, ok.GetProperty("accepted").GetInt32());
        var anonymous = await factory.CreateClient(apiKey: null).PostAsync("/api/v1/telemetry", Content(body));
        Assert.Equal(HttpStatusCode.Unauthorized, anonymous.StatusCode);
    }

    [Fact]
    public async Task Oversized_requests_are_413_and_wrong_media_type_415()
    {
        var tooMany = Body(transactions: Enumerable.Range(0, 5_001).Select(i => Sale($"many-{i}", "T-000001", _now)));
        var tooBig = Body(transactions: [Sale(Id(), "T-000001", _now, extra: $"\"pad\": \"{new string('x', 4 * 1024 * 1024)}\"")]);

        var count = await factory.AdminClient().PostAsync("/api/v1/telemetry", Content(tooMany));
        var size = await factory.AdminClient().PostAsync("/api/v1/telemetry", Content(tooBig));
        var text = await factory.AdminClient().PostAsync("/api/v1/telemetry", new StringContent("{}", System.Text.Encoding.UTF8, "text/plain"));
        var notJson = await factory.AdminClient().PostAsync("/api/v1/telemetry", Content("{\"transactions\": ["));

        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, count.StatusCode);
        Assert.Contains("5001 events", await count.Content.ReadAsStringAsync());
        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, size.StatusCode);
        Assert.Equal(HttpStatusCode.UnsupportedMediaType, text.StatusCode);
        Assert.Equal(HttpStatusCode.BadRequest, notJson.StatusCode);
        Assert.Equal("application/problem+json", count.Content.Headers.ContentType?.MediaType);
        await using var db = Database();
        Assert.Equal(0, await db.ExecuteScalarAsync<int>("SELECT COUNT(*) FROM transactions WHERE event_id LIKE 'many-%'"));
    }

    [Theory]
    [InlineData("{\"transactions\": [", null)]
    [InlineData("{\"heartbeats\": [{\"eventId\": \"a\",}]}", null)]
    [InlineData("{\"heartbeats\": []}\n  x", null)]
    [InlineData("", null)]
    [InlineData("[]", "The body must be a JSON object with \"heartbeats\" and/or \"transactions\" arrays.")]
    [InlineData("{\"transactions\": 5, \"heartbeats\": {}}", "\"heartbeats\" must be an array.")]
    [InlineData("{\"transactions\": \"x\"}", "\"transactions\" must be an array.")]
    [InlineData("{\"heartbeats\": null}", "The body has neither a \"heartbeats\" nor a \"transactions\" array.")]
    public async Task Bodies_that_are_not_telemetry_json_are_400_with_where_and_why(string body, string? detail)
    {
        if (detail is null)
        {
            // Where the JSON reader stopped, as JsonDocument reports it.
            var e = Assert.ThrowsAny<JsonException>(() => JsonDocument.Parse(body));
            detail = $"JSON error at line {e.LineNumber + 1}, byte {e.BytePositionInLine + 1}: the body must be {{ \"heartbeats\": [...], \"transactions\": [...] }}.";
        }
        var response = await factory.AdminClient().PostAsync("/api/v1/telemetry", Content(body));

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        var problem = await response.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal("The body is not telemetry JSON", problem.GetProperty("title").GetString());
        Assert.Equal(detail, problem.GetProperty("detail").GetString());
    }

    [Fact]
    public async Task A_body_that_is_not_utf8_is_400_naming_the_byte_and_stores_nothing()
    {
        var id = Id();
        var json = Encoding.UTF8.GetBytes(Body(transactions: [Sale(id, "T-000001", _now, extra: "\"errorCode\": \"E5\"")]));
        var at = json.AsSpan().IndexOf("\"E5\""u8) + 1; // inside the string: the JSON reader itself does not look there
        var body = json[..at].Concat(new byte[] { 0xFF }).Concat(json[at..]).ToArray();
        var content = new ByteArrayContent(body);
        content.Headers.ContentType = new System.Net.Http.Headers.MediaTypeHeaderValue("application/json");

        var response = await factory.AdminClient().PostAsync("/api/v1/telemetry", content);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        var problem = await response.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal("The body is not UTF-8", problem.GetProperty("title").GetString());
        Assert.StartsWith($"Byte {at + 1} of the body is not valid UTF-8", problem.GetProperty("detail").GetString());
        await using var db = Database();
        Assert.Equal(0, await db.ExecuteScalarAsync<int>("SELECT COUNT(*) FROM transactions WHERE event_id = @id", new { id }));
    }

    [Theory]
    [InlineData("4111.1111.1111.1111")]
    [InlineData("4111\\t1111\\t1111\\t1111")]
    [InlineData("41 11 11 11 11 11 11 11")]
    [InlineData("４１１１１１１１１１１１１１１１")]
    [InlineData("4111\u00A01111\u200B1111 1111")]
    public async Task A_card_number_in_any_separators_is_refused_naming_the_field_and_not_stored(string card)
    {
        var id = Id();
        var result = await Post(Body(transactions: [Sale(id, "T-000001", _now, extra: $"\"errorCode\": \"{card}\"")]));

        var rejected = Assert.Single(result.GetProperty("rejected").EnumerateArray());
        Assert.Equal("card_data", rejected.GetProperty("code").GetString());
        Assert.Contains("field 'errorCode' holds card data", rejected.GetProperty("message").GetString());
        await using var db = Database();
        Assert.Equal(0, await db.ExecuteScalarAsync<int>("SELECT COUNT(*) FROM transactions WHERE event_id = @id", new { id }));
    }

    [Fact]
    public async Task Rejections_keep_their_messages_indexes_and_event_ids_and_duplicates_are_per_kind()
    {
        var shared = Id();
        var body = Body(
            heartbeats: [Heartbeat(shared, "T-000001", _now), "17", Heartbeat("hb-9", "T-000001", _now).Replace("\"scanner\": \"ok\"", "\"scanner\": null")],
            transactions:
            [
                Sale(shared, "T-000001", _now), Sale(shared, "T-000001", _now),
                Sale("tx-big", "T-000001", _now, extra: $"\"errorCode\": \"{new string('E', 40)}\""),
                Sale("tx-gw", "T-000001", _now, extra: "\"gateway\": \"gw-nowhere\""),
                Sale("tx-esc", "T-000001", _now, extra: "\"errorCode\": \"\\u0034111111111111111\""),
            ]);

        var result = await Post(body);

        var rejected = result.GetProperty("rejected").EnumerateArray()
            .Select(r => (r.GetProperty("kind").GetString(), r.GetProperty("index").GetInt32(), r.GetProperty("eventId").GetString(),
                r.GetProperty("code").GetString(), r.GetProperty("message").GetString()))
            .ToList();
        Assert.Equal(
        [
            ("heartbeat", 1, null, "invalid_field", "heartbeat 1: must be a JSON object"),
            ("heartbeat", 2, "hb-9", "missing_field", "heartbeat 2: field 'scanner' is required"),
            ("transaction", 2, "tx-big", "invalid_field", "transaction 2: field 'errorCode' must be at most 32 characters"),
            ("transaction", 3, "tx-gw", "invalid_field", "transaction 3: field 'gateway' names unknown gateway gw-nowhere"),
            ("transaction", 4, "tx-esc", "card_data", "transaction 4: field 'errorCode' holds card data (a PAN or track data); the event was discarded and not stored"),
        ], rejected);
        // The same event id as a heartbeat and as a sale is no duplicate; twice as a sale is.
        Assert.Equal((2, 1), (result.GetProperty("accepted").GetInt32(), result.GetProperty("duplicates").GetInt32()));
    }

    [Fact]
    public async Task Heartbeats_update_the_terminal_state_and_record_firmware_changes_and_restarts()
    {
        await Post(Body(heartbeats: [Heartbeat(Id(), "T-000004", _now.AddSeconds(-90), firmware: "3.2.2", uptime: 5000)]));
        await Post(Body(heartbeats: [Heartbeat(Id(), "T-000004", _now.AddSeconds(-30), firmware: "3.3.0", uptime: 20, printer: "jam")]));
        // An older heartbeat arriving late does not roll the state back.
        await Post(Body(heartbeats: [Heartbeat(Id(), "T-000004", _now.AddSeconds(-60), firmware: "3.2.2", uptime: 5030)]));

        await using var db = Database();
        await Poll.UntilAsync(() => db.ExecuteScalarAsync<int>("SELECT COALESCE(SUM(heartbeats), 0) FROM terminal_minutes WHERE terminal_id = 'T-000004'"), n => n == 3,
            "the rollups count the three heartbeats");
        var state = await db.QuerySingleAsync<(string Firmware, string Printer, long Uptime)>(
            "SELECT firmware, printer, uptime_sec FROM terminal_states WHERE terminal_id = 'T-000004'");
        Assert.Equal(("3.3.0", "jam", 20L), state);
        var change = await db.QuerySingleAsync<(string From, string To)>(
            "SELECT from_version, to_version FROM firmware_changes WHERE terminal_id = 'T-000004'");
        Assert.Equal(("3.2.2", "3.3.0"), change);
        Assert.Equal(1, await db.ExecuteScalarAsync<int>("SELECT SUM(restarts) FROM terminal_minutes WHERE terminal_id = 'T-000004'"));
        Assert.Equal(1, await db.ExecuteScalarAsync<int>("SELECT SUM(printer_faults) FROM terminal_minutes WHERE terminal_id = 'T-000004'"));
    }
}
