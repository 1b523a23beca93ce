using System.Runtime.InteropServices;
using System.Text.Json;

namespace PosMonitor.Core.Telemetry;

public enum EventKind { Heartbeat, Transaction }

/// <summary>Stable machine codes of src/PosMonitor.Web/Features/Telemetry/telemetry-api.md.</summary>
public static class RejectionCodes
{
    public const string InvalidField = "invalid_field";
    public const string MissingField = "missing_field";
    public const string UnknownTerminal = "unknown_terminal";
    public const string OutOfScope = "out_of_scope";
    public const string TimestampOutOfRange = "timestamp_out_of_range";
    public const string CardData = "card_data";

    public static IReadOnlyList<string> All { get; } =
        [InvalidField, MissingField, UnknownTerminal, OutOfScope, TimestampOutOfRange, CardData];
}

/// <summary>One refused event. <see cref="EventId"/> is null when unreadable or when it held card data.</summary>
public sealed record Rejection(EventKind Kind, int Index, string? EventId, string Code, string Message)
{
    public string KindName => Kind == EventKind.Heartbeat ? "heartbeat" : "transaction";
}

/// <summary>
/// Validates one heartbeat or transaction of the wire format field by field, so a bad event is
/// refused with a code and a message naming the field while the rest of the batch goes on.
/// Used by the API and by the replay, so both accept exactly the same events.
/// </summary>
public static class TelemetryParser
{
    public static readonly TimeSpan MaxFuture = TimeSpan.FromMinutes(5);
    public static readonly TimeSpan MaxPast = TimeSpan.FromDays(7);

    /// <param name="now">Checks the timestamp range against this instant; null skips it (replay).</param>
    public static object ParseEvent(JsonElement e, EventKind kind, int index, DateTimeOffset? now)
    {
        var label = kind == EventKind.Heartbeat ? "heartbeat" : "transaction";
        if (e.ValueKind != JsonValueKind.Object) return NotAnObject(kind, index);

        // Card data first: whatever else is wrong, the value must not be echoed in a message or stored.
        var eventIdRaw = e.TryGetProperty("eventId", out var idEl) && idEl.ValueKind == JsonValueKind.String ? idEl.GetString() : null;
        // The event's raw bytes are screened in one pass; fields are examined only when that finds a candidate.
        if (CardData.MayContain(JsonMarshal.GetRawUtf8Value(e)) && CardDataField(e, "") is { } field)
        {
            var safeId = eventIdRaw is not null && !CardData.ContainsInIdentifier(eventIdRaw) ? eventIdRaw : null;
            return new Rejection(kind, index, safeId, RejectionCodes.CardData,
                $"{label} {index}: {field} holds card data (a PAN or track data); the event was discarded and not stored");
        }

        var r = new Reader(e, kind, index, label);
        try
        {
            var eventId = r.Id("eventId")!;
            var terminalId = r.Id("terminalId")!;
            var timestamp = r.Time("timestamp");
            if (now is { } n && (timestamp > n + MaxFuture || timestamp < n - MaxPast))
                return new Rejection(kind, index, eventId, RejectionCodes.TimestampOutOfRange,
                    $"{label} {index}: timestamp {timestamp:O} is more than 5 minutes in the future or more than 7 days in the past");
            return kind == EventKind.Heartbeat ? ReadHeartbeat(r, eventId, terminalId, timestamp) : ReadTransaction(r, eventId, terminalId, timestamp);
        }
        catch (FieldException f)
        {
            return new Rejection(kind, index, r.EventId, f.Code, $"{label} {index}: {f.Message}");
        }
    }

    /// <summary>The rejection of a list item that is not a JSON object.</summary>
    public static Rejection NotAnObject(EventKind kind, int index) =>
        new(kind, index, null, RejectionCodes.InvalidField, $"{(kind == EventKind.Heartbeat ? "heartbeat" : "transaction")} {index}: must be a JSON object");

