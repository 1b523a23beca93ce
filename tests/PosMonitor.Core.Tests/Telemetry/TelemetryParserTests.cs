using System.Text.Json;
using PosMonitor.Core.Telemetry;

namespace PosMonitor.Core.Tests.Telemetry;

public class TelemetryParserTests
{
    private static readonly DateTimeOffset Now = new(2026, 11, 25, 8, 0, 0, TimeSpan.Zero);

    private const string Heartbeat = """
        { "eventId": "h-1", "terminalId": "T-1", "timestamp": "2026-11-25T07:59:30.000Z",
          "network": { "type": "cellular", "signalDbm": -95, "latencyMs": 180, "packetLossPct": 2.5 },
          "firmware": "3.2.1", "uptimeSec": 3600, "batteryPct": 80, "cpuPct": 20, "memoryPct": 40,
          "printer": "paper_out", "scanner": "ok", "pendingOffline": 3, "extra": "ignored" }
        """;

    private const string Transaction = """
        { "eventId": "t-1", "terminalId": "T-1", "timestamp": "2026-11-25T07:59:59.500Z", "gateway": "gw-unionpay",
          "outcome": "timeout", "stage": "gateway", "latencyMs": 30000, "stageMs": { "host": 120, "gateway": 29800 },
          "errorCode": "E504", "amountMinor": 2599, "currency": "CNY" }
        """;

    private static object Parse(string json, EventKind kind, DateTimeOffset? now = null) =>
        TelemetryParser.ParseEvent(JsonDocument.Parse(json).RootElement, kind, 7, now ?? Now);

    private static string With(string json, string field, string? value)
    {
        var node = System.Text.Json.Nodes.JsonNode.Parse(json)!.AsObject();
        if (value is null) node.Remove(field);
        else node[field] = System.Text.Json.Nodes.JsonNode.Parse(value);
        return node.ToJsonString();
    }

    [Fact]
    public void Reads_every_heartbeat_field()
    {
        var hb = Assert.IsType<Heartbeat>(Parse(Heartbeat, EventKind.Heartbeat));
        Assert.Equal(NetworkType.Cellular, hb.NetworkType);
        Assert.Equal(-95, hb.SignalDbm);
        Assert.Equal(2.5, hb.PacketLossPct);
        Assert.Equal(PrinterStatus.PaperOut, hb.Printer);
        Assert.Equal(3, hb.PendingOffline);
        Assert.Equal(new DateTimeOffset(2026, 11, 25, 7, 59, 30, TimeSpan.Zero), hb.Timestamp);
    }

    [Fact]
    public void Reads_every_transaction_field()
    {
        var tx = Assert.IsType<Transaction>(Parse(Transaction, EventKind.Transaction));
        Assert.Equal(Outcome.Timeout, tx.Outcome);
        Assert.Equal(Stage.Gateway, tx.Stage);
        Assert.Equal(29800, tx.StageMs![(int)Stage.Gateway]);
        Assert.Equal(120, tx.StageMs[(int)Stage.Host]);
        Assert.Equal(2599, tx.AmountMinor);
    }

