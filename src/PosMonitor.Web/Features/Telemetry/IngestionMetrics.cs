using System.Collections.Concurrent;
using System.Diagnostics;
using PosMonitor.Web.Infrastructure.Observability;

namespace PosMonitor.Web.Features.Telemetry;

/// <summary>
/// Ingestion figures: reported to <see cref="PosMonitorMetrics"/> (scraped at /metrics) and kept as a
/// snapshot for the admin page.
/// </summary>
public sealed class IngestionMetrics(PosMonitorMetrics metrics, IngestionQueue queue, TimeProvider time)
{
    private readonly ConcurrentDictionary<string, long> _rejectedByCode = new();
    // Per-second buckets of accepted events for the last minute: events/s without a timer.
    private readonly long[] _perSecond = new long[60];
    private readonly long[] _secondOf = new long[60];
    private long _acceptedTotal, _duplicatesTotal, _rejectedTotal, _commits, _lastBatch, _refusedTotal;
    private double _lastWriteMs, _maxWriteMs;

    /// <summary>The span of one telemetry request (null without a listener): parse, checks and the wait for its commit.</summary>
    public Activity? StartRequest() => metrics.ActivitySource.StartActivity("ingest telemetry");

    public void Accepted(int count)
    {
        if (count == 0) return;
        metrics.Accepted(count);
        Interlocked.Add(ref _acceptedTotal, count);
        var second = time.GetUtcNow().ToUnixTimeSeconds();
        var slot = (int)(second % 60);
        lock (_perSecond)
        {
            if (_secondOf[slot] != second) { _secondOf[slot] = second; _perSecond[slot] = 0; }
            _perSecond[slot] += count;
        }
    }

    public void Rejected(string code)
    {
        metrics.Rejected(code);
        _rejectedByCode.AddOrUpdate(code, 1, (_, n) => n + 1);
        Interlocked.Increment(ref _rejectedTotal);
    }

    public void Duplicates(int count)
    {
        if (count == 0) return;
        metrics.Duplicates(count);
        Interlocked.Add(ref _duplicatesTotal, count);
    }

    public void Refused(int status)
    {
        metrics.Refused(status);
        Interlocked.Increment(ref _refusedTotal);
    }

    public void Committed(int events, TimeSpan duration)
    {
        metrics.Committed(events, duration);
        var milliseconds = duration.TotalMilliseconds;
        Interlocked.Increment(ref _commits);
        Interlocked.Exchange(ref _lastBatch, events);
        _lastWriteMs = milliseconds;
        if (milliseconds > _maxWriteMs) _maxWriteMs = milliseconds;
    }

    /// <summary>The commit stamp (Unix ms) of the oldest events whose rollups are not written yet; 0 when all are.</summary>
    public void RollupsUnwrittenSince(long stampMs) => metrics.RollupsUnwrittenSince(stampMs);

    public IngestionSnapshot Snapshot()
    {
        var now = time.GetUtcNow().ToUnixTimeSeconds();
        long last10 = 0;
        lock (_perSecond)
            for (var s = now - 10; s < now; s++)
            {
                var slot = (int)(s % 60);
                if (_secondOf[slot] == s) last10 += _perSecond[slot];
            }
        return new IngestionSnapshot(
            last10 / 10.0, Interlocked.Read(ref _acceptedTotal), Interlocked.Read(ref _duplicatesTotal), Interlocked.Read(ref _rejectedTotal),
            new Dictionary<string, long>(_rejectedByCode), queue.PendingEvents, Interlocked.Read(ref _commits),
            Interlocked.Read(ref _lastBatch), _lastWriteMs, _maxWriteMs, Interlocked.Read(ref _refusedTotal));
    }
}

public sealed record IngestionSnapshot(
    double EventsPerSecond, long Accepted, long Duplicates, long Rejected, IReadOnlyDictionary<string, long> RejectedByCode,
    int QueueDepth, long Commits, long LastCommitEvents, double LastCommitMs, double MaxCommitMs, long RefusedRequests);
