using System.Buffers;
using System.Text.Json;

namespace PosMonitor.Core.Telemetry;

/// <summary>
/// Writes heartbeats and transactions as the exact wire JSON of src/PosMonitor.Web/Features/Telemetry/telemetry-api.md: camelCase names,
/// times as ISO-8601 UTC with milliseconds and <c>Z</c>, heartbeat readings under <c>network</c>,
/// <c>stageMs</c> keyed by stage name, optional fields left out when null. No reflection, so the
/// simulator can write hundreds of thousands of events a second.
/// </summary>
public static class TelemetryWriter
{
    private static readonly JsonEncodedText TypeName = JsonEncodedText.Encode("type");
    private static readonly JsonEncodedText HeartbeatType = JsonEncodedText.Encode("heartbeat");
    private static readonly JsonEncodedText TransactionType = JsonEncodedText.Encode("transaction");
    private static readonly JsonEncodedText HeartbeatsName = JsonEncodedText.Encode("heartbeats");
    private static readonly JsonEncodedText TransactionsName = JsonEncodedText.Encode("transactions");
    private static readonly JsonEncodedText EventIdName = JsonEncodedText.Encode("eventId");
    private static readonly JsonEncodedText TerminalIdName = JsonEncodedText.Encode("terminalId");
    private static readonly JsonEncodedText TimestampName = JsonEncodedText.Encode("timestamp");
    private static readonly JsonEncodedText NetworkName = JsonEncodedText.Encode("network");
    private static readonly JsonEncodedText NetworkTypeName = JsonEncodedText.Encode("type");
    private static readonly JsonEncodedText SignalDbmName = JsonEncodedText.Encode("signalDbm");
    private static readonly JsonEncodedText LatencyMsName = JsonEncodedText.Encode("latencyMs");
    private static readonly JsonEncodedText PacketLossPctName = JsonEncodedText.Encode("packetLossPct");
    private static readonly JsonEncodedText FirmwareName = JsonEncodedText.Encode("firmware");
    private static readonly JsonEncodedText UptimeSecName = JsonEncodedText.Encode("uptimeSec");
    private static readonly JsonEncodedText BatteryPctName = JsonEncodedText.Encode("batteryPct");
    private static readonly JsonEncodedText CpuPctName = JsonEncodedText.Encode("cpuPct");
    private static readonly JsonEncodedText MemoryPctName = JsonEncodedText.Encode("memoryPct");
    private static readonly JsonEncodedText PrinterName = JsonEncodedText.Encode("printer");
    private static readonly JsonEncodedText ScannerName = JsonEncodedText.Encode("scanner");
    private static readonly JsonEncodedText PendingOfflineName = JsonEncodedText.Encode("pendingOffline");
    private static readonly JsonEncodedText GatewayName = JsonEncodedText.Encode("gateway");
    private static readonly JsonEncodedText OutcomeName = JsonEncodedText.Encode("outcome");
    private static readonly JsonEncodedText StageName = JsonEncodedText.Encode("stage");
    private static readonly JsonEncodedText StageMsName = JsonEncodedText.Encode("stageMs");
    private static readonly JsonEncodedText ErrorCodeName = JsonEncodedText.Encode("errorCode");
    private static readonly JsonEncodedText AmountMinorName = JsonEncodedText.Encode("amountMinor");
    private static readonly JsonEncodedText CurrencyName = JsonEncodedText.Encode("currency");

    private static readonly JsonEncodedText[] NetworkValues = Encode(Enum.GetValues<NetworkType>().Select(Wire.Name));
    private static readonly JsonEncodedText[] PrinterValues = Encode(Enum.GetValues<PrinterStatus>().Select(Wire.Name));
    private static readonly JsonEncodedText[] ScannerValues = Encode(Enum.GetValues<ScannerStatus>().Select(Wire.Name));
    private static readonly JsonEncodedText[] OutcomeValues = Encode(Enum.GetValues<Outcome>().Select(Wire.Name));
    private static readonly JsonEncodedText[] StageValues = Encode(Enum.GetValues<Stage>().Select(Wire.Name));

    /// <summary>Writes one heartbeat object; with <paramref name="withType"/> it starts with <c>"type": "heartbeat"</c> (src/PosMonitor.Core/Replay/replay.md).</summary>
    public static void Write(Utf8JsonWriter writer, Heartbeat hb, bool withType = false)
    {
        writer.WriteStartObject();
        if (withType) writer.WriteString(TypeName, HeartbeatType);
        writer.WriteString(EventIdName, hb.EventId);
        writer.WriteString(TerminalIdName, hb.TerminalId);
        WriteTime(writer, TimestampName, hb.Timestamp);
        writer.WriteStartObject(NetworkName);
        writer.WriteString(NetworkTypeName, NetworkValues[(int)hb.NetworkType]);
        if (hb.SignalDbm is { } signal) writer.WriteNumber(SignalDbmName, signal);
        writer.WriteNumber(LatencyMsName, hb.LatencyMs);
        writer.WriteNumber(PacketLossPctName, hb.PacketLossPct);
        writer.WriteEndObject();
        writer.WriteString(FirmwareName, hb.Firmware);
        writer.WriteNumber(UptimeSecName, hb.UptimeSec);
        if (hb.BatteryPct is { } battery) writer.WriteNumber(BatteryPctName, battery);
        if (hb.CpuPct is { } cpu) writer.WriteNumber(CpuPctName, cpu);
        if (hb.MemoryPct is { } memory) writer.WriteNumber(MemoryPctName, memory);
        writer.WriteString(PrinterName, PrinterValues[(int)hb.Printer]);
        writer.WriteString(ScannerName, ScannerValues[(int)hb.Scanner]);
        writer.WriteNumber(PendingOfflineName, hb.PendingOffline);
        writer.WriteEndObject();
    }

