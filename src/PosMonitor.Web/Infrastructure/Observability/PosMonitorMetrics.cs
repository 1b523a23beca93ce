using System.Diagnostics;
using System.Diagnostics.Metrics;
using PosMonitor.Core.Detection;
using PosMonitor.Core.Incidents;
using PosMonitor.Web.Features.Incidents;
using PosMonitor.Web.Features.Telemetry;
using PosMonitor.Web.Infrastructure.Realtime;

namespace PosMonitor.Web.Infrastructure.Observability;

/// <summary>
/// PosMonitor's own health as metrics (meter "PosMonitor", scraped at <c>/metrics</c>) and its traces
/// (activity source "PosMonitor": an ingestion request, a detection tick). Features report facts where
/// they happen; gauges over state another singleton already keeps are read at scrape time (<see cref="Observe"/>).
/// </summary>
public sealed class PosMonitorMetrics : IDisposable
{
    public const string Name = "PosMonitor";

    private static readonly KeyValuePair<string, object?> Ok = new("outcome", "ok");
    private static readonly KeyValuePair<string, object?> Failed = new("outcome", "failed");

    private readonly Meter _meter;
    private readonly TimeProvider _time;
    private readonly Counter<long> _accepted, _rejected, _duplicates, _refused;
    private readonly Histogram<int> _commitEvents;
    private readonly Histogram<double> _commitDuration, _tickDuration;
    private readonly Counter<long> _changes, _problems, _delivered, _deliveryFailures;
    private readonly UpDownCounter<long> _circuits;
    private long _rollupsUnwrittenSince;
    private long _outboxDepth = -1;

    public PosMonitorMetrics(IMeterFactory meters, TimeProvider time)
    {
        _time = time;
        _meter = meters.Create(Name);
        _accepted = _meter.CreateCounter<long>("posmonitor.ingestion.accepted", "{event}", "Events stored");
        _rejected = _meter.CreateCounter<long>("posmonitor.ingestion.rejected", "{event}", "Events rejected, by rejection code");
        _duplicates = _meter.CreateCounter<long>("posmonitor.ingestion.duplicates", "{event}", "Events already stored (answered as duplicates)");
        _refused = _meter.CreateCounter<long>("posmonitor.ingestion.refused_requests", "{request}", "Telemetry requests answered 429 or 503, by status");
        _commitEvents = _meter.CreateHistogram<int>("posmonitor.ingestion.commit_events", "{event}", "Events per commit (group commit)",
            advice: new InstrumentAdvice<int> { HistogramBucketBoundaries = [1, 10, 100, 1_000, 5_000, 10_000, 25_000] });
        _commitDuration = _meter.CreateHistogram<double>("posmonitor.ingestion.commit_duration", "s", "Time to write and commit one batch of raw events",
            advice: Seconds([0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10]));
        _tickDuration = _meter.CreateHistogram<double>("posmonitor.detection.tick_duration", "s", "Time of one detection run, by outcome",
            advice: Seconds([0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2, 5, 10, 30]));
        _changes = _meter.CreateCounter<long>("posmonitor.detection.changes", "{change}", "Incidents opened, updated and resolved by detection, by kind");
        _problems = _meter.CreateCounter<long>("posmonitor.detection.problems", "{problem}", "Problems a detection run reported (the rest of the run went on)");
        _delivered = _meter.CreateCounter<long>("posmonitor.notifications.delivered", "{notification}", "Notifications delivered, by channel kind");
        _deliveryFailures = _meter.CreateCounter<long>("posmonitor.notifications.failures", "{attempt}",
            "Failed notification attempts, by channel kind and whether the notification was abandoned");
        _circuits = _meter.CreateUpDownCounter<long>("posmonitor.blazor.circuits", "{circuit}", "Open Blazor Server circuits (portal pages in use)");
        _meter.CreateObservableGauge("posmonitor.ingestion.rollup_lag", RollupLag, "s",
            "How long the oldest committed events have waited for their rollups to be written (0 when all are written)");
        _meter.CreateObservableGauge("posmonitor.notifications.outbox_depth", OutboxDepth, "{notification}",
            "Notifications waiting to be delivered (pending or being retried), as of the last delivery run");
        ActivitySource = new ActivitySource(Name);
    }

    /// <summary>Traces of an ingestion request and a detection tick; started activities cost nothing without a listener.</summary>
    public ActivitySource ActivitySource { get; }

