using System.Text;
using System.Text.Json;
using PosMonitor.Core.Telemetry;

namespace PosMonitor.Core.Tests.Simulation;

public class TelemetryWriterTests
{
    private static readonly DateTimeOffset At = new(2026, 11, 25, 8, 0, 0, 123, TimeSpan.Zero);

    private static readonly Heartbeat FullHeartbeat = new()
    {
        EventId = "e-1", TerminalId = "T-000001", Timestamp = At, NetworkType = NetworkType.Cellular, SignalDbm = -91,
        LatencyMs = 140, PacketLossPct = 2.5, Firmware = "3.2.1", UptimeSec = 86_400, BatteryPct = 77, CpuPct = 12,
        MemoryPct = 48, Printer = PrinterStatus.PaperOut, Scanner = ScannerStatus.Absent, PendingOffline = 3,
    };

    private static readonly Transaction FullTransaction = new()
    {
        EventId = "e-2", TerminalId = "T-000001", Timestamp = At, Gateway = "gw-unionpay", Outcome = Outcome.Timeout,
        Stage = Stage.Gateway, LatencyMs = 36_000, StageMs = [5000, 120, 300, 110, 30_200, 0, 0, 60], ErrorCode = "91",
        AmountMinor = 4_550, Currency = "CNY",
    };

    private static JsonElement Json(Action<Utf8JsonWriter> write)
    {
        using var stream = new MemoryStream();
        using (var writer = new Utf8JsonWriter(stream)) write(writer);
        return JsonDocument.Parse(stream.ToArray()).RootElement.Clone();
    }

    private static string[] Names(JsonElement e) => e.EnumerateObject().Select(p => p.Name).ToArray();

    [Fact]
    public void Heartbeat_has_the_wire_field_names_and_a_network_object()
    {
        var json = Json(w => TelemetryWriter.Write(w, FullHeartbeat));

        Assert.Equal(["eventId", "terminalId", "timestamp", "network", "firmware", "uptimeSec", "batteryPct", "cpuPct", "memoryPct", "printer", "scanner", "pendingOffline"], Names(json));
        Assert.Equal(["type", "signalDbm", "latencyMs", "packetLossPct"], Names(json.GetProperty("network")));
        Assert.Equal("cellular", json.GetProperty("network").GetProperty("type").GetString());
        Assert.Equal(-91, json.GetProperty("network").GetProperty("signalDbm").GetInt32());
        Assert.Equal(2.5, json.GetProperty("network").GetProperty("packetLossPct").GetDouble());
        Assert.Equal("paper_out", json.GetProperty("printer").GetString());
        Assert.Equal("absent", json.GetProperty("scanner").GetString());
        Assert.Equal(86_400, json.GetProperty("uptimeSec").GetInt64());
    }

    [Fact]
    public void Optional_heartbeat_fields_are_left_out_when_null()
    {
        var json = Json(w => TelemetryWriter.Write(w, FullHeartbeat with { SignalDbm = null, BatteryPct = null, CpuPct = null, MemoryPct = null }));

        Assert.False(json.GetProperty("network").TryGetProperty("signalDbm", out _));
        Assert.False(json.TryGetProperty("batteryPct", out _));
        Assert.False(json.TryGetProperty("cpuPct", out _));
        Assert.False(json.TryGetProperty("memoryPct", out _));
    }

    [Fact]
    public void Transaction_has_the_wire_field_names_and_stage_times_keyed_by_stage()
    {
        var json = Json(w => TelemetryWriter.Write(w, FullTransaction));

        Assert.Equal(["eventId", "terminalId", "timestamp", "gateway", "outcome", "stage", "latencyMs", "stageMs", "errorCode", "amountMinor", "currency"], Names(json));
        Assert.Equal("timeout", json.GetProperty("outcome").GetString());
        Assert.Equal("gateway", json.GetProperty("stage").GetString());
        Assert.Equal(["input", "connect", "send", "host", "gateway", "app"], Names(json.GetProperty("stageMs")));
        Assert.Equal(30_200, json.GetProperty("stageMs").GetProperty("gateway").GetInt32());
        Assert.Equal(4_550, json.GetProperty("amountMinor").GetInt64());
    }

    [Fact]
    public void Optional_transaction_fields_are_left_out_when_null()
    {
        var json = Json(w => TelemetryWriter.Write(w, FullTransaction with
        {
            Gateway = null, Outcome = Outcome.Approved, Stage = null, StageMs = null, ErrorCode = null, AmountMinor = null, Currency = null,
        }));

        Assert.Equal(["eventId", "terminalId", "timestamp", "outcome", "latencyMs"], Names(json));
    }

    [Theory]
    [InlineData(0, "2026-11-25T08:00:00.000Z")]
    [InlineData(123, "2026-11-25T08:00:00.123Z")]
    public void Times_are_utc_with_milliseconds_and_Z(int ms, string expected)
    {
        // A local offset and sub-millisecond ticks must not leak into the wire format.
        var local = new DateTimeOffset(2026, 11, 25, 16, 0, 0, ms, TimeSpan.FromHours(8)).AddTicks(9_999);
        var json = Json(w => TelemetryWriter.Write(w, FullHeartbeat with { Timestamp = local }));

        Assert.Equal(expected, json.GetProperty("timestamp").GetString());
        Assert.Equal(expected, TelemetryWriter.FormatTime(local));
    }

    [Fact]
    public void With_type_each_event_says_what_it_is()
    {
        Assert.Equal("heartbeat", Json(w => TelemetryWriter.Write(w, FullHeartbeat, withType: true)).GetProperty("type").GetString());
        Assert.Equal("transaction", Json(w => TelemetryWriter.Write(w, FullTransaction, withType: true)).GetProperty("type").GetString());
        Assert.False(Json(w => TelemetryWriter.Write(w, FullTransaction)).TryGetProperty("type", out _));
    }

    [Fact]
    public void Batch_body_has_both_lists()
    {
        var body = TelemetryWriter.SerializeBatch([FullHeartbeat, FullHeartbeat with { EventId = "e-3" }], [FullTransaction]);
        var json = JsonDocument.Parse(body).RootElement;

        Assert.Equal(["heartbeats", "transactions"], Names(json));
        Assert.Equal(2, json.GetProperty("heartbeats").GetArrayLength());
        Assert.Equal("e-3", json.GetProperty("heartbeats")[1].GetProperty("eventId").GetString());
        Assert.Equal("e-2", json.GetProperty("transactions")[0].GetProperty("eventId").GetString());
        Assert.False(json.GetProperty("transactions")[0].TryGetProperty("type", out _));
    }

    [Fact]
    public void Empty_batch_has_empty_lists() =>
        Assert.Equal("""{"heartbeats":[],"transactions":[]}""", Encoding.UTF8.GetString(TelemetryWriter.SerializeBatch([], [])));

    [Fact]
    public void Ndjson_writes_one_typed_event_per_line()
    {
        using var stream = new MemoryStream();
        using (var writer = new NdjsonEventWriter(stream))
        {
            writer.Write(FullHeartbeat);
            writer.Write(FullTransaction);
            writer.Write(FullHeartbeat with { EventId = "e-4" });
        }
        var lines = Encoding.UTF8.GetString(stream.ToArray()).Split('\n');

        Assert.Equal(4, lines.Length);
        Assert.Equal("", lines[3]);
        Assert.Equal(["heartbeat", "transaction", "heartbeat"], lines[..3].Select(l => JsonDocument.Parse(l).RootElement.GetProperty("type").GetString()));
        Assert.Equal("e-4", JsonDocument.Parse(lines[2]).RootElement.GetProperty("eventId").GetString());
    }
}
