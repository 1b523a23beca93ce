using System.ComponentModel.DataAnnotations;

namespace PosMonitor.Web.Features.Telemetry;

/// <summary>Settings under <c>PosMonitor:Ingestion</c>.</summary>
public sealed class IngestionOptions
{
    public const string Section = "PosMonitor:Ingestion";

    /// <summary>Events waiting for the writer before the API answers 503 + Retry-After.</summary>
    [Range(1, int.MaxValue)]
    public int QueueCapacityEvents { get; set; } = 200_000;

    /// <summary>Most events committed in one transaction (group commit of several requests).</summary>
    [Range(1, 1_000_000)]
    public int MaxEventsPerCommit { get; set; } = 25_000;

    /// <summary>
    /// How far behind the clock (by event timestamp) duplicate keys stay in memory before they move
    /// to the event_keys table. Longer keeps more memory; shorter sends more of a fleet's slightly
    /// late events to the table lookup. Either way every duplicate is found.
    /// </summary>
    [Range(1, 86_400)]
    public int DedupWindowSeconds { get; set; } = 90;

    /// <summary>How often rollups and terminal states of committed events are written (they lag raw events by at most this).</summary>
    [Range(0, 600_000)]
    public int RollupFlushMilliseconds { get; set; } = 5000;

    /// <summary>Requests per second one API key may send before 429 + Retry-After.</summary>
    [Range(1, 1_000_000)]
    public int RequestsPerSecondPerKey { get; set; } = 200;

    /// <summary>Retry-After, in seconds, on 429 and 503.</summary>
    [Range(1, 3600)]
    public int RetryAfterSeconds { get; set; } = 1;

    /// <summary>Days raw heartbeats and transactions are kept.</summary>
    [Range(1, 36_500)]
    public int RawRetentionDays { get; set; } = 7;

    /// <summary>Days per-minute rollups are kept (they feed baselines, history and reports).</summary>
    [Range(1, 36_500)]
    public int RollupRetentionDays { get; set; } = 90;

    /// <summary>A terminal with no heartbeat or sale for this long counts as offline.</summary>
    [Range(1, 86_400)]
    public int OfflineAfterSeconds { get; set; } = 180;
}
