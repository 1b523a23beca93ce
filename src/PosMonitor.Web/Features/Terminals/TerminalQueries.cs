using Dapper;
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
