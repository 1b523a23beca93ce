namespace PosMonitor.Core.Telemetry;

/// <summary>A validated heartbeat (src/PosMonitor.Web/Features/Telemetry/telemetry-api.md, "Heartbeat").</summary>
public sealed record Heartbeat
{
    public required string EventId { get; init; }
    public required string TerminalId { get; init; }
    public required DateTimeOffset Timestamp { get; init; }
    public required NetworkType NetworkType { get; init; }
    public int? SignalDbm { get; init; }
    public required int LatencyMs { get; init; }
    public required double PacketLossPct { get; init; }
    public required string Firmware { get; init; }
    public required long UptimeSec { get; init; }
    public int? BatteryPct { get; init; }
    public int? CpuPct { get; init; }
    public int? MemoryPct { get; init; }
    public required PrinterStatus Printer { get; init; }
    public required ScannerStatus Scanner { get; init; }
    public required int PendingOffline { get; init; }
}

/// <summary>A validated transaction (src/PosMonitor.Web/Features/Telemetry/telemetry-api.md, "Transaction").</summary>
public sealed record Transaction
{
    public required string EventId { get; init; }
    public required string TerminalId { get; init; }
    public required DateTimeOffset Timestamp { get; init; }
    /// <summary>Null on the wire means the terminal's own gateway; filled in at ingestion.</summary>
    public string? Gateway { get; init; }
    public required Outcome Outcome { get; init; }
    public Stage? Stage { get; init; }
    public required int LatencyMs { get; init; }
    /// <summary>Time spent per stage, indexed by <see cref="Telemetry.Stage"/>; null when not sent.</summary>
    public int[]? StageMs { get; init; }
    public string? ErrorCode { get; init; }
    public long? AmountMinor { get; init; }
    public string? Currency { get; init; }
}
