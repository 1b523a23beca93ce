using System.Buffers;
using System.Text;
using System.Text.Json;

namespace PosMonitor.Core.Telemetry;

/// <summary>
/// Reads heartbeats and transactions straight from their UTF-8 bytes in one forward pass (the API's
/// batches, the replay's lines), without a <see cref="JsonDocument"/> and without a string per field.
/// It builds only the events <see cref="TelemetryParser.ParseEvent"/> would accept, with the same
/// values; for anything else (a bad, missing or repeated field, an escaped name or value, possible
/// card data) it answers null, and the caller runs ParseEvent on that event alone, so every rejection
/// keeps its exact code and message while the common case stays cheap.
/// </summary>
/// <remarks>Not thread-safe: it keeps the strings that repeat (terminal ids, firmware, gateways, codes).</remarks>
public sealed class TelemetryEventReader
{
    // Enough for a large fleet's terminal ids; beyond it strings are made but not kept.
    private const int MaxCachedStrings = 200_000;
    private const int MaxCachedLength = 64;

    private static readonly SearchValues<byte> IdBytes =
        SearchValues.Create("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789._:-"u8);

    private readonly Dictionary<string, string> _strings = new(StringComparer.Ordinal);
    private readonly Dictionary<string, string>.AlternateLookup<ReadOnlySpan<char>> _lookup;
    private Fields _f;

    public TelemetryEventReader() => _lookup = _strings.GetAlternateLookup<ReadOnlySpan<char>>();

    /// <summary>
    /// Reads one replay line (an event with its <c>"type"</c>). Null when the line is anything but a
    /// plain valid event: the caller then takes the slow path, which explains what is wrong.
    /// </summary>
    public object? TryReadLine(ReadOnlySpan<byte> line)
    {
        try
        {
            var r = new Utf8JsonReader(line);
            if (!r.Read() || r.TokenType != JsonTokenType.StartObject) return null;
            var start = (int)r.TokenStartIndex;
            ReadObject(ref r);
            var end = (int)r.BytesConsumed;
            if (r.Read()) return null;
            if (_f.TypeState != State.Value || CardData.MayContain(line[start..end])) return null;
            return Build(_f.Type, now: null);
        }
        catch (JsonException)
        {
            return null;
        }
    }

    /// <summary>
    /// Reads the event object at <paramref name="r"/> (on its StartObject; left on its EndObject) and
    /// builds it as <paramref name="kind"/>, or null when ParseEvent must decide. Card data is the
    /// caller's screen: the raw bytes of the object must be checked with <see cref="CardData.MayContain"/>.
    /// </summary>
    /// <exception cref="JsonException">The JSON itself is invalid.</exception>
    internal object? TryRead(ref Utf8JsonReader r, EventKind kind, DateTimeOffset? now)
    {
        ReadObject(ref r);
        return Build(kind, now);
    }

    private enum State : byte { Absent, Null, Value, Bad }

    /// <summary>What was read of each known field; <see cref="Odd"/> sends the whole event to the slow path.</summary>
    private struct Fields
    {
        public bool Odd;
        public State TypeState; public EventKind Type;
        public State EventIdState; public string? EventId;
        public State TerminalIdState; public string? TerminalId;
        public State TimestampState; public DateTimeOffset Timestamp;
        public State NetworkState;
        public State NetTypeState; public NetworkType NetType;
        public State SignalState; public long Signal;
        public State NetLatencyState; public long NetLatency;
        public State LossState; public double Loss;
        public State FirmwareState; public string? Firmware;
        public State UptimeState; public long Uptime;
        public State BatteryState; public long Battery;
        public State CpuState; public long Cpu;
        public State MemoryState; public long Memory;
        public State PrinterState; public PrinterStatus Printer;
        public State ScannerState; public ScannerStatus Scanner;
        public State PendingState; public long Pending;
        public State GatewayState; public string? Gateway;
        public State OutcomeState; public Outcome Outcome;
        public State StageState; public Stage Stage;
        public State LatencyState; public long Latency;
        public State StageMsState; public int[]? StageMs;
        public State ErrorCodeState; public string? ErrorCode;
        public State AmountState; public long Amount;
        public State CurrencyState; public string? Currency;
    }

