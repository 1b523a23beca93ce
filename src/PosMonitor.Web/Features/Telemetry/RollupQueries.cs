using System.Data.Common;
using System.Runtime.CompilerServices;
using Dapper;
using Microsoft.Data.Sqlite;
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

    /// <summary>
    /// Every terminal's minutes in [from, to), as they are read: a start-up at 200,000 terminals reads millions of rows
    /// (detection's lookback), which held as one list first were over a gigabyte of objects alive at once.
    /// </summary>
    public async IAsyncEnumerable<TerminalMinute> StreamMinutesAsync(DateTimeOffset from, DateTimeOffset to, [EnumeratorCancellation] CancellationToken ct)
    {
        await using var c = await db.OpenAsync(ct);
        using var reader = RowReader.Open(c, db.Sql(SelectWindow), [("From", DbTime.ToMs(from)), ("To", DbTime.ToMs(to))]);
        while (reader.Read())
        {
            ct.ThrowIfCancellationRequested();
            yield return RollupColumns.Read(reader);
        }
    }

    /// <summary>
    /// A read of the rollups frozen as they are now, for reading history after start-up without counting twice what
    /// the feed delivers meanwhile; null where the database cannot hold a read still (SQL Server: read before ready).
    /// </summary>
    public async Task<RollupSnapshot?> SnapshotAsync(CancellationToken ct)
    {
        if (db.Provider != DatabaseProvider.Sqlite) return null;
        var c = await db.OpenAsync(ct);
        try
        {
            // Deferred: a read transaction, which in WAL mode sees the database as of its first read, whatever commits
            // after (an immediate one would take the write lock). The first read is here, so the snapshot is of now.
            var tx = ((SqliteConnection)c).BeginTransaction(deferred: true);
            await c.ExecuteScalarAsync<long>(new CommandDefinition(db.Sql(Pin), transaction: tx, cancellationToken: ct));
            return new RollupSnapshot(db, c, tx);
        }
        catch
        {
            await c.DisposeAsync();
            throw;
        }
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
        return await SalesAndTimeoutsAsync(db, c, null, from, to, ct);
    }

    internal static async Task<IReadOnlyList<MinuteCounts>> SalesAndTimeoutsAsync(Db db, DbConnection c, DbTransaction? tx, DateTimeOffset from, DateTimeOffset to, CancellationToken ct)
    {
        var rows = await c.QueryAsync<MinuteCounts>(new CommandDefinition(db.Sql(SelectCounts),
            new { From = DbTime.ToMs(from), To = DbTime.ToMs(to) }, tx, cancellationToken: ct));
        return rows.AsList();
    }

    private static readonly SqlText Pin = SqlText.Same("SELECT received_at FROM rollup_watermark WHERE id = 1;");

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

/// <summary>The rollups as they were when <see cref="RollupQueries.SnapshotAsync"/> was called, until disposed.</summary>
/// <remarks>Held open, it keeps SQLite's checkpoints from reusing the WAL behind it: keep it for a start-up's history only.</remarks>
public sealed class RollupSnapshot(Db db, DbConnection connection, DbTransaction transaction) : IAsyncDisposable
{
    /// <summary>As <see cref="RollupQueries.SalesAndTimeoutsAsync(DateTimeOffset, DateTimeOffset, CancellationToken)"/>, of the snapshot.</summary>
    public Task<IReadOnlyList<MinuteCounts>> SalesAndTimeoutsAsync(DateTimeOffset from, DateTimeOffset to, CancellationToken ct) =>
        RollupQueries.SalesAndTimeoutsAsync(db, connection, transaction, from, to, ct);

    public async ValueTask DisposeAsync()
    {
        await transaction.DisposeAsync();
        await connection.DisposeAsync();
    }
}

/// <summary>One terminal's sales and timeouts in one minute (epoch ms). Settable properties so Dapper converts INT and BIGINT alike.</summary>
public sealed record MinuteCounts
{
    public string TerminalId { get; init; } = "";
    public long MinuteMs { get; init; }
    public int Transactions { get; init; }
    public int Timeouts { get; init; }
}
