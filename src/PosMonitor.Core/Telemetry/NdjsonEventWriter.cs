using System.Buffers;
using System.Text.Json;

namespace PosMonitor.Core.Telemetry;

/// <summary>
/// Writes the replay's <c>events.ndjson</c> (src/PosMonitor.Core/Replay/replay.md): one heartbeat or transaction per line,
/// each with its <c>"type"</c>. Buffers in memory and hands the stream large chunks.
/// </summary>
public sealed class NdjsonEventWriter(Stream stream) : IDisposable, IAsyncDisposable
{
    private const int FlushAt = 256 * 1024;
    private readonly ArrayBufferWriter<byte> _buffer = new(FlushAt + 4096);
    private Utf8JsonWriter? _writer;

    public long Lines { get; private set; }

    public void Write(Heartbeat hb)
    {
        TelemetryWriter.Write(Writer(), hb, withType: true);
        EndLine();
    }

    public void Write(Transaction tx)
    {
        TelemetryWriter.Write(Writer(), tx, withType: true);
        EndLine();
    }

    public void Flush()
    {
        if (_buffer.WrittenCount > 0) stream.Write(_buffer.WrittenSpan);
        _buffer.ResetWrittenCount();
        stream.Flush();
    }

    public void Dispose()
    {
        Flush();
        _writer?.Dispose();
    }

    public async ValueTask DisposeAsync()
    {
        if (_buffer.WrittenCount > 0) await stream.WriteAsync(_buffer.WrittenMemory);
        _buffer.ResetWrittenCount();
        await stream.FlushAsync();
        if (_writer is not null) await _writer.DisposeAsync();
    }

    private Utf8JsonWriter Writer() => _writer ??= new Utf8JsonWriter(_buffer);

    private void EndLine()
    {
        var writer = Writer();
        writer.Flush();
        // A Utf8JsonWriter allows one root value; Reset lets the next line start a new one.
        writer.Reset(_buffer);
        _buffer.Write("\n"u8);
        Lines++;
        if (_buffer.WrittenCount < FlushAt) return;
        stream.Write(_buffer.WrittenSpan);
        _buffer.ResetWrittenCount();
    }
}
