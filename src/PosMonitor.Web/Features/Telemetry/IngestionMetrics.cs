using System.Collections.Concurrent;
using System.Diagnostics.Metrics;

namespace PosMonitor.Web.Features.Telemetry;

/// <summary>
/// Ingestion figures as .NET metrics (meter "PosMonitor.Ingestion", for dotnet-counters or an
/// OpenTelemetry exporter) and as a snapshot for the admin page.
/// </summary>
public sealed class IngestionMetrics : IDisposable
{
    public const string MeterName = "PosMonitor.Ingestion";
    private readonly Meter _meter;
    private readonly Counter<long> _accepted, _rejected, _duplicates, _refused;
    private readonly Histogram<int> _batchSize;
    private readonly Histogram<double> _writeMs;
    private readonly ConcurrentDictionary<string, long> _rejectedByCode = new();
    private readonly TimeProvider _time;
    // Per-second buckets of accepted events for the last minute: events/s without a timer.
    private readonly long[] _perSecond = new long[60];
    private readonly long[] _secondOf = new long[60];
    private long _acceptedTotal, _duplicatesTotal, _rejectedTotal, _commits, _lastBatch, _refusedTotal;
    private double _lastWriteMs, _maxWriteMs;

    public IngestionMetrics(IMeterFactory meters, IngestionQueue queue, TimeProvider time)
    {
        _time = time;
        _meter = meters.Create(MeterName);
        _accepted = _meter.CreateCounter<long>("posmonitor.ingestion.accepted", "{event}", "Events stored");
        _rejected = _meter.CreateCounter<long>("posmonitor.ingestion.rejected", "{event}", "Events rejected, by code");
        _duplicates = _meter.CreateCounter<long>("posmonitor.ingestion.duplicates", "{event}", "Events already stored");
        _refused = _meter.CreateCounter<long>("posmonitor.ingestion.refused_requests", "{request}", "Requests answered 429/503");
        _batchSize = _meter.CreateHistogram<int>("posmonitor.ingestion.commit_events", "{event}", "Events per commit (group commit)");
        _writeMs = _meter.CreateHistogram<double>("posmonitor.ingestion.commit_duration", "ms", "Time to write and commit one batch");
        _meter.CreateObservableGauge("posmonitor.ingestion.queue_depth", () => queue.PendingEvents, "{event}", "Events waiting for the writer");
        Queue = queue;
    }

    private IngestionQueue Queue { get; }

    public void Accepted(int count)
    {
        if (count == 0) return;
        _accepted.Add(count);
        Interlocked.Add(ref _acceptedTotal, count);
        var second = _time.GetUtcNow().ToUnixTimeSeconds();
        var slot = (int)(second % 60);
        lock (_perSecond)
        {
            if (_secondOf[slot] != second) { _secondOf[slot] = second; _perSecond[slot] = 0; }
            _perSecond[slot] += count;
        }
    }

    public void Rejected(string code)
    {
        _rejected.Add(1, new KeyValuePair<string, object?>("code", code));
        _rejectedByCode.AddOrUpdate(code, 1, (_, n) => n + 1);
        Interlocked.Increment(ref _rejectedTotal);
    }

    public void Duplicates(int count)
    {
        if (count == 0) return;
        _duplicates.Add(count);
        Interlocked.Add(ref _duplicatesTotal, count);
    }

    public void Refused(int status)
    {
        _refused.Add(1, new KeyValuePair<string, object?>("status", status));
        Interlocked.Increment(ref _refusedTotal);
    }

    public void Committed(int events, double milliseconds)
    {
        _batchSize.Record(events);
        _writeMs.Record(milliseconds);
        Interlocked.Increment(ref _commits);
        Interlocked.Exchange(ref _lastBatch, events);
        _lastWriteMs = milliseconds;
        if (milliseconds > _maxWriteMs) _maxWriteMs = milliseconds;
    }

    public IngestionSnapshot Snapshot()
    {
        var now = _time.GetUtcNow().ToUnixTimeSeconds();
        long last10 = 0;
        lock (_perSecond)
            for (var s = now - 10; s < now; s++)
            {
                var slot = (int)(s % 60);
                if (_secondOf[slot] == s) last10 += _perSecond[slot];
            }
        return new IngestionSnapshot(
            last10 / 10.0, Interlocked.Read(ref _acceptedTotal), Interlocked.Read(ref _duplicatesTotal), Interlocked.Read(ref _rejectedTotal),
            new Dictionary<string, long>(_rejectedByCode), Queue.PendingEvents, Interlocked.Read(ref _commits),
            Interlocked.Read(ref _lastBatch), _lastWriteMs, _maxWriteMs, Interlocked.Read(ref _refusedTotal));
    }

    public void Dispose() => _meter.Dispose();
}

public sealed record IngestionSnapshot(
    double EventsPerSecond, long Accepted, long Duplicates, long Rejected, IReadOnlyDictionary<string, long> RejectedByCode,
    int QueueDepth, long Commits, long LastCommitEvents, double LastCommitMs, double MaxCommitMs, long RefusedRequests);
