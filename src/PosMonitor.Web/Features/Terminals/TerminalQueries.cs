using Dapper;
using PosMonitor.Core.Rollups;
using PosMonitor.Web.Infrastructure.Data;

namespace PosMonitor.Web.Features.Terminals;

/// <summary>A firmware version a terminal reported, and when (from heartbeats).</summary>
public sealed record FirmwareChangeRow
{
    public string TerminalId { get; init; } = "";
    public long At { get; init; }
    public string? FromVersion { get; init; }
    public string ToVersion { get; init; } = "";
    public DateTimeOffset AtTime => DbTime.FromMs(At);
}

/// <summary>Reads for the terminal page that the rollup queries do not cover.</summary>
public sealed class TerminalQueries(Db db)
{
    /// <summary>The terminal's firmware changes, newest first.</summary>
    public async Task<IReadOnlyList<FirmwareChangeRow>> FirmwareHistoryAsync(string terminalId, int limit, CancellationToken ct)
    {
        await using var c = await db.OpenAsync(ct);
        var rows = await c.QueryAsync<FirmwareChangeRow>(new CommandDefinition(db.Sql(SelectFirmware),
            new { TerminalId = terminalId, Limit = limit }, cancellationToken: ct));
        return rows.AsList();
    }

    /// <summary>
    /// The terminal's printer and scanner episodes of the last <see cref="DeviceHistory.Window"/> up to <paramref name="now"/>,
    /// from its rollups and <paramref name="state"/> (its latest heartbeat names the current state).
    /// </summary>
    public async Task<DeviceHistory> DeviceHistoryAsync(string terminalId, TerminalState? state, DateTimeOffset now, CancellationToken ct)
    {
        var to = TerminalMinute.MinuteOf(now).AddMinutes(1);
        var from = to - DeviceHistory.Window;
        await using var c = await db.OpenAsync(ct);
        var rows = await c.QueryAsync<DeviceMinuteRow>(new CommandDefinition(db.Sql(SelectDeviceMinutes),
            new { TerminalId = terminalId, From = DbTime.ToMs(from), To = DbTime.ToMs(to) }, cancellationToken: ct));
        return DeviceHistory.Build([.. rows.Select(r => r.ToMinute())], state, from);
    }

    // Settable properties: the counters are INTEGER in SQLite and INT in SQL Server; Dapper converts either.
    private sealed class DeviceMinuteRow
    {
        public long Minute { get; set; }
        public long Heartbeats { get; set; }
        public long PrinterFaults { get; set; }
        public long ScannerFaults { get; set; }

        public DeviceMinute ToMinute() => new(DbTime.FromMs(Minute), (int)Heartbeats, (int)PrinterFaults, (int)ScannerFaults);
    }

    // Minutes with heartbeats only (the rest say nothing of the devices), by the (terminal_id, minute) index.
    private static readonly SqlText SelectDeviceMinutes = SqlText.Same(
        """
        SELECT minute AS Minute, heartbeats AS Heartbeats, printer_faults AS PrinterFaults, scanner_faults AS ScannerFaults
        FROM terminal_minutes
        WHERE terminal_id = @TerminalId AND minute >= @From AND minute < @To AND heartbeats > 0
        ORDER BY minute;
        """);

    private static readonly SqlText SelectFirmware = new(
        """
        SELECT terminal_id AS TerminalId, at AS At, from_version AS FromVersion, to_version AS ToVersion
        FROM firmware_changes WHERE terminal_id = @TerminalId ORDER BY at DESC LIMIT @Limit;
        """,
        """
        SELECT TOP (@Limit) terminal_id AS TerminalId, at AS At, from_version AS FromVersion, to_version AS ToVersion
        FROM firmware_changes WHERE terminal_id = @TerminalId ORDER BY at DESC;
        """);
}