    private void ReadObject(ref Utf8JsonReader r)
    {
        _f = default;
        while (r.Read() && r.TokenType == JsonTokenType.PropertyName)
        {
            if (r.ValueIsEscaped)
            {
                _f.Odd = true;
                r.Read();
                r.Skip();
                continue;
            }
            var name = r.ValueSpan;
            r.Read();
            ReadProperty(ref r, name);
            // A value of the wrong shape (an object where a number belongs) is passed over whole.
            if (r.TokenType is JsonTokenType.StartObject or JsonTokenType.StartArray) r.Skip();
        }
    }

    private void ReadProperty(ref Utf8JsonReader r, ReadOnlySpan<byte> name)
    {
        switch (name.Length)
        {
            case 4 when name.SequenceEqual("type"u8):
                if (!Taken(_f.TypeState)) _f.TypeState = Kind(ref r, out _f.Type);
                return;
            case 5 when name.SequenceEqual("stage"u8):
                if (!Taken(_f.StageState)) _f.StageState = Enum(ref r, Wire.StageUtf8, out _f.Stage);
                return;
            case 6 when name.SequenceEqual("cpuPct"u8):
                if (!Taken(_f.CpuState)) _f.CpuState = Integer(ref r, out _f.Cpu);
                return;
            case 7:
                if (name.SequenceEqual("eventId"u8))
                {
                    if (!Taken(_f.EventIdState)) _f.EventIdState = Id(ref r, cache: false, out _f.EventId);
                }
                else if (name.SequenceEqual("network"u8))
                {
                    if (!Taken(_f.NetworkState)) _f.NetworkState = Network(ref r);
                }
                else if (name.SequenceEqual("printer"u8))
                {
                    if (!Taken(_f.PrinterState)) _f.PrinterState = Enum(ref r, Wire.PrinterUtf8, out _f.Printer);
                }
                else if (name.SequenceEqual("scanner"u8))
                {
                    if (!Taken(_f.ScannerState)) _f.ScannerState = Enum(ref r, Wire.ScannerUtf8, out _f.Scanner);
                }
                else if (name.SequenceEqual("gateway"u8))
                {
                    if (!Taken(_f.GatewayState)) _f.GatewayState = Id(ref r, cache: true, out _f.Gateway);
                }
                else if (name.SequenceEqual("outcome"u8))
                {
                    if (!Taken(_f.OutcomeState)) _f.OutcomeState = Enum(ref r, Wire.OutcomeUtf8, out _f.Outcome);
                }
                else if (name.SequenceEqual("stageMs"u8))
                {
                    if (!Taken(_f.StageMsState)) _f.StageMsState = StageMs(ref r, out _f.StageMs);
                }
                return;
            case 8:
                if (name.SequenceEqual("firmware"u8))
                {
                    if (!Taken(_f.FirmwareState)) _f.FirmwareState = Text(ref r, out _f.Firmware);
                }
                else if (name.SequenceEqual("currency"u8))
                {
                    if (!Taken(_f.CurrencyState)) _f.CurrencyState = Text(ref r, out _f.Currency);
                }
                return;
            case 9:
                if (name.SequenceEqual("timestamp"u8))
                {
                    if (!Taken(_f.TimestampState)) _f.TimestampState = Time(ref r, out _f.Timestamp);
                }
                else if (name.SequenceEqual("uptimeSec"u8))
                {
                    if (!Taken(_f.UptimeState)) _f.UptimeState = Integer(ref r, out _f.Uptime);
                }
                else if (name.SequenceEqual("memoryPct"u8))
                {
                    if (!Taken(_f.MemoryState)) _f.MemoryState = Integer(ref r, out _f.Memory);
                }
                else if (name.SequenceEqual("latencyMs"u8))
                {
                    if (!Taken(_f.LatencyState)) _f.LatencyState = Integer(ref r, out _f.Latency);
                }
                else if (name.SequenceEqual("errorCode"u8))
                {
                    if (!Taken(_f.ErrorCodeState)) _f.ErrorCodeState = Text(ref r, out _f.ErrorCode);
                }
                return;
            case 10:
                if (name.SequenceEqual("terminalId"u8))
                {
                    if (!Taken(_f.TerminalIdState)) _f.TerminalIdState = Id(ref r, cache: true, out _f.TerminalId);
                }
                else if (name.SequenceEqual("batteryPct"u8))
                {
                    if (!Taken(_f.BatteryState)) _f.BatteryState = Integer(ref r, out _f.Battery);
                }
                return;
            case 11 when name.SequenceEqual("amountMinor"u8):
                if (!Taken(_f.AmountState)) _f.AmountState = Integer(ref r, out _f.Amount);
                return;
            case 14 when name.SequenceEqual("pendingOffline"u8):
                if (!Taken(_f.PendingState)) _f.PendingState = Integer(ref r, out _f.Pending);
                return;
        }
    }