    [Theory]
    [InlineData("outcome", null, RejectionCodes.MissingField, "'outcome' is required")]
    [InlineData("outcome", "\"lost\"", RejectionCodes.InvalidField, "must be one of approved")]
    [InlineData("stage", null, RejectionCodes.MissingField, "'stage' is required when outcome is timeout")]
    [InlineData("latencyMs", "-1", RejectionCodes.InvalidField, "'latencyMs' must be between 0")]
    [InlineData("latencyMs", "\"fast\"", RejectionCodes.InvalidField, "'latencyMs' must be an integer")]
    [InlineData("stageMs", "{\"teleport\": 5}", RejectionCodes.InvalidField, "'stageMs.teleport' is not a stage")]
    [InlineData("currency", "\"yuan\"", RejectionCodes.InvalidField, "ISO-4217")]
    [InlineData("eventId", "\"has space\"", RejectionCodes.InvalidField, "'eventId' must be 1-64 characters")]
    [InlineData("terminalId", null, RejectionCodes.MissingField, "'terminalId' is required")]
    [InlineData("timestamp", "\"2026-11-25 08:00\"", RejectionCodes.InvalidField, "ISO-8601")]
    [InlineData("timestamp", "\"2026-11-25T08:06:00Z\"", RejectionCodes.TimestampOutOfRange, "in the future")]
    [InlineData("timestamp", "\"2026-11-17T08:00:00Z\"", RejectionCodes.TimestampOutOfRange, "7 days in the past")]
    [InlineData("errorCode", "\"4111111111111111\"", RejectionCodes.CardData, "field 'errorCode' holds card data")]
    [InlineData("note", "\"4111-1111-1111-1111\"", RejectionCodes.CardData, "field 'note' holds card data")]
    [InlineData("errorCode", "\"4111.1111.1111.1111\"", RejectionCodes.CardData, "field 'errorCode' holds card data")]
    [InlineData("stageMs", "{\"host\": \"41 11 11 11 11 11 11 11\"}", RejectionCodes.CardData, "field 'stageMs.host' holds card data")]
    [InlineData("note", "[\"ok\", \"４１１１１１１１１１１１１１１１\"]", RejectionCodes.CardData, "field 'note[1]' holds card data")]
    [InlineData("extra", "{\"4111_1111_1111_1111\": 1}", RejectionCodes.CardData, "a property name in 'extra' holds card data")]
    public void Refuses_a_bad_transaction_with_code_and_field(string field, string? value, string code, string message)
    {
        var rejection = Assert.IsType<Rejection>(Parse(With(Transaction, field, value), EventKind.Transaction));
        Assert.Equal(code, rejection.Code);
        Assert.Contains(message, rejection.Message);
        Assert.Equal(7, rejection.Index);
    }

    [Theory]
    [InlineData("network", null, RejectionCodes.MissingField, "'network' is required")]
    [InlineData("network", "{\"type\":\"wifi\",\"latencyMs\":5,\"packetLossPct\":101}", RejectionCodes.InvalidField, "'network.packetLossPct' must be between 0 and 100")]
    [InlineData("network", "{\"type\":\"lte\",\"latencyMs\":5,\"packetLossPct\":1}", RejectionCodes.InvalidField, "'network.type' must be one of wifi")]
    [InlineData("network", "{\"type\":\"wifi\",\"signalDbm\":12,\"latencyMs\":5,\"packetLossPct\":1}", RejectionCodes.InvalidField, "'network.signalDbm'")]
    [InlineData("printer", "\"smoking\"", RejectionCodes.InvalidField, "'printer' must be one of ok, paper_out")]
    [InlineData("firmware", "\"0123456789012345678901234567890123\"", RejectionCodes.InvalidField, "at most 32")]
    [InlineData("uptimeSec", null, RejectionCodes.MissingField, "'uptimeSec' is required")]
    [InlineData("cpuPct", "150", RejectionCodes.InvalidField, "'cpuPct' must be between 0 and 100")]
    public void Refuses_a_bad_heartbeat_with_code_and_field(string field, string? value, string code, string message)
    {
        var rejection = Assert.IsType<Rejection>(Parse(With(Heartbeat, field, value), EventKind.Heartbeat));
        Assert.Equal(code, rejection.Code);
        Assert.Contains(message, rejection.Message);
    }

    [Fact]
    public void Card_data_is_never_echoed_even_when_it_is_the_event_id()
    {
        var rejection = Assert.IsType<Rejection>(Parse(With(Transaction, "eventId", "\"4111111111111111\""), EventKind.Transaction));
        Assert.Equal(RejectionCodes.CardData, rejection.Code);
        Assert.Null(rejection.EventId);
        Assert.DoesNotContain("4111", rejection.Message);
    }

    [Fact]
    public void Optional_fields_may_be_absent_and_replay_skips_the_time_window()
    {
        var minimal = """{ "eventId": "t", "terminalId": "T", "timestamp": "2020-01-01T00:00:00Z", "outcome": "approved", "latencyMs": 5 }""";
        var tx = Assert.IsType<Transaction>(TelemetryParser.ParseEvent(JsonDocument.Parse(minimal).RootElement, EventKind.Transaction, 0, now: null));
        Assert.Null(tx.Gateway);
        Assert.Null(tx.StageMs);
        Assert.Null(tx.Stage);
    }
}