    /// <summary>Gauges over what the queue, the open incidents and the hub already count; called once when the app is built.</summary>
    public void Observe(IngestionQueue queue, int queueCapacity, OpenIncidents incidents, LiveConnections hub, bool sqlite)
    {
        // Outside the managed heap: page caches of every pooled connection (PosMonitor:Database:SqliteMemoryLimitMb).
        if (sqlite)
            _meter.CreateObservableGauge("posmonitor.sqlite.memory", () => SQLitePCL.raw.sqlite3_memory_used(), "By",
                "Memory SQLite holds in this process (page caches, statements)");
        _meter.CreateObservableGauge("posmonitor.ingestion.queue_depth", () => queue.PendingEvents, "{event}", "Events waiting for the writer");
        _meter.CreateObservableGauge("posmonitor.ingestion.queue_capacity", () => queueCapacity, "{event}",
            "Events the queue holds before the API answers 503 (PosMonitor:Ingestion:QueueCapacityEvents)");
        _meter.CreateObservableGauge("posmonitor.incidents.open", () => OpenBySeverity(incidents), "{incident}", "Open incidents, by severity");
        _meter.CreateObservableGauge("posmonitor.hub.connections", () => hub.Count, "{connection}", "Open connections to the live hub (/hubs/live)");
    }

    public void Accepted(int count) => _accepted.Add(count);

    public void Rejected(string code) => _rejected.Add(1, new KeyValuePair<string, object?>("code", code));

    public void Duplicates(int count) => _duplicates.Add(count);

    public void Refused(int status) => _refused.Add(1, new KeyValuePair<string, object?>("status", status));

    public void Committed(int events, TimeSpan duration)
    {
        _commitEvents.Record(events);
        _commitDuration.Record(duration.TotalSeconds);
    }

    /// <summary>The commit stamp (Unix ms) of the oldest events whose rollups are not written yet; 0 when all are.</summary>
    public void RollupsUnwrittenSince(long stampMs) => Interlocked.Exchange(ref _rollupsUnwrittenSince, stampMs);

    public void DetectionTick(TimeSpan duration, bool succeeded) => _tickDuration.Record(duration.TotalSeconds, succeeded ? Ok : Failed);

    /// <summary>What one detection run changed and reported, on the counters and on its span.</summary>
    public void DetectionRan(DetectionResult result, Activity? activity)
    {
        foreach (var change in result.Changes) _changes.Add(1, new KeyValuePair<string, object?>("kind", IncidentRepository.KindName(change.Kind)));
        if (result.Problems.Count > 0) _problems.Add(result.Problems.Count);
        activity?.SetTag("posmonitor.detection.changes", result.Changes.Count).SetTag("posmonitor.detection.problems", result.Problems.Count)
            .SetTag("posmonitor.detection.failing", result.Failing.Count);
    }

    public void OutboxDepth(long depth) => Interlocked.Exchange(ref _outboxDepth, depth);

    public void NotificationDelivered(string kind) => _delivered.Add(1, new KeyValuePair<string, object?>("kind", kind));

    public void NotificationFailed(string kind, bool abandoned) =>
        _deliveryFailures.Add(1, new KeyValuePair<string, object?>("kind", kind), new KeyValuePair<string, object?>("abandoned", abandoned));

    public void CircuitOpened() => _circuits.Add(1);

    public void CircuitClosed() => _circuits.Add(-1);

    private double RollupLag()
    {
        var since = Interlocked.Read(ref _rollupsUnwrittenSince);
        return since == 0 ? 0 : Math.Max(0, (_time.GetUtcNow().ToUnixTimeMilliseconds() - since) / 1000.0);
    }

    // Nothing until the first delivery run has counted: a 0 before it would claim an empty outbox.
    private IEnumerable<Measurement<long>> OutboxDepth() =>
        Interlocked.Read(ref _outboxDepth) is var depth and >= 0 ? [new Measurement<long>(depth)] : [];

    private static IEnumerable<Measurement<int>> OpenBySeverity(OpenIncidents incidents)
    {
        var counts = new int[Enum.GetValues<Severity>().Length];
        foreach (var incident in incidents.All) counts[(int)incident.Severity]++;
        // Every severity, zeros included, so an alert on one severity sees 0 rather than no series.
        for (var s = 0; s < counts.Length; s++)
            yield return new Measurement<int>(counts[s], new KeyValuePair<string, object?>("severity", Causes.Name((Severity)s)));
    }

    private static InstrumentAdvice<double> Seconds(double[] bounds) => new() { HistogramBucketBoundaries = bounds };

    public void Dispose()
    {
        ActivitySource.Dispose();
        _meter.Dispose();
    }
}
