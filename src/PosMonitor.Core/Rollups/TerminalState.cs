using PosMonitor.Core.Telemetry;

namespace PosMonitor.Core.Rollups;

/// <summary>
/// The latest known state of one terminal: when it was last seen (a heartbeat or a sale) and the
/// figures of its newest heartbeat. Out-of-order events never roll the state back.
/// </summary>
public sealed record TerminalState
{
    public required string TerminalId { get; init; }
    /// <summary>Newest heartbeat or transaction timestamp, leaving out sales that failed to connect (made off the air).</summary>
    public DateTimeOffset? LastSeenAt { get; init; }
    public DateTimeOffset? LastHeartbeatAt { get; init; }
    public DateTimeOffset? LastTransactionAt { get; init; }
    public NetworkType? NetworkType { get; init; }
    public int? SignalDbm { get; init; }
    public int? LatencyMs { get; init; }
    public double? PacketLossPct { get; init; }
    public string? Firmware { get; init; }
    /// <summary>When the current firmware was first reported.</summary>
    public DateTimeOffset? FirmwareSince { get; init; }
    public long? UptimeSec { get; init; }
    public int? BatteryPct { get; init; }
    public int? CpuPct { get; init; }
    public int? MemoryPct { get; init; }
    public PrinterStatus? Printer { get; init; }
    public ScannerStatus? Scanner { get; init; }
    public int? PendingOffline { get; init; }

    /// <summary>Online when a heartbeat or sale arrived within <paramref name="offlineAfter"/>.</summary>
    public bool IsOnline(DateTimeOffset now, TimeSpan offlineAfter) =>
        LastSeenAt is { } seen && now - seen <= offlineAfter;
}

/// <summary>A terminal reported a firmware different from the one before: a rollout reached it.</summary>
public sealed record FirmwareChange(string TerminalId, DateTimeOffset At, string? From, string To);