    private static Heartbeat ReadHeartbeat(Reader r, string eventId, string terminalId, DateTimeOffset timestamp)
    {
        var network = r.Object("network");
        return new Heartbeat
        {
            EventId = eventId,
            TerminalId = terminalId,
            Timestamp = timestamp,
            NetworkType = network.Enum<NetworkType>("type", Wire.TryParse, "network.type"),
            SignalDbm = network.OptionalInt("signalDbm", -140, 0, "network.signalDbm"),
            LatencyMs = network.Int("latencyMs", 0, int.MaxValue, "network.latencyMs"),
            PacketLossPct = network.Number("packetLossPct", 0, 100, "network.packetLossPct"),
            Firmware = r.String("firmware", 32),
            UptimeSec = r.Long("uptimeSec", 0, long.MaxValue),
            BatteryPct = r.OptionalInt("batteryPct", 0, 100),
            CpuPct = r.OptionalInt("cpuPct", 0, 100),
            MemoryPct = r.OptionalInt("memoryPct", 0, 100),
            Printer = r.Enum<PrinterStatus>("printer", Wire.TryParse),
            Scanner = r.Enum<ScannerStatus>("scanner", Wire.TryParse),
            PendingOffline = r.Int("pendingOffline", 0, int.MaxValue),
        };
    }

    private static Transaction ReadTransaction(Reader r, string eventId, string terminalId, DateTimeOffset timestamp)
    {
        var outcome = r.Enum<Outcome>("outcome", Wire.TryParse);
        Stage? stage = r.Has("stage") ? r.Enum<Stage>("stage", Wire.TryParse) : null;
        if (stage is null && outcome is Outcome.Timeout or Outcome.Error)
            throw new FieldException(RejectionCodes.MissingField, $"field 'stage' is required when outcome is {Wire.Name(outcome)}");
        var currency = r.OptionalString("currency", 16);
        if (currency is not null && (currency.Length != 3 || !currency.All(char.IsAsciiLetterUpper)))
            throw new FieldException(RejectionCodes.InvalidField, "field 'currency' must be an ISO-4217 code such as CNY");
        return new Transaction
        {
            EventId = eventId,
            TerminalId = terminalId,
            Timestamp = timestamp,
            Gateway = r.OptionalId("gateway"),
            Outcome = outcome,
            Stage = stage,
            LatencyMs = r.Int("latencyMs", 0, int.MaxValue),
            StageMs = r.StageMs("stageMs"),
            ErrorCode = r.OptionalString("errorCode", 32),
            AmountMinor = r.OptionalLong("amountMinor", 0, long.MaxValue),
            Currency = currency,
        };
    }

    /// <summary>
    /// Where in <paramref name="e"/> card data is, as a message names it (<c>field 'stageMs.host'</c>, <c>a property name in
    /// 'stageMs'</c>), or null. Only names that passed the screen are quoted.
    /// </summary>
    /// <param name="eventId">The value is an event id: terminals make those, often UUIDs (see <see cref="CardData.ContainsInIdentifier"/>).</param>
    private static string? CardDataField(JsonElement e, string path, bool eventId = false)
    {
        switch (e.ValueKind)
        {
            case JsonValueKind.String:
                return (eventId ? CardData.ContainsInIdentifier(e.GetString()!) : CardData.Contains(e.GetString()!)) ? $"field '{path}'" : null;
            case JsonValueKind.Number:
                // Not a string field, but a PAN sent as a number is still a PAN.
                return e.GetRawText() is { Length: >= 13 and <= 19 } raw && raw.All(char.IsAsciiDigit) && CardData.Luhn(raw) ? $"field '{path}'" : null;
            case JsonValueKind.Object:
                foreach (var p in e.EnumerateObject())
                {
                    if (CardData.Contains(p.Name)) return path.Length == 0 ? "a property name" : $"a property name in '{path}'";
                    if (CardDataField(p.Value, path.Length == 0 ? p.Name : $"{path}.{p.Name}", p.NameEquals("eventId")) is { } found) return found;
                }
                return null;
            case JsonValueKind.Array:
                var i = 0;
                foreach (var item in e.EnumerateArray())
                    if (CardDataField(item, $"{path}[{i++}]") is { } found) return found;
                return null;
            default:
                return null;
        }
    }

    private sealed class FieldException(string code, string message) : Exception(message)
    {
        public string Code { get; } = code;
    }

    private delegate bool TryParseEnum<T>(string? s, out T value);