    /// <summary>A known field seen twice: which one counts is the slow path's rule, not ours.</summary>
    private bool Taken(State state)
    {
        if (state == State.Absent) return false;
        _f.Odd = true;
        return true;
    }

    /// <summary>The replay line's <c>"type"</c>: heartbeat or transaction, exactly.</summary>
    private static State Kind(ref Utf8JsonReader r, out EventKind value)
    {
        value = default;
        if (r.TokenType != JsonTokenType.String || r.ValueIsEscaped) return State.Bad;
        if (r.ValueSpan.SequenceEqual("heartbeat"u8)) value = EventKind.Heartbeat;
        else if (r.ValueSpan.SequenceEqual("transaction"u8)) value = EventKind.Transaction;
        else return State.Bad;
        return State.Value;
    }

    private static State Integer(ref Utf8JsonReader r, out long value)
    {
        value = 0;
        return r.TokenType switch
        {
            JsonTokenType.Number => r.TryGetInt64(out value) ? State.Value : State.Bad,
            JsonTokenType.Null => State.Null,
            _ => State.Bad,
        };
    }

    private static State Enum<T>(ref Utf8JsonReader r, byte[][] names, out T value) where T : struct, System.Enum
    {
        value = default;
        if (r.TokenType == JsonTokenType.Null) return State.Null;
        if (r.TokenType != JsonTokenType.String || r.ValueIsEscaped) return State.Bad;
        var i = Wire.IndexOf(names, r.ValueSpan);
        if (i < 0) return State.Bad;
        value = (T)(object)i;
        return State.Value;
    }

    private State Id(ref Utf8JsonReader r, bool cache, out string? value)
    {
        value = null;
        if (r.TokenType == JsonTokenType.Null) return State.Null;
        if (r.TokenType != JsonTokenType.String || r.ValueIsEscaped) return State.Bad;
        var bytes = r.ValueSpan;
        if (bytes.Length is 0 or > Identifier.MaxLength || bytes.IndexOfAnyExcept(IdBytes) >= 0) return State.Bad;
        value = cache ? Cached(bytes) : Encoding.ASCII.GetString(bytes);
        return State.Value;
    }

    private State Text(ref Utf8JsonReader r, out string? value)
    {
        value = null;
        if (r.TokenType == JsonTokenType.Null) return State.Null;
        if (r.TokenType != JsonTokenType.String || r.ValueIsEscaped) return State.Bad;
        var bytes = r.ValueSpan;
        // Non-ASCII text is decoded (and its UTF-8 checked) exactly as JsonElement.GetString does.
        value = bytes.Length <= MaxCachedLength && Ascii.IsValid(bytes) ? Cached(bytes) : r.GetString();
        return State.Value;
    }

