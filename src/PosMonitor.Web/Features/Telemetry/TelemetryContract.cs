namespace PosMonitor.Web.Features.Telemetry;

// The body of POST /api/v1/telemetry as the OpenAPI document shows it. The endpoint reads the raw bytes itself (its
// parser checks every field, card data included, and names each rejected event), so these records only describe the
// wire shape (src/PosMonitor.Web/Features/Telemetry/telemetry-api.md); nothing deserializes into them.

/// <summary>A batch of at most 5,000 events, 4 MiB.</summary>
public sealed record TelemetryRequest(IReadOnlyList<HeartbeatWire>? Heartbeats, IReadOnlyList<TransactionWire>? Transactions);

/// <param name="Timestamp">When the terminal took the reading, ISO-8601 UTC ending in Z.</param>
/// <param name="Printer">ok, paper_out, jam, offline, error or absent.</param>
/// <param name="Scanner">ok, error or absent.</param>
public sealed record HeartbeatWire(string EventId, string TerminalId, DateTimeOffset Timestamp, NetworkWire Network, string Firmware,
    long UptimeSec, int? BatteryPct, int? CpuPct, int? MemoryPct, string Printer, string Scanner, int PendingOffline);

/// <param name="Type">wifi, cellular or ethernet.</param>
public sealed record NetworkWire(string Type, int? SignalDbm, int LatencyMs, double PacketLossPct);

/// <param name="Outcome">approved, declined, timeout, error or cancelled.</param>
/// <param name="Stage">input, connect, send, host, gateway, print, notify or app; required for timeout and error.</param>
/// <param name="StageMs">Time spent per stage, by stage name.</param>
public sealed record TransactionWire(string EventId, string TerminalId, DateTimeOffset Timestamp, string? Gateway, string Outcome, string? Stage,
    int LatencyMs, IReadOnlyDictionary<string, int>? StageMs, string? ErrorCode, long? AmountMinor, string? Currency);
