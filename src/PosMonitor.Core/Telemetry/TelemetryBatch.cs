using System.Text;
using System.Text.Json;
using System.Text.Unicode;

namespace PosMonitor.Core.Telemetry;

/// <summary>Why a whole telemetry body was refused (src/PosMonitor.Web/Features/Telemetry/telemetry-api.md: 400 and 413), in the order they are checked.</summary>
public enum TelemetryBodyProblem { None, NotUtf8, NotJson, NotAnObject, NotAnArray, NoLists, TooManyEvents }

/// <summary>
/// A <c>POST /api/v1/telemetry</c> body, read: every event parsed and validated (a <see cref="Heartbeat"/>,
/// <see cref="Transaction"/> or <see cref="Rejection"/> per position), or the problem that refuses it whole.
/// </summary>
public sealed class TelemetryBatch
{
    public TelemetryBodyProblem Problem { get; private init; }
    /// <summary>For <see cref="TelemetryBodyProblem.NotJson"/>: where the JSON reader stopped (0-based, as <see cref="JsonException"/> gives them).</summary>
    public long? ErrorLine { get; private init; }
    public long? ErrorBytePositionInLine { get; private init; }
    /// <summary>For <see cref="TelemetryBodyProblem.NotUtf8"/>: the offset (0-based) of the first byte that is not UTF-8.</summary>
    public int? InvalidByteOffset { get; private init; }
    /// <summary>For <see cref="TelemetryBodyProblem.NotAnArray"/>: "heartbeats" or "transactions".</summary>
    public string? List { get; private init; }
    /// <summary>Events in the body's lists (also when over the limit).</summary>
    public int Total { get; private init; }
    public IReadOnlyList<object> Heartbeats { get; private init; } = [];
    public IReadOnlyList<object> Transactions { get; private init; } = [];

    /// <summary>
    /// Reads a body in one forward pass with <see cref="TelemetryEventReader"/>; an event it cannot vouch
    /// for (invalid, possible card data) is parsed alone by <see cref="TelemetryParser.ParseEvent"/>, and a
    /// body with an unusual top level (a list named twice, an escaped name) is read the old way whole,
    /// so the answer is always the one <see cref="ReadWithDocument"/> gives.
    /// </summary>
    public static TelemetryBatch Read(ReadOnlyMemory<byte> body, DateTimeOffset now, int maxEvents, TelemetryEventReader? events = null)
    {
        if (NotUtf8(body.Span) is { } bad) return bad;
        try
        {
            return ReadForward(body, now, maxEvents, events ?? new TelemetryEventReader()) ?? ReadWithDocument(body, now, maxEvents);
        }
        catch (JsonException e)
        {
            return new TelemetryBatch { Problem = TelemetryBodyProblem.NotJson, ErrorLine = e.LineNumber, ErrorBytePositionInLine = e.BytePositionInLine };
        }
    }

    /// <summary>Null when the top level is unusual enough to leave to <see cref="ReadWithDocument"/>.</summary>
    private static TelemetryBatch? ReadForward(ReadOnlyMemory<byte> body, DateTimeOffset now, int maxEvents, TelemetryEventReader events)
    {
        var r = new Utf8JsonReader(body.Span);
        r.Read();
        if (r.TokenType != JsonTokenType.StartObject)
        {
            r.Skip();
            r.Read(); // throws on anything after the value, as JsonDocument.Parse does
            return new TelemetryBatch { Problem = TelemetryBodyProblem.NotAnObject };
        }
        List<object>? heartbeats = null, transactions = null;
        bool heartbeatsNotArray = false, transactionsNotArray = false, seenHeartbeats = false, seenTransactions = false;
        var total = 0;
        while (r.Read() && r.TokenType == JsonTokenType.PropertyName)
        {
            if (r.ValueIsEscaped) return null;
            EventKind kind;
            if (r.ValueSpan.SequenceEqual("heartbeats"u8))
            {
                if (seenHeartbeats) return null;
                seenHeartbeats = true;
                kind = EventKind.Heartbeat;
            }
            else if (r.ValueSpan.SequenceEqual("transactions"u8))
            {
                if (seenTransactions) return null;
                seenTransactions = true;
                kind = EventKind.Transaction;
            }
            else
            {
                r.Read();
                r.Skip();
                continue;
            }
            r.Read();
            if (r.TokenType == JsonTokenType.Null) continue;
            if (r.TokenType != JsonTokenType.StartArray)
            {
                if (kind == EventKind.Heartbeat) heartbeatsNotArray = true;
                else transactionsNotArray = true;
                r.Skip();
                continue;
            }
            var list = new List<object>();
            if (kind == EventKind.Heartbeat) heartbeats = list;
            else transactions = list;
            var index = 0;
            while (r.Read() && r.TokenType != JsonTokenType.EndArray)
            {
                // Over the limit the body is refused whole: count the rest, and check it is JSON, without parsing.
                if (++total > maxEvents)
                {
                    r.Skip();
                    continue;
                }
                list.Add(ReadEvent(ref r, body, kind, index++, now, events));
            }
        }
        r.Read(); // throws on anything after the object
        if (heartbeatsNotArray || transactionsNotArray)
            return new TelemetryBatch { Problem = TelemetryBodyProblem.NotAnArray, List = heartbeatsNotArray ? "heartbeats" : "transactions" };
        if (heartbeats is null && transactions is null) return new TelemetryBatch { Problem = TelemetryBodyProblem.NoLists };
        if (total > maxEvents) return new TelemetryBatch { Problem = TelemetryBodyProblem.TooManyEvents, Total = total };
        return new TelemetryBatch { Total = total, Heartbeats = heartbeats ?? [], Transactions = transactions ?? [] };
    }

