using Dapper;

namespace PosMonitor.Web.Infrastructure.Data;

/// <summary>
/// Copies SQLite's write-ahead log back into the database file every second, on its own
/// connection and thread. SQLite would otherwise do it inside whichever commit crosses 1,000 log
/// pages, and that commit is usually the ingestion writer's: the copy and its fsync would stall
/// every request waiting for a 202. Connections turn the automatic checkpoint off
/// (<see cref="Db"/>); a PASSIVE checkpoint never blocks the writer or readers. The same tick
/// checks the database file (<see cref="SqliteFileGuard"/>), so a lost or unwritable file is
/// noticed, and its recovery found, within a second even when nothing writes.
/// </summary>
public sealed class SqliteCheckpointer(Db db, TimeProvider time, ILogger<SqliteCheckpointer> logger) : BackgroundService
{
    public const int AutoCheckpointPages = 1_000_000;

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (db.Provider != DatabaseProvider.Sqlite) return;
        using var timer = new PeriodicTimer(TimeSpan.FromSeconds(1), time);
        while (await timer.WaitForNextTickAsync(stoppingToken).ConfigureAwait(false))
        {
            try
            {
                await db.CheckAsync(stoppingToken);
                if (db.Problem is not null) continue;
                await using var connection = await db.OpenAsync(stoppingToken);
                await connection.ExecuteAsync(new CommandDefinition("PRAGMA wal_checkpoint(PASSIVE);", cancellationToken: stoppingToken));
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                logger.LogWarning(e, "SQLite checkpoint failed; retrying in a second");
            }
        }
    }
}
