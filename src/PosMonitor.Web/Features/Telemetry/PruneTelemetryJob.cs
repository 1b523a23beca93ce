using Dapper;
using Microsoft.Extensions.Options;
using PosMonitor.Web.Infrastructure.Data;
using Quartz;

namespace PosMonitor.Web.Features.Telemetry;

/// <summary>
/// Deletes raw events older than RawRetentionDays and rollups older than RollupRetentionDays,
/// one time slice per transaction so the writer is never held up for long.
/// </summary>
[DisallowConcurrentExecution]
public sealed class PruneTelemetryJob(Db db, IOptions<IngestionOptions> options, TimeProvider time, ILogger<PruneTelemetryJob> logger) : IJob
{
    private static readonly TimeSpan Slice = TimeSpan.FromMinutes(30);

    public async Task Execute(IJobExecutionContext context)
    {
        var ct = context.CancellationToken;
        var now = time.GetUtcNow();
        var raw = await PruneAsync(now - TimeSpan.FromDays(options.Value.RawRetentionDays), ct);
        var rollups = await PruneRollupsAsync(now - TimeSpan.FromDays(options.Value.RollupRetentionDays), ct);
        if (raw + rollups > 0) logger.LogInformation("Pruned {Raw} raw events and {Rollups} rollup rows", raw, rollups);
    }

    public async Task<int> PruneAsync(DateTimeOffset cutoff, CancellationToken ct)
    {
        var deleted = 0;
        foreach (var (oldest, delete) in new[] { (OldestHeartbeat, DeleteHeartbeats), (OldestTransaction, DeleteTransactions), (OldestEventKey, DeleteEventKeys) })
            deleted += await DeleteInSlices(oldest, delete, DbTime.ToMs(cutoff), ct);
        return deleted;
    }

    public async Task<int> PruneRollupsAsync(DateTimeOffset cutoff, CancellationToken ct) =>
        await DeleteInSlices(OldestMinute, DeleteMinutes, DbTime.ToMs(cutoff), ct)
        + await DeleteInSlices(OldestScopeMinute, DeleteScopeMinutes, DbTime.ToMs(cutoff), ct);

    private async Task<int> DeleteInSlices(SqlText oldest, SqlText delete, long cutoff, CancellationToken ct)
    {
        long? from;
        await using (var c = await db.OpenAsync(ct))
            from = await c.ExecuteScalarAsync<long?>(new CommandDefinition(db.Sql(oldest), cancellationToken: ct));
        var deleted = 0;
        for (var start = from ?? cutoff; start < cutoff && !ct.IsCancellationRequested; start += (long)Slice.TotalMilliseconds)
        {
            var end = Math.Min(cutoff, start + (long)Slice.TotalMilliseconds);
            deleted += await db.WriteAsync((c, tx) => c.ExecuteAsync(new CommandDefinition(db.Sql(delete),
                new { From = start, To = end }, tx, cancellationToken: ct)), ct);
        }
        return deleted;
    }

    // Raw events are stored in arrival order, so they are kept by when they arrived (for events on
    // time, the same as their timestamp) and deleted by range of key. Duplicate keys of events
    // older than the raw events kept have nothing left to protect.
    private static readonly SqlText OldestHeartbeat = SqlText.Same("SELECT MIN(received_at) FROM heartbeats;");
    private static readonly SqlText OldestTransaction = SqlText.Same("SELECT MIN(received_at) FROM transactions;");
    private static readonly SqlText OldestEventKey = SqlText.Same("SELECT MIN(minute) FROM event_keys;");
    private static readonly SqlText OldestMinute = SqlText.Same("SELECT MIN(minute) FROM terminal_minutes;");
    private static readonly SqlText DeleteHeartbeats = SqlText.Same("DELETE FROM heartbeats WHERE received_at >= @From AND received_at < @To;");
    private static readonly SqlText DeleteTransactions = SqlText.Same("DELETE FROM transactions WHERE received_at >= @From AND received_at < @To;");
    private static readonly SqlText DeleteEventKeys = SqlText.Same("DELETE FROM event_keys WHERE minute >= @From AND minute < @To;");
    private static readonly SqlText DeleteMinutes = SqlText.Same("DELETE FROM terminal_minutes WHERE minute >= @From AND minute < @To;");
    // Scope totals (migration 0016) are kept as long as the terminal rows they sum.
    private static readonly SqlText OldestScopeMinute = SqlText.Same("SELECT MIN(minute) FROM scope_minutes;");
    private static readonly SqlText DeleteScopeMinutes = SqlText.Same("DELETE FROM scope_minutes WHERE minute >= @From AND minute < @To;");
}
