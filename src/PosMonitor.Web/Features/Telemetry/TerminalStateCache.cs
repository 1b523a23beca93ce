using System.Collections.Concurrent;
using Dapper;
using PosMonitor.Core.Rollups;
using PosMonitor.Core.Telemetry;
using PosMonitor.Web.Infrastructure.Data;

namespace PosMonitor.Web.Features.Telemetry;

/// <summary>
/// The latest state of every terminal, in memory: the writer needs the previous heartbeat of each
/// terminal (restarts, firmware changes) without a read per event. Updated only after a commit.
/// </summary>
public sealed class TerminalStateCache(Db db)
{
    private readonly ConcurrentDictionary<string, TerminalState> _states = new(StringComparer.Ordinal);

    public TerminalState? Get(string terminalId) => _states.TryGetValue(terminalId, out var s) ? s : null;

    public IReadOnlyCollection<TerminalState> All => (IReadOnlyCollection<TerminalState>)_states.Values;

    /// <summary>The states by terminal id, live (not a copy): enumerating it sees each terminal once, at its state then.</summary>
    public IReadOnlyDictionary<string, TerminalState> ByTerminal => _states;

    public void Apply(IEnumerable<TerminalState> states)
    {
        foreach (var s in states) _states[s.TerminalId] = s;
    }

    /// <summary>
    /// Takes from the database each state newer than the one held here: with several nodes, those another node wrote
    /// while this one did not hear from it (PosMonitor:Cluster). Newer only, so this node's own, not yet written, stay.
    /// </summary>
    public async Task LoadNewerAsync(CancellationToken ct)
    {
        await using var c = await db.OpenAsync(ct);
        var rows = await c.QueryAsync<StateRow>(new CommandDefinition(db.Sql(SelectAll), cancellationToken: ct));
        Apply(rows.Select(r => r.ToState()).Where(s => Get(s.TerminalId) is not { } known || s.LastSeenAt > known.LastSeenAt));
    }

    public async Task LoadAsync(CancellationToken ct)
    {
        await using var c = await db.OpenAsync(ct);
        var rows = await c.QueryAsync<StateRow>(new CommandDefinition(db.Sql(SelectAll), cancellationToken: ct));
        _states.Clear();
        Apply(rows.Select(r => r.ToState()));
    }

    internal sealed record StateRow(
        string TerminalId, long? LastSeenAt, long? LastHeartbeatAt, long? LastTransactionAt, string? NetworkType,
        long? SignalDbm, long? LatencyMs, double? PacketLossPct, string? Firmware, long? FirmwareSince, long? UptimeSec,
        long? BatteryPct, long? CpuPct, long? MemoryPct, string? Printer, string? Scanner, long? PendingOffline)
    {
        public TerminalState ToState() => new()
        {
            TerminalId = TerminalId,
            LastSeenAt = DbTime.FromMs(LastSeenAt),
            LastHeartbeatAt = DbTime.FromMs(LastHeartbeatAt),
            LastTransactionAt = DbTime.FromMs(LastTransactionAt),
            NetworkType = Wire.TryParse(NetworkType, out NetworkType n) ? n : null,
            SignalDbm = (int?)SignalDbm,
            LatencyMs = (int?)LatencyMs,
            PacketLossPct = PacketLossPct,
            Firmware = Firmware,
            FirmwareSince = DbTime.FromMs(FirmwareSince),
            UptimeSec = UptimeSec,
            BatteryPct = (int?)BatteryPct,
            CpuPct = (int?)CpuPct,
            MemoryPct = (int?)MemoryPct,
            Printer = Wire.TryParse(Printer, out PrinterStatus p) ? p : null,
            Scanner = Wire.TryParse(Scanner, out ScannerStatus s) ? s : null,
            PendingOffline = (int?)PendingOffline,
        };
    }

    internal const string Columns =
        """
        terminal_id AS TerminalId, last_seen_at AS LastSeenAt, last_heartbeat_at AS LastHeartbeatAt,
        last_transaction_at AS LastTransactionAt, network_type AS NetworkType, signal_dbm AS SignalDbm,
        latency_ms AS LatencyMs, packet_loss_pct AS PacketLossPct, firmware AS Firmware, firmware_since AS FirmwareSince,
        uptime_sec AS UptimeSec, battery_pct AS BatteryPct, cpu_pct AS CpuPct, memory_pct AS MemoryPct,
        printer AS Printer, scanner AS Scanner, pending_offline AS PendingOffline
        """;

    private static readonly SqlText SelectAll = SqlText.Same($"SELECT {Columns} FROM terminal_states;");
}
