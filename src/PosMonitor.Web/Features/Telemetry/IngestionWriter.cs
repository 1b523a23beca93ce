using System.Diagnostics;
using Microsoft.Extensions.Options;
using PosMonitor.Core.Rollups;
using PosMonitor.Web.Infrastructure.Observability;

namespace PosMonitor.Web.Features.Telemetry;

/// <summary>
/// The single writer. It takes every request waiting in the queue (up to MaxEventsPerCommit
/// events), commits their raw events in one transaction, then acknowledges each: while one commit
/// syncs to disk the next requests gather, so throughput does not depend on one fsync per request
/// (group commit). The rollups of committed events are folded on another thread while the next
/// commit is written (at most one fold at a time, in commit order), merged in memory and, every
/// RollupFlushMilliseconds, written out in chunks of at most <see cref="ChunkRows"/> rows between
/// commits, so a large flush never holds the requests behind it; the watermark moves when the last
/// chunk is written. Each commit names this writer as the holder of its unwritten rollups (<see cref="RollupAdoption"/>):
/// at start-up, the commits an earlier run of this node left unwritten (a crash between a commit and the end of its
/// flush) are folded again into the rows that do not hold them yet.
/// </summary>
public sealed class IngestionWriter(
    IngestionQueue queue, TelemetryStore store, TerminalStateCache states, TelemetryFeed feed, RollupAdoption adoption,
    IngestionMetrics metrics, IOptions<IngestionOptions> options, TimeProvider time, ILogger<IngestionWriter> logger) : BackgroundService
{
    /// <summary>Rows per flush transaction: a few milliseconds of writing, so requests behind it wait little.</summary>
    public const int ChunkRows = 2000;

    /// <summary>Tries of a commit that collides with another node's before its requests get 503 (and resend).</summary>
    private const int MaxCommitAttempts = 5;

    /// <summary>Used by one fold at a time; kept so each terminal's working state is made once, not per commit.</summary>
    private readonly RollupAggregator _aggregator = new(states.Get);
    private RollupDelta _pending = new();
    private long _lastStamp;
    private long _pendingStamp;
    /// <summary>Commits up to this stamp are in a flush already (written or being written).</summary>
    private long _flushedThrough;
    private int _pendingRows;
    /// <summary>The fold of the last commit: <see cref="_pending"/> is complete once it has finished.</summary>
    private Task _folding = Task.CompletedTask;
    private long _lastFlush = Stopwatch.GetTimestamp();
    private Flush? _flushing;
    /// <summary>Stamps of the first commit not in a flush yet, and of the first in the flush being written (0: none): the rollup lag.</summary>
    private long _unflushedSince, _flushingSince;

    public override async Task StartAsync(CancellationToken ct)
    {
        await logger.TimeStepAsync("ingestion writer: duplicate keys, unwritten rollups", () => RecoverAsync(ct));
        await base.StartAsync(ct);
    }

    private async Task RecoverAsync(CancellationToken ct)
    {
        await store.LoadRecentKeysAsync(ct);
        // Earlier runs of this node (a single node: every earlier run) crashed with rollups unwritten; with several
        // nodes, another node's are its own to write, or the detection leader's to adopt once that node is gone.
        foreach (var holder in await store.HoldersAsync(ct))
            if (store.AdoptsAtStart(holder)) await adoption.AdoptAsync(holder, ct);
        _lastStamp = _flushedThrough = await store.WatermarkAsync(ct);
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
            // While a flush is being written, its next chunk goes between commits: no waiting.
            if (!ready.IsCompleted && _flushing is null)
            {
                if (_lastStamp == _flushedThrough) await ready;
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
            if (_flushing is null && _lastStamp > _flushedThrough && (Stopwatch.GetElapsedTime(_lastFlush) >= flushEvery || Volatile.Read(ref _pendingRows) > 100_000))
                await StartFlushAsync();
            if (_flushing is not null) await WriteChunkAsync();
            // Between flushes the duplicate keys keep moving too, a piece between commits: with the
            // flush's chunks alone they fell behind above ~70k events/s and piled up in memory.
            else if (store.SpillDue(SpillBefore())) await SpillAsync();
        }
        await _folding;
        while (_flushing is not null || !_pending.IsEmpty)
        {
            if (_flushing is null) await StartFlushAsync();
            if (!await WriteChunkAsync()) break;
        }
    }

    private async Task CommitAsync(List<IngestBatch> batches, int events)
    {
        var started = Stopwatch.GetTimestamp();
        var stamp = Math.Max(time.GetUtcNow().ToUnixTimeMilliseconds(), _lastStamp + 1);
        try
        {
            CommitResult result;
            for (var attempt = 1; ; attempt++)
            {
                try
                {
                    result = await store.CommitAsync(batches, stamp, CancellationToken.None);
                    break;
                }
                catch (Exception e) when (attempt < MaxCommitAttempts && TelemetryStore.IsConflict(e))
                {
                    // Another node committed at this stamp, or stored some of these events, at the same moment
                    // (PosMonitor:Cluster): nothing was stored; again, one stamp on, and its events count as duplicates.
                    stamp++;
                }
                catch (RollupsAdoptedException e) when (attempt < MaxCommitAttempts)
                {
                    // Nothing was stored; the rollups held here were adopted, so they go, and the commit is tried again as a new holder.
                    await DropAdoptedAsync(e);
                }
            }
            _lastStamp = stamp;
            metrics.Committed(events, Stopwatch.GetElapsedTime(started));
            if (_unflushedSince == 0)
            {
                _unflushedSince = stamp;
                ReportRollupLag();
            }
            // Counted here, not by the API, so the health page also shows what reaches the queue another way (the demo).
            var duplicates = result.DuplicatesPerBatch.Sum();
            metrics.Accepted(events - duplicates);
            metrics.Duplicates(duplicates);
            // The feed place is taken before the 202s go out, so whoever waits for the feed after a 202 sees this commit.
            var place = feed.Reserve();
            for (var i = 0; i < batches.Count; i++) batches[i].Stored.TrySetResult(result.DuplicatesPerBatch[i]);
            // One fold at a time keeps them (and the feed) in commit order; the previous one has
            // usually finished while this commit was written.
            await _folding;
            _folding = Task.Run(() => Fold(result, stamp, place));
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

    /// <summary>Off the writer's thread: the rollup changes of one commit, into the pending flush, the state cache and the feed.</summary>
    private void Fold(CommitResult result, long stamp, long place)
    {
        var delta = new RollupDelta();
        try
        {
            delta = result.Fold(_aggregator);
            delta.Commits.Add(stamp);
            states.Apply(delta.States.Values);
            _pending.MergeFrom(delta);
            _pendingStamp = stamp;
            Volatile.Write(ref _pendingRows, _pending.Minutes.Count);
        }
        catch (Exception e)
        {
            // Not expected (plain arithmetic); the raw events are stored, and a restart before the next flush folds them again.
            logger.LogCritical(e, "Folding the rollups of commit {Stamp} failed", stamp);
        }
        finally
        {
            feed.Publish(place, delta);
        }
    }

    /// <summary>
    /// Another node adopted this writer's unwritten rollups (this node was taken for gone: paused, or cut off from the
    /// database for longer than the cluster's lease): it has written them, so the copy held here is dropped.
    /// </summary>
    private async Task DropAdoptedAsync(RollupsAdoptedException e)
    {
        await _folding;
        logger.LogWarning(e, "Dropping the rollups held in memory: another node adopted them");
        _pending = new RollupDelta();
        _pendingRows = 0;
        _flushing = null;
        _flushedThrough = _lastStamp;
        _unflushedSince = _flushingSince = 0;
        ReportRollupLag();
        store.RenewHolder();
    }

    private async Task StartFlushAsync()
    {
        await _folding;
        // In key order: after a crash mid-flush, the greatest key written tells which rows hold the flush's events.
        var minutes = _pending.Minutes.Values.ToArray();
        Array.Sort(minutes, TelemetryStore.FlushOrder.Instance);
        _flushing = new Flush(minutes, [.. _pending.States.Values], _pending.FirmwareChanges, _pendingStamp);
        _pending = new RollupDelta();
        _pendingRows = 0;
        _flushedThrough = _lastStamp;
        _lastFlush = Stopwatch.GetTimestamp();
        _flushingSince = _unflushedSince;
        _unflushedSince = 0;
    }

    private void ReportRollupLag() => metrics.RollupsUnwrittenSince(_flushingSince != 0 ? _flushingSince : _unflushedSince);

    private long SpillBefore() => RecentEventKeys.MinuteOf(time.GetUtcNow().ToUnixTimeMilliseconds() - options.Value.DedupWindowSeconds * 1000L);

    private async Task SpillAsync()
    {
        try
        {
            await store.SpillAsync(SpillBefore(), CancellationToken.None);
        }
        catch (Exception e)
        {
            // The keys stay in memory (duplicates are still found) and move with a later piece.
            logger.LogError(e, "Moving duplicate keys to the table failed; retrying");
            await Task.Delay(TimeSpan.FromSeconds(1));
        }
    }

    /// <summary>Writes the next chunk of the flush under way; false when it failed (kept, and tried again).</summary>
    private async Task<bool> WriteChunkAsync()
    {
        var flush = _flushing!;
        var chunk = flush.Next();
        try
        {
            await store.WriteRollupsAsync(chunk, CancellationToken.None, SpillBefore());
            flush.Written(chunk);
            if (chunk.Completes)
            {
                _flushing = null;
                _flushingSince = 0;
                ReportRollupLag();
            }
            return true;
        }
        catch (RollupsAdoptedException e)
        {
            await DropAdoptedAsync(e);
            return true;
        }
        catch (Exception e)
        {
            // Kept in memory and tried again; after a crash this writer's commits in rollup_pending are folded again.
            logger.LogError(e, "Rollup flush of {Rows} rows failed; retrying", chunk.Minutes.Count + chunk.States.Count);
            await Task.Delay(TimeSpan.FromSeconds(1));
            return false;
        }
    }

    public override Task StopAsync(CancellationToken cancellationToken)
    {
        queue.Close();
        return base.StopAsync(cancellationToken);
    }

    /// <summary>One flush of rollups folded up to <see cref="FoldedTo"/>, written chunk by chunk.</summary>
    private sealed class Flush(TerminalMinute[] minutes, TerminalState[] states, List<FirmwareChange> firmware, long foldedTo)
    {
        private int _minutes;
        private int _states;

        public long FoldedTo { get; } = foldedTo;

        public RollupChunk Next()
        {
            var m = Math.Min(ChunkRows, minutes.Length - _minutes);
            var s = Math.Min(ChunkRows - m, states.Length - _states);
            var completes = _minutes + m == minutes.Length && _states + s == states.Length;
            return new RollupChunk(new ArraySegment<TerminalMinute>(minutes, _minutes, m), new ArraySegment<TerminalState>(states, _states, s),
                completes ? firmware : [], FoldedTo, completes);
        }

        public void Written(RollupChunk chunk)
        {
            _minutes += chunk.Minutes.Count;
            _states += chunk.States.Count;
        }
    }
}
