using Dapper;
using PosMonitor.Core.Rollups;
using PosMonitor.Web.Infrastructure.Data;

namespace PosMonitor.Web.Features.Telemetry;

/// <summary>Reads the per-minute rollups: what the heatmap, detection and merchant views use instead of raw events.</summary>
public sealed class RollupQueries(Db db)
{
    /// <summary>Every terminal's minutes in [from, to).</summary>
    public async Task<IReadOnlyList<TerminalMinute>> MinutesAsync(DateTimeOffset from, DateTimeOffset to, CancellationToken ct)
    {
        await using var c = await db.OpenAsync(ct);
        await using var reader = await c.ExecuteReaderAsync(new CommandDefinition(db.Sql(SelectWindow),
            new { From = DbTime.ToMs(from), To = DbTime.ToMs(to) }, cancellationToken: ct));
        var result = new List<TerminalMinute>();
        while (await reader.ReadAsync(ct)) result.Add(RollupColumns.Read(reader));
        return result;
    }

    /// <summary>One terminal's minutes in [from, to), oldest first.</summary>
    public async Task<IReadOnlyList<TerminalMinute>> TerminalMinutesAsync(string terminalId, DateTimeOffset from, DateTimeOffset to, CancellationToken ct)
    {
        await using var c = await db.OpenAsync(ct);
        await using var reader = await c.ExecuteReaderAsync(new CommandDefinition(db.Sql(SelectTerminalWindow),
            new { TerminalId = terminalId, From = DbTime.ToMs(from), To = DbTime.ToMs(to) }, cancellationToken: ct));
        var result = new List<TerminalMinute>();
        while (await reader.ReadAsync(ct)) result.Add(RollupColumns.Read(reader));
        return result;
    }

    /// <summary>
    /// Sales and timeouts per terminal and minute in [from, to), only minutes with sales: the lean
    /// read that seeds the live heatmap without loading every rollup column.
    /// </summary>
    public async Task<IReadOnlyList<MinuteCounts>> SalesAndTimeoutsAsync(DateTimeOffset from, DateTimeOffset to, CancellationToken ct)
    {
        await using var c = await db.OpenAsync(ct);
        var rows = await c.QueryAsync<MinuteCounts>(new CommandDefinition(db.Sql(SelectCounts),
            new { From = DbTime.ToMs(from), To = DbTime.ToMs(to) }, cancellationToken: ct));
        return rows.AsList();
    }

    private static readonly SqlText SelectCounts = SqlText.Same(
        """
        SELECT terminal_id AS TerminalId, minute AS MinuteMs, transactions AS Transactions, timeouts AS Timeouts
        FROM terminal_minutes WHERE minute >= @From AND minute < @To AND transactions > 0;
        """);

    private static readonly SqlText SelectWindow = SqlText.Same(
        $"SELECT {RollupColumns.SelectList("m")} FROM terminal_minutes m WHERE m.minute >= @From AND m.minute < @To;");

    private static readonly SqlText SelectTerminalWindow = SqlText.Same(
        $"""
        SELECT {RollupColumns.SelectList("m")} FROM terminal_minutes m
        WHERE m.terminal_id = @TerminalId AND m.minute >= @From AND m.minute < @To
        ORDER BY m.minute;
        """);
}

/// <summary>One terminal's sales and timeouts in one minute (epoch ms). Settable properties so Dapper converts INT and BIGINT alike.</summary>
public sealed record MinuteCounts
{
    public string TerminalId { get; init; } = "";
    public long MinuteMs { get; init; }
    public int Transactions { get; init; }
    public int Timeouts { get; init; }
}
