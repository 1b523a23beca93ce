using System.Text;
using System.Text.Json;
using PosMonitor.Core.Telemetry;

namespace PosMonitor.Core.Tests.Telemetry;

/// <summary>Replay lines: the forward reader takes plain valid lines and leaves every other to the slow path.</summary>
public class TelemetryEventReaderTests
{
    private const string HeartbeatLine = """{"type":"heartbeat","eventId":"h1","terminalId":"T-000001","timestamp":"2026-11-25T00:00:00.069Z","network":{"type":"ethernet","latencyMs":39,"packetLossPct":0.1},"firmware":"3.2.1","uptimeSec":296449,"cpuPct":23,"memoryPct":44,"printer":"ok","scanner":"absent","pendingOffline":0}""";
    private const string TransactionLine = """{"eventId":"t1","terminalId":"T-000001","timestamp":"2026-11-25T00:00:01Z","outcome":"error","stage":"print","latencyMs":700,"stageMs":{"input":300,"print":400},"type":"transaction"}""";

    private static object? Line(string line) => new TelemetryEventReader().TryReadLine(Encoding.UTF8.GetBytes(line));

    private static string Reference(string line, EventKind kind) =>
        Describe(TelemetryParser.ParseEvent(JsonDocument.Parse(line).RootElement, kind, 1, now: null));

    private static string Describe(object? e) => e is Transaction t ? (t with { StageMs = null }) + string.Join(",", t.StageMs ?? []) : $"{e}";

    [Fact]
    public void A_plain_line_is_read_as_the_parser_reads_it_whatever_the_place_of_type()
    {
        Assert.Equal(Reference(HeartbeatLine, EventKind.Heartbeat), Describe(Assert.IsType<Heartbeat>(Line(HeartbeatLine))));
        Assert.Equal(Reference(TransactionLine, EventKind.Transaction), Describe(Assert.IsType<Transaction>(Line(TransactionLine))));
        Assert.IsType<Heartbeat>(Line("  " + HeartbeatLine + " \r"));
    }

    [Theory]
    [InlineData("not json")]
    [InlineData("[1]")]
    [InlineData("{\"type\":\"heartbeat\", \"eventId\": ")]
    [InlineData("{\"type\":\"sale\"}")]
    [InlineData("{}")]
    public void Lines_that_are_not_events_are_left_to_the_slow_path(string line) => Assert.Null(Line(line));

    [Theory]
    [InlineData("\"type\":\"heartbeat\"", "\"type\":\"heartbeat\",\"type\":\"heartbeat\"")] // repeated
    [InlineData("\"type\":\"heartbeat\"", "\"type\":\"heart\\u0062eat\"")] // escaped
    [InlineData("\"type\":\"heartbeat\"", "\"type\":\"transaction\"")] // a heartbeat is no transaction
    [InlineData("\"cpuPct\":23", "\"cpuPct\":230")]
    [InlineData("\"cpuPct\":23", "\"cpuPct\":23,\"memo\":\"4111 1111 1111 1111\"")] // card data
    [InlineData("\"cpuPct\":23", "\"cpuPct\":23,\"memo\":{\"n\":[\"\\u00341111111111111111\"]}")] // escaped card data, nested
    [InlineData("\"pendingOffline\":0}", "\"pendingOffline\":0} trailing")]
    [InlineData("\"pendingOffline\":0}", "\"pendingOffline\":0}{}")]
    [InlineData("\"pendingOffline\":0}", "\"pendingOffline\":null}")]
    [InlineData("\"latencyMs\":39", "\"latencyMs\":\"39\"")]
    [InlineData("\"packetLossPct\":0.1", "\"packetLossPct\":1e400")]
    [InlineData("\"timestamp\":\"2026-11-25T00:00:00.069Z\"", "\"timestamp\":\"2026-11-25T00:00:00.069+00:00\"")]
    public void Lines_the_parser_would_refuse_or_must_look_at_closely_are_left_to_the_slow_path(string from, string to) =>
        Assert.Null(Line(HeartbeatLine.Replace(from, to)));

    [Fact]
    public void Unknown_fields_of_any_shape_and_length_are_passed_over()
    {
        var line = HeartbeatLine.Replace("\"cpuPct\":23", $"\"cpuPct\":23,\"extra\":{{\"a\":[1,{{\"b\":null}}],\"c\":\"{new string('x', 100_000)}\"}},\"latencyMs\":\"ignored for heartbeats\"");
        Assert.Equal(Reference(line, EventKind.Heartbeat), Describe(Assert.IsType<Heartbeat>(Line(line))));
    }

    [Fact]
    public void Repeating_ids_are_the_same_string_and_event_ids_are_not_cached()
    {
        var reader = new TelemetryEventReader();
        var a = (Heartbeat)reader.TryReadLine(Encoding.UTF8.GetBytes(HeartbeatLine))!;
        var b = (Heartbeat)reader.TryReadLine(Encoding.UTF8.GetBytes(HeartbeatLine.Replace("\"h1\"", "\"h2\"")))!;
        Assert.Same(a.TerminalId, b.TerminalId);
        Assert.Same(a.Firmware, b.Firmware);
        Assert.Equal(("h1", "h2"), (a.EventId, b.EventId));
    }
}