    private static State Time(ref Utf8JsonReader r, out DateTimeOffset value)
    {
        value = default;
        if (r.TokenType == JsonTokenType.Null) return State.Null;
        if (r.TokenType != JsonTokenType.String || r.ValueIsEscaped) return State.Bad;
        var bytes = r.ValueSpan;
        if (bytes.Length == 0 || bytes[^1] != (byte)'Z' || !r.TryGetDateTimeOffset(out value)) return State.Bad;
        value = value.ToUniversalTime();
        return State.Value;
    }

    private State Network(ref Utf8JsonReader r)
    {
        if (r.TokenType == JsonTokenType.Null) return State.Null;
        if (r.TokenType != JsonTokenType.StartObject) return State.Bad;
        var state = State.Value;
        while (r.Read() && r.TokenType == JsonTokenType.PropertyName)
        {
            var escaped = r.ValueIsEscaped;
            var name = r.ValueSpan;
            r.Read();
            if (escaped) state = State.Bad;
            else if (name.SequenceEqual("type"u8))
            {
                if (_f.NetTypeState != State.Absent) state = State.Bad;
                else _f.NetTypeState = Enum(ref r, Wire.NetworkUtf8, out _f.NetType);
            }
            else if (name.SequenceEqual("signalDbm"u8))
            {
                if (_f.SignalState != State.Absent) state = State.Bad;
                else _f.SignalState = Integer(ref r, out _f.Signal);
            }
            else if (name.SequenceEqual("latencyMs"u8))
            {
                if (_f.NetLatencyState != State.Absent) state = State.Bad;
                else _f.NetLatencyState = Integer(ref r, out _f.NetLatency);
            }
            else if (name.SequenceEqual("packetLossPct"u8))
            {
                if (_f.LossState != State.Absent) state = State.Bad;
                else if (r.TokenType == JsonTokenType.Number)
                    _f.LossState = r.TryGetDouble(out _f.Loss) && double.IsFinite(_f.Loss) ? State.Value : State.Bad;
                else _f.LossState = r.TokenType == JsonTokenType.Null ? State.Null : State.Bad;
            }
            if (r.TokenType is JsonTokenType.StartObject or JsonTokenType.StartArray) r.Skip();
        }
        return state;
    }

    private static State StageMs(ref Utf8JsonReader r, out int[]? value)
    {
        value = null;
        if (r.TokenType == JsonTokenType.Null) return State.Null;
        if (r.TokenType != JsonTokenType.StartObject) return State.Bad;
        var state = State.Value;
        var result = new int[Wire.StageUtf8.Length];
        while (r.Read() && r.TokenType == JsonTokenType.PropertyName)
        {
            var stage = r.ValueIsEscaped ? -1 : Wire.IndexOf(Wire.StageUtf8, r.ValueSpan);
            r.Read();
            if (stage >= 0 && r.TokenType == JsonTokenType.Number && r.TryGetInt32(out var ms) && ms >= 0) result[stage] = ms;
            else state = State.Bad;
            if (r.TokenType is JsonTokenType.StartObject or JsonTokenType.StartArray) r.Skip();
        }
        if (state == State.Value) value = result;
        return state;
    }

    private string Cached(ReadOnlySpan<byte> ascii)
    {
        Span<char> chars = stackalloc char[ascii.Length];
        Ascii.ToUtf16(ascii, chars, out _);
        if (_lookup.TryGetValue(chars, out var s)) return s;
        s = new string(chars);
        if (_strings.Count < MaxCachedStrings) _strings[s] = s;
        return s;
    }

    private static bool Optional(State s) => s is State.Absent or State.Null;

    private static bool OptionalIn(State s, long value, long min, long max) =>
        s is State.Absent or State.Null || (s == State.Value && value >= min && value <= max);

