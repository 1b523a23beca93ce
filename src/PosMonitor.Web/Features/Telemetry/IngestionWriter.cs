using System.Diagnostics;
using Microsoft.Extensions.Options;

namespace PosMonitor.Web.Features.Telemetry;

/// <summary>
/// The single writer: takes every request waiting in the queue (up to MaxEventsPerCommit events),
/// commits them in one transaction, then acknowledges each. While one commit syncs to disk the
/// next requests gather, so throughput does not depend on one fsync per request (group commit).
/// </summary>
public sealed class IngestionWriter(
    IngestionQueue queue, TelemetryStore store, TerminalStateCache states, TelemetryFeed feed,
    IngestionMetrics metrics, IOptions<IngestionOptions> options, ILogger<IngestionWriter> logger) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var max = options.Value.MaxEventsPerCommit;
        var batches = new List<IngestBatch>();
        // Requests already queued when the host stops are still written: they are waiting for their 202.
        while (await queue.Reader.WaitToReadAsync(CancellationToken.None))
        {
            batches.Clear();
            var events = 0;
            while (events < max && queue.Reader.TryRead(out var batch))
            {
                batches.Add(batch);
                events += batch.Count;
            }
            if (batches.Count == 0) continue;
            await CommitAsync(batches, events);
            if (stoppingToken.IsCancellationRequested && queue.PendingEvents == 0) break;
        }
    }

    private async Task CommitAsync(List<IngestBatch> batches, int events)
    {
        var started = Stopwatch.GetTimestamp();
        try
        {
            var result = await store.CommitAsync(batches, states.Get, CancellationToken.None);
            states.Apply(result.Delta.States.Values);
            metrics.Committed(events, Stopwatch.GetElapsedTime(started).TotalMilliseconds);
            for (var i = 0; i < batches.Count; i++) batches[i].Stored.TrySetResult(result.DuplicatesPerBatch[i]);
            if (!result.Delta.IsEmpty) feed.Publish(result.Delta);
        }
        catch (Exception e)
        {
            // The transaction rolled back: nothing of these requests was stored, each gets 503 and resends.
            logger.LogError(e, "Commit of {Events} events in {Requests} requests failed", events, batches.Count);
            foreach (var b in batches) b.Stored.TrySetException(e);
        }
        finally
        {
            queue.Completed(events);
        }
    }

    public override Task StopAsync(CancellationToken cancellationToken)
    {
        queue.Close();
        return base.StopAsync(cancellationToken);
    }
}
