using System.Threading.Channels;
using Microsoft.Extensions.Options;
using PosMonitor.Core.Telemetry;

namespace PosMonitor.Web.Features.Telemetry;

/// <summary>The valid events of one request, waiting to be committed; completes with its duplicate count.</summary>
public sealed class IngestBatch(IReadOnlyList<Heartbeat> heartbeats, IReadOnlyList<Transaction> transactions)
{
    public IReadOnlyList<Heartbeat> Heartbeats { get; } = heartbeats;
    public IReadOnlyList<Transaction> Transactions { get; } = transactions;
    public int Count => Heartbeats.Count + Transactions.Count;

    /// <summary>Set once the events are durably stored (result: duplicates found), or failed.</summary>
    public TaskCompletionSource<int> Stored { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);
}

/// <summary>
/// Requests wait here for the single writer. Bounded by events, not requests: when it is full the
/// API answers 503 + Retry-After instead of growing memory without bound.
/// </summary>
public sealed class IngestionQueue(IOptions<IngestionOptions> options)
{
    private readonly Channel<IngestBatch> _channel = Channel.CreateUnbounded<IngestBatch>(new UnboundedChannelOptions { SingleReader = true });
    private readonly int _capacity = options.Value.QueueCapacityEvents;
    private int _pending;

    public int PendingEvents => Volatile.Read(ref _pending);

    public bool TryEnqueue(IngestBatch batch)
    {
        if (Interlocked.Add(ref _pending, batch.Count) > _capacity && batch.Count < _capacity)
        {
            Interlocked.Add(ref _pending, -batch.Count);
            return false;
        }
        if (_channel.Writer.TryWrite(batch)) return true;
        Interlocked.Add(ref _pending, -batch.Count);
        return false;
    }

    public ChannelReader<IngestBatch> Reader => _channel.Reader;

    public void Completed(int events) => Interlocked.Add(ref _pending, -events);

    public void Close() => _channel.Writer.TryComplete();
}