    private static object ReadEvent(ref Utf8JsonReader r, ReadOnlyMemory<byte> body, EventKind kind, int index, DateTimeOffset now, TelemetryEventReader events)
    {
        if (r.TokenType != JsonTokenType.StartObject)
        {
            r.Skip();
            return TelemetryParser.NotAnObject(kind, index);
        }
        var start = (int)r.TokenStartIndex;
        var parsed = events.TryRead(ref r, kind, now);
        var raw = body[start..(int)r.BytesConsumed];
        if (parsed is not null && !CardData.MayContain(raw.Span)) return parsed;
        using var document = JsonDocument.Parse(raw);
        return TelemetryParser.ParseEvent(document.RootElement, kind, index, now);
    }

    /// <summary>The reference reading: the whole body as a <see cref="JsonDocument"/>, every event through <see cref="TelemetryParser.ParseEvent"/>.</summary>
    public static TelemetryBatch ReadWithDocument(ReadOnlyMemory<byte> body, DateTimeOffset now, int maxEvents)
    {
        if (NotUtf8(body.Span) is { } bad) return bad;
        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(body);
        }
        catch (JsonException e)
        {
            return new TelemetryBatch { Problem = TelemetryBodyProblem.NotJson, ErrorLine = e.LineNumber, ErrorBytePositionInLine = e.BytePositionInLine };
        }
        using (document)
        {
            var root = document.RootElement;
            if (root.ValueKind != JsonValueKind.Object) return new TelemetryBatch { Problem = TelemetryBodyProblem.NotAnObject };
            var heartbeats = ListOf(root, "heartbeats", out var hbNotArray);
            var transactions = ListOf(root, "transactions", out var txNotArray);
            if (hbNotArray || txNotArray)
                return new TelemetryBatch { Problem = TelemetryBodyProblem.NotAnArray, List = hbNotArray ? "heartbeats" : "transactions" };
            if (heartbeats is null && transactions is null) return new TelemetryBatch { Problem = TelemetryBodyProblem.NoLists };
            var total = (heartbeats?.GetArrayLength() ?? 0) + (transactions?.GetArrayLength() ?? 0);
            if (total > maxEvents) return new TelemetryBatch { Problem = TelemetryBodyProblem.TooManyEvents, Total = total };
            return new TelemetryBatch
            {
                Total = total,
                Heartbeats = ParseAll(heartbeats, EventKind.Heartbeat, now),
                Transactions = ParseAll(transactions, EventKind.Transaction, now),
            };
        }
    }

    private static List<object> ParseAll(JsonElement? list, EventKind kind, DateTimeOffset now)
    {
        var result = new List<object>();
        if (list is not { } items) return result;
        var i = 0;
        foreach (var e in items.EnumerateArray()) result.Add(TelemetryParser.ParseEvent(e, kind, i++, now));
        return result;
    }

    private static JsonElement? ListOf(JsonElement root, string name, out bool notArray)
    {
        notArray = false;
        if (!root.TryGetProperty(name, out var list) || list.ValueKind == JsonValueKind.Null) return null;
        if (list.ValueKind == JsonValueKind.Array) return list;
        notArray = true;
        return null;
    }

    /// <summary>
    /// A body that is not UTF-8 is refused whole, naming the first bad byte: the JSON reader does not check the bytes
    /// inside strings, and reading such a string later failed as a server error instead of a 400.
    /// </summary>
    private static TelemetryBatch? NotUtf8(ReadOnlySpan<byte> body) =>
        Utf8.IsValid(body) ? null : new TelemetryBatch { Problem = TelemetryBodyProblem.NotUtf8, InvalidByteOffset = FirstInvalidUtf8(body) };

    /// <summary>Offset of the first byte that does not start or continue a valid UTF-8 sequence; -1 when all are valid.</summary>
    public static int FirstInvalidUtf8(ReadOnlySpan<byte> bytes)
    {
        for (var i = 0; i < bytes.Length;)
        {
            if (Rune.DecodeFromUtf8(bytes[i..], out _, out var used) != System.Buffers.OperationStatus.Done) return i;
            i += used;
        }
        return -1;
    }
}
