using System.Diagnostics;
using Microsoft.Extensions.Options;
using PosMonitor.Core.Rollups;

namespace PosMonitor.Web.Features.Telemetry;

/// <summary>
/// The single writer. It takes every request waiting in the queue (up to MaxEventsPerCommit
/// events), commits their raw events in one transaction, then acknowledges each: while one commit
/// syncs to disk the next requests gather, so throughput does not depend on one fsync per request
/// (group commit). The rollups of committed events are merged in memory and flushed every
/// RollupFlushMilliseconds with a watermark; at start-up, events committed after the watermark
/// (a crash between commit and flush) are folded again, so no acknowledged event is missed.
/// </summary>
public sealed class IngestionWriter(
    IngestionQueue queue, TelemetryStore store, TerminalStateCache states, TelemetryFeed feed,
    IngestionMetrics metrics, IOptions<IngestionOptions> options, TimeProvider time, ILogger<IngestionWriter> logger) : BackgroundService
{
    private RollupDelta _pending = new();
    private long _lastStamp;
    private long _pendingStamp;
    private long _lastFlush = Stopwatch.GetTimestamp();

    public override async Task StartAsync(CancellationToken ct)
    {
        await RecoverAsync(ct);
        await base.StartAsync(ct);
    }

    private async Task RecoverAsync(CancellationToken ct)
    {
        await store.LoadRecentKeysAsync(ct);
        var watermark = await store.WatermarkAsync(ct);
        var (heartbeats, transactions, last) = await store.UnfoldedAsync(watermark, ct);
        _lastStamp = last;
        if (heartbeats.Count + transactions.Count == 0) return;
        var aggregator = new RollupAggregator(states.Get);
        // Heartbeats and sales are merged by timestamp so restarts and states fold as they did live.
        foreach (var e in heartbeats.Select(h => (h.Timestamp, Event: (object)h)).Concat(transactions.Select(t => (t.Timestamp, Event: (object)t))).OrderBy(x => x.Timestamp))
        {
            if (e.Event is Core.Telemetry.Heartbeat h) aggregator.Add(h);
            else aggregator.Add((Core.Telemetry.Transaction)e.Event);
        }
        var delta = aggregator.TakeDelta();
        await store.FlushAsync(delta, last, ct);
        states.Apply(delta.States.Values);
        logger.LogWarning("Folded {Count} events committed after the last rollup flush into the rollups", heartbeats.Count + transactions.Count);
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var max = options.Value.MaxEventsPerCommit;
        var flushEvery = TimeSpan.FromMilliseconds(options.Value.RollupFlushMilliseconds);
        var batches = new List<IngestBatch>();
        // Requests already queued when the host stops are still written: they are waiting for their 202.
        Task<bool>? ready = null;
        while (true)
        {
            // One outstanding wait at a time (single reader); it survives a flush timeout.
            ready ??= queue.Reader.WaitToReadAsync(CancellationToken.None).AsTask();
            if (!ready.IsCompleted)
            {
                if (_pending.IsEmpty) await ready;
                else
                {
                    var untilFlush = flushEvery - Stopwatch.GetElapsedTime(_lastFlush);
                    if (untilFlush > TimeSpan.Zero) await Task.WhenAny(ready, Task.Delay(untilFlush, CancellationToken.None));
                }
            }
            if (ready.IsCompleted)
            {
                if (!await ready) break;
                ready = null;
                batches.Clear();
                var events = 0;
                while (events < max && queue.Reader.TryRead(out var batch))
                {
                    batches.Add(batch);
                    events += batch.Count;
                }
                if (batches.Count > 0) await CommitAsync(batches, events);
            }
            if (!_pending.IsEmpty && (Stopwatch.GetElapsedTime(_lastFlush) >= flushEvery || _pending.Minutes.Count > 100_000))
                await FlushAsync();
        }
        await FlushAsync();
    }

    private async Task CommitAsync(List<IngestBatch> batches, int events)
    {
        var started = Stopwatch.GetTimestamp();
        var stamp = Math.Max(time.GetUtcNow().ToUnixTimeMilliseconds(), _lastStamp + 1);
        try
        {
            var result = await store.CommitAsync(batches, stamp, states.Get, CancellationToken.None);
            _lastStamp = stamp;
            states.Apply(result.Delta.States.Values);
            _pending.MergeFrom(result.Delta);
            _pendingStamp = stamp;
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

    private async Task FlushAsync()
    {
        if (_pending.IsEmpty) return;
        try
        {
            var spillBefore = RecentEventKeys.MinuteOf(time.GetUtcNow().ToUnixTimeMilliseconds() - options.Value.DedupWindowSeconds * 1000L);
            await store.FlushAsync(_pending, _pendingStamp, CancellationToken.None, spillBefore);
            _pending = new RollupDelta();
        }
        catch (Exception e)
        {
            // Kept in memory and tried again; after a crash the raw events past the watermark are folded again.
            logger.LogError(e, "Rollup flush of {Minutes} terminal-minutes failed; retrying", _pending.Minutes.Count);
        }
        _lastFlush = Stopwatch.GetTimestamp();
    }

    public override Task StopAsync(CancellationToken cancellationToken)
    {
        queue.Close();
        return base.StopAsync(cancellationToken);
    }
}