    /// <summary>
    /// Writes one transaction object; with <paramref name="withType"/> it starts with <c>"type": "transaction"</c>.
    /// <c>stageMs</c> lists the stages with a non-zero time: the int[] model cannot tell "0 ms" from "not passed".
    /// </summary>
    public static void Write(Utf8JsonWriter writer, Transaction tx, bool withType = false)
    {
        writer.WriteStartObject();
        if (withType) writer.WriteString(TypeName, TransactionType);
        writer.WriteString(EventIdName, tx.EventId);
        writer.WriteString(TerminalIdName, tx.TerminalId);
        WriteTime(writer, TimestampName, tx.Timestamp);
        if (tx.Gateway is not null) writer.WriteString(GatewayName, tx.Gateway);
        writer.WriteString(OutcomeName, OutcomeValues[(int)tx.Outcome]);
        if (tx.Stage is { } stage) writer.WriteString(StageName, StageValues[(int)stage]);
        writer.WriteNumber(LatencyMsName, tx.LatencyMs);
        if (tx.StageMs is { } stageMs)
        {
            writer.WriteStartObject(StageMsName);
            for (var i = 0; i < stageMs.Length && i < StageValues.Length; i++)
                if (stageMs[i] != 0) writer.WriteNumber(StageValues[i], stageMs[i]);
            writer.WriteEndObject();
        }
        if (tx.ErrorCode is not null) writer.WriteString(ErrorCodeName, tx.ErrorCode);
        if (tx.AmountMinor is { } amount) writer.WriteNumber(AmountMinorName, amount);
        if (tx.Currency is not null) writer.WriteString(CurrencyName, tx.Currency);
        writer.WriteEndObject();
    }

    /// <summary>Writes a whole <c>POST /api/v1/telemetry</c> body: <c>{ "heartbeats": [...], "transactions": [...] }</c>.</summary>
    public static void WriteBatch(Utf8JsonWriter writer, IEnumerable<Heartbeat> heartbeats, IEnumerable<Transaction> transactions)
    {
        writer.WriteStartObject();
        writer.WriteStartArray(HeartbeatsName);
        foreach (var hb in heartbeats) Write(writer, hb);
        writer.WriteEndArray();
        writer.WriteStartArray(TransactionsName);
        foreach (var tx in transactions) Write(writer, tx);
        writer.WriteEndArray();
        writer.WriteEndObject();
    }

    /// <summary>The batch body as UTF-8 bytes.</summary>
    public static byte[] SerializeBatch(IEnumerable<Heartbeat> heartbeats, IEnumerable<Transaction> transactions)
    {
        var buffer = new ArrayBufferWriter<byte>(64 * 1024);
        using (var writer = new Utf8JsonWriter(buffer))
            WriteBatch(writer, heartbeats, transactions);
        return buffer.WrittenSpan.ToArray();
    }

    /// <summary>"2026-11-25T08:00:00.123Z": UTC, always three decimals (truncated, not rounded).</summary>
    public static string FormatTime(DateTimeOffset time)
    {
        Span<byte> utf8 = stackalloc byte[24];
        FormatTime(time, utf8);
        return System.Text.Encoding.ASCII.GetString(utf8);
    }

    private static void WriteTime(Utf8JsonWriter writer, JsonEncodedText name, DateTimeOffset time)
    {
        Span<byte> utf8 = stackalloc byte[24];
        FormatTime(time, utf8);
        writer.WriteString(name, utf8);
    }

    // Hand-rolled because a custom DateTime format string costs several times more per event.
    private static void FormatTime(DateTimeOffset time, Span<byte> utf8)
    {
        var utc = time.UtcDateTime;
        Digits(utf8[..4], utc.Year);
        utf8[4] = (byte)'-';
        Digits(utf8.Slice(5, 2), utc.Month);
        utf8[7] = (byte)'-';
        Digits(utf8.Slice(8, 2), utc.Day);
        utf8[10] = (byte)'T';
        Digits(utf8.Slice(11, 2), utc.Hour);
        utf8[13] = (byte)':';
        Digits(utf8.Slice(14, 2), utc.Minute);
        utf8[16] = (byte)':';
        Digits(utf8.Slice(17, 2), utc.Second);
        utf8[19] = (byte)'.';
        Digits(utf8.Slice(20, 3), utc.Millisecond);
        utf8[23] = (byte)'Z';
    }

    private static void Digits(Span<byte> into, int value)
    {
        for (var i = into.Length - 1; i >= 0; i--)
        {
            into[i] = (byte)('0' + value % 10);
            value /= 10;
        }
    }

    private static JsonEncodedText[] Encode(IEnumerable<string> names) => names.Select(n => JsonEncodedText.Encode(n)).ToArray();
}