    private object? Build(EventKind kind, DateTimeOffset? now)
    {
        ref var f = ref _f;
        if (f.Odd || f.EventIdState != State.Value || f.TerminalIdState != State.Value || f.TimestampState != State.Value) return null;
        if (now is { } n && (f.Timestamp > n + TelemetryParser.MaxFuture || f.Timestamp < n - TelemetryParser.MaxPast)) return null;
        return kind == EventKind.Heartbeat ? BuildHeartbeat(ref f) : BuildTransaction(ref f);
    }

    private static Heartbeat? BuildHeartbeat(ref Fields f)
    {
        if (f.NetworkState != State.Value || f.NetTypeState != State.Value
            || !OptionalIn(f.SignalState, f.Signal, -140, 0)
            || f.NetLatencyState != State.Value || f.NetLatency is < 0 or > int.MaxValue
            || f.LossState != State.Value || f.Loss is < 0 or > 100
            || f.FirmwareState != State.Value || f.Firmware!.Length > 32
            || f.UptimeState != State.Value || f.Uptime < 0
            || !OptionalIn(f.BatteryState, f.Battery, 0, 100)
            || !OptionalIn(f.CpuState, f.Cpu, 0, 100)
            || !OptionalIn(f.MemoryState, f.Memory, 0, 100)
            || f.PrinterState != State.Value || f.ScannerState != State.Value
            || f.PendingState != State.Value || f.Pending is < 0 or > int.MaxValue)
            return null;
        return new Heartbeat
        {
            EventId = f.EventId!,
            TerminalId = f.TerminalId!,
            Timestamp = f.Timestamp,
            NetworkType = f.NetType,
            SignalDbm = f.SignalState == State.Value ? (int)f.Signal : null,
            LatencyMs = (int)f.NetLatency,
            PacketLossPct = f.Loss,
            Firmware = f.Firmware,
            UptimeSec = f.Uptime,
            BatteryPct = f.BatteryState == State.Value ? (int)f.Battery : null,
            CpuPct = f.CpuState == State.Value ? (int)f.Cpu : null,
            MemoryPct = f.MemoryState == State.Value ? (int)f.Memory : null,
            Printer = f.Printer,
            Scanner = f.Scanner,
            PendingOffline = (int)f.Pending,
        };
    }

    private static Transaction? BuildTransaction(ref Fields f)
    {
        if (f.OutcomeState != State.Value
            || !(Optional(f.StageState) || f.StageState == State.Value)
            || (f.StageState != State.Value && f.Outcome is Outcome.Timeout or Outcome.Error)
            || !(Optional(f.CurrencyState) || (f.CurrencyState == State.Value && IsCurrency(f.Currency!)))
            || !(Optional(f.GatewayState) || f.GatewayState == State.Value)
            || f.LatencyState != State.Value || f.Latency is < 0 or > int.MaxValue
            || !(Optional(f.StageMsState) || f.StageMsState == State.Value)
            || !(Optional(f.ErrorCodeState) || (f.ErrorCodeState == State.Value && f.ErrorCode!.Length <= 32))
            || !OptionalIn(f.AmountState, f.Amount, 0, long.MaxValue))
            return null;
        return new Transaction
        {
            EventId = f.EventId!,
            TerminalId = f.TerminalId!,
            Timestamp = f.Timestamp,
            Gateway = f.GatewayState == State.Value ? f.Gateway : null,
            Outcome = f.Outcome,
            Stage = f.StageState == State.Value ? f.Stage : null,
            LatencyMs = (int)f.Latency,
            StageMs = f.StageMsState == State.Value ? f.StageMs : null,
            ErrorCode = f.ErrorCodeState == State.Value ? f.ErrorCode : null,
            AmountMinor = f.AmountState == State.Value ? f.Amount : null,
            Currency = f.CurrencyState == State.Value ? f.Currency : null,
        };
    }

    private static bool IsCurrency(string s) => s.Length == 3 && char.IsAsciiLetterUpper(s[0]) && char.IsAsciiLetterUpper(s[1]) && char.IsAsciiLetterUpper(s[2]);
}