    /// <summary>Reads fields of one JSON object, throwing <see cref="FieldException"/> at the first bad one.</summary>
    private readonly struct Reader(JsonElement e, EventKind kind, int index, string label)
    {
        public string? EventId => e.TryGetProperty("eventId", out var v) && v.ValueKind == JsonValueKind.String
            && Identifier.IsValid(v.GetString()) ? v.GetString() : null;

        public bool Has(string name) => e.TryGetProperty(name, out var v) && v.ValueKind != JsonValueKind.Null;

        private JsonElement Required(string name, string path)
        {
            if (!e.TryGetProperty(name, out var v) || v.ValueKind == JsonValueKind.Null)
                throw new FieldException(RejectionCodes.MissingField, $"field '{path}' is required");
            return v;
        }

        private static FieldException Invalid(string path, string what) =>
            new(RejectionCodes.InvalidField, $"field '{path}' {what}");

        public string? Id(string name)
        {
            var v = Required(name, name);
            if (v.ValueKind != JsonValueKind.String || !Identifier.IsValid(v.GetString()))
                throw Invalid(name, "must be 1-64 characters from [A-Za-z0-9._:-]");
            return v.GetString();
        }

        public string? OptionalId(string name) => Has(name) ? Id(name) : null;

        public DateTimeOffset Time(string name)
        {
            var v = Required(name, name);
            if (v.ValueKind != JsonValueKind.String)
                throw Invalid(name, "must be an ISO-8601 UTC time such as 2026-11-25T08:00:00.123Z");
            // JsonElement's own ISO-8601 reader is fast; the Z suffix is checked on the text.
            var s = v.GetString()!;
            if (!s.EndsWith('Z') || !v.TryGetDateTimeOffset(out var t))
                throw Invalid(name, "must be an ISO-8601 UTC time with a Z suffix, such as 2026-11-25T08:00:00.123Z");
            return t.ToUniversalTime();
        }

        public string String(string name, int maxLength) =>
            OptionalString(name, maxLength) ?? throw new FieldException(RejectionCodes.MissingField, $"field '{name}' is required");

        public string? OptionalString(string name, int maxLength)
        {
            if (!Has(name)) return null;
            var v = e.GetProperty(name);
            if (v.ValueKind != JsonValueKind.String) throw Invalid(name, "must be a string");
            var s = v.GetString()!;
            if (s.Length > maxLength) throw Invalid(name, $"must be at most {maxLength} characters");
            return s;
        }

        public long Long(string name, long min, long max, string? path = null)
        {
            path ??= name;
            var v = Required(name, path);
            if (v.ValueKind != JsonValueKind.Number || !v.TryGetInt64(out var n)) throw Invalid(path, "must be an integer");
            if (n < min || n > max) throw Invalid(path, $"must be between {min} and {max}");
            return n;
        }

        public int Int(string name, int min, int max, string? path = null) => (int)Long(name, min, max, path);

        public int? OptionalInt(string name, int min, int max, string? path = null) =>
            Has(name) ? Int(name, min, max, path) : null;

        public long? OptionalLong(string name, long min, long max) => Has(name) ? Long(name, min, max) : null;

        public double Number(string name, double min, double max, string? path = null)
        {
            path ??= name;
            var v = Required(name, path);
            if (v.ValueKind != JsonValueKind.Number || !v.TryGetDouble(out var n) || !double.IsFinite(n)) throw Invalid(path, "must be a number");
            if (n < min || n > max) throw Invalid(path, $"must be between {min} and {max}");
            return n;
        }

        public T Enum<T>(string name, TryParseEnum<T> tryParse, string? path = null) where T : struct, System.Enum
        {
            path ??= name;
            var v = Required(name, path);
            if (v.ValueKind != JsonValueKind.String || !tryParse(v.GetString(), out var value))
                throw Invalid(path, $"must be one of {Wire.Choices<T>()}");
            return value;
        }

        public Reader Object(string name)
        {
            var v = Required(name, name);
            if (v.ValueKind != JsonValueKind.Object) throw Invalid(name, "must be an object");
            return new Reader(v, kind, index, label);
        }

        public int[]? StageMs(string name)
        {
            if (!Has(name)) return null;
            var v = e.GetProperty(name);
            if (v.ValueKind != JsonValueKind.Object) throw Invalid(name, "must be an object of stage name to milliseconds");
            var result = new int[Wire.Stages.Count];
            foreach (var p in v.EnumerateObject())
            {
                if (!Wire.TryParse(p.Name, out Stage stage)) throw Invalid($"{name}.{p.Name}", $"is not a stage; stages are {Wire.Choices<Stage>()}");
                if (p.Value.ValueKind != JsonValueKind.Number || !p.Value.TryGetInt32(out var ms) || ms < 0)
                    throw Invalid($"{name}.{p.Name}", "must be an integer ≥ 0");
                result[(int)stage] = ms;
            }
            return result;
        }
    }
}
