using System.Buffers;
using System.Collections.Concurrent;
using System.Text.Json;
using System.Text.Unicode;
using PosMonitor.Core.Telemetry;

namespace PosMonitor.Core.Replay;

/// <summary>A line of the events file that cannot be replayed: its number (1-based) and why.</summary>
public sealed class BadEventLineException(long line, string reason) : Exception($"line {line}: {reason}")
{
    public long Line { get; } = line;
    public string Reason { get; } = reason;
}

/// <summary>
/// Reads the replay's <c>events.ndjson</c> (src/PosMonitor.Core/Replay/replay.md): one heartbeat or transaction per line with its
/// <c>"type"</c>, validated by the live API's <see cref="TelemetryParser"/> (without the timestamp range,
/// which is about wall-clock time) and checked against the fleet as the API checks it. Lines are cut
/// from one pooled buffer; blank lines are skipped.
/// </summary>
public sealed class EventFileReader(Stream stream, Fleet.Fleet fleet)
{
    private const int BatchSize = 1024;

    private readonly TelemetryEventReader _events = new();

    public long Lines { get; private set; }

    /// <summary>
    /// Hands every event to <paramref name="sink"/> in file order. Parsing runs on a second thread
    /// while the caller's thread consumes (two cores: reading and detection overlap).
    /// </summary>
    /// <exception cref="BadEventLineException">The first bad line; nothing after it is handed over.</exception>
    public void ReadAll(Action<object> sink, CancellationToken ct = default)
    {
        using var batches = new BlockingCollection<object[]>(boundedCapacity: 4);
        Exception? failure = null;
        var producer = Task.Factory.StartNew(() =>
        {
            try
            {
                var batch = new List<object>(BatchSize);
                foreach (var e in Parse(ct))
                {
                    batch.Add(e);
                    if (batch.Count < BatchSize) continue;
                    batches.Add([.. batch], ct);
                    batch.Clear();
                }
                if (batch.Count > 0) batches.Add([.. batch], ct);
            }
            catch (Exception e)
            {
                failure = e;
            }
            finally
            {
                batches.CompleteAdding();
            }
        }, ct, TaskCreationOptions.LongRunning, TaskScheduler.Default);

        try
        {
            foreach (var batch in batches.GetConsumingEnumerable(ct))
                foreach (var e in batch) sink(e);
        }
        finally
        {
            producer.Wait(CancellationToken.None);
        }
        if (failure is not null) System.Runtime.ExceptionServices.ExceptionDispatchInfo.Throw(failure);
    }

    /// <summary>The events in file order, parsed on the calling thread.</summary>
    public IEnumerable<object> Parse(CancellationToken ct = default)
    {
        var buffer = ArrayPool<byte>.Shared.Rent(1 << 20);
        try
        {
            int start = 0, end = 0;
            var eof = false;
            while (true)
            {
                ct.ThrowIfCancellationRequested();
                var newline = buffer.AsSpan(start, end - start).IndexOf((byte)'\n');
                if (newline < 0)
                {
                    if (eof)
                    {
                        if (end > start && !IsBlank(buffer.AsSpan(start, end - start))) yield return ParseLine(buffer.AsMemory(start, end - start), ++Lines);
                        yield break;
                    }
                    // Move the partial line to the front (or grow for a very long line) and read on.
                    if (start > 0)
                    {
                        buffer.AsSpan(start, end - start).CopyTo(buffer);
                        end -= start;
                        start = 0;
                    }
                    if (end == buffer.Length)
                    {
                        var larger = ArrayPool<byte>.Shared.Rent(buffer.Length * 2);
                        buffer.AsSpan(0, end).CopyTo(larger);
                        ArrayPool<byte>.Shared.Return(buffer);
                        buffer = larger;
                    }
                    var read = stream.Read(buffer, end, buffer.Length - end);
                    if (read == 0) eof = true;
                    end += read;
                    continue;
                }
                var line = buffer.AsMemory(start, newline);
                start += newline + 1;
                Lines++;
                if (IsBlank(line.Span)) continue;
                yield return ParseLine(line, Lines);
            }
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    private object ParseLine(ReadOnlyMemory<byte> line, long number)
    {
        // Neither JSON reader checks the bytes inside strings: a line that is not UTF-8 is refused here, as the API refuses a body.
        if (!Utf8.IsValid(line.Span))
            throw new BadEventLineException(number, $"not UTF-8 (byte {TelemetryBatch.FirstInvalidUtf8(line.Span) + 1} of the line)");
        // The forward reader takes the plain valid lines; any other goes the slow way, which says what is wrong.
        return _events.TryReadLine(line.Span) is { } parsed ? Check(parsed, number) : ParseLineWithDocument(line, number);
    }

    private object ParseLineWithDocument(ReadOnlyMemory<byte> line, long number)
    {
        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(line);
        }
        catch (JsonException e)
        {
            throw new BadEventLineException(number, $"not a JSON object ({e.Message.Split(" LineNumber:")[0].TrimEnd('.')})");
        }
        using (document)
        {
            var root = document.RootElement;
            if (root.ValueKind != JsonValueKind.Object) throw new BadEventLineException(number, "not a JSON object");
            EventKind kind;
            if (!root.TryGetProperty("type"u8, out var type) || type.ValueKind != JsonValueKind.String)
                throw new BadEventLineException(number, "field 'type' is required: heartbeat or transaction");
            if (type.ValueEquals("heartbeat"u8)) kind = EventKind.Heartbeat;
            else if (type.ValueEquals("transaction"u8)) kind = EventKind.Transaction;
            else throw new BadEventLineException(number, "field 'type' must be heartbeat or transaction");

            var index = (int)Math.Min(number, int.MaxValue);
            var parsed = TelemetryParser.ParseEvent(root, kind, index, now: null);
            if (parsed is Rejection r)
            {
                // The parser's messages start "transaction 17: "; the line number says where already.
                var prefix = $"{r.KindName} {index}: ";
                var message = r.Message.StartsWith(prefix, StringComparison.Ordinal) ? r.Message[prefix.Length..] : r.Message;
                throw new BadEventLineException(number, $"{r.KindName} {r.Code}: {message}");
            }
            return Check(parsed, number);
        }
    }

    /// <summary>What the API checks beyond the parser: the terminal is registered, the gateway exists (defaults to the terminal's).</summary>
    private object Check(object parsed, long number)
    {
        var terminalId = parsed switch
        {
            Heartbeat h => h.TerminalId,
            Transaction t => t.TerminalId,
            _ => throw new InvalidOperationException(),
        };
        if (!fleet.Terminals.TryGetValue(terminalId, out var terminal))
            throw new BadEventLineException(number, $"{RejectionCodes.UnknownTerminal}: terminal {terminalId} is not in the fleet");
        if (parsed is Transaction tx)
        {
            if (tx.Gateway is null) return tx with { Gateway = terminal.GatewayId };
            if (!fleet.Gateways.ContainsKey(tx.Gateway))
                throw new BadEventLineException(number, $"{RejectionCodes.InvalidField}: field 'gateway' names unknown gateway {tx.Gateway}");
        }
        return parsed;
    }

    private static bool IsBlank(ReadOnlySpan<byte> line)
    {
        foreach (var b in line)
            if (b is not ((byte)' ' or (byte)'\t' or (byte)'\r')) return false;
        return true;
    }
}
