using System.Data.Common;
using Dapper;
using PosMonitor.Core.Rollups;
using PosMonitor.Core.Telemetry;
using PosMonitor.Web.Infrastructure.Cluster;
using PosMonitor.Web.Infrastructure.Data;

namespace PosMonitor.Web.Features.Telemetry;

/// <summary>
/// A writer's run whose rollups may not all be written (migration 0015): the node it ran on, and the flush it had
/// started and not finished, if any: rows up to (<paramref name="FlushMinute"/>, <paramref name="FlushTerminal"/>) hold
/// its events up to <paramref name="FlushThrough"/>. <paramref name="HasRow"/> is false for commits whose holder row is
/// gone (adopted while one of its commits was still being written).
/// </summary>
public sealed record RollupHolder(string Holder, string Node, DateTimeOffset RegisteredAt, long FlushThrough, long? FlushMinute, string? FlushTerminal, bool HasRow)
{
    /// <summary>The commits past the single watermark of before migration 0015; rows written ahead of it are told by their folded_to.</summary>
    public const string BeforePerNodeRollups = "before-0015";
}

/// <summary>The raw events of a holder's commits not in the rollups, oldest commit first; <see cref="Through"/> is the newest commit among them.</summary>
public sealed record PendingEvents(List<(long ReceivedAt, Heartbeat Event)> Heartbeats, List<(long ReceivedAt, Transaction Event)> Transactions, int Commits, long Through);

/// <summary>Thrown in a commit or flush of a holder whose rollups another node (or this node's next start) adopted: the transaction rolls back.</summary>
public sealed class RollupsAdoptedException(string holder)
    : InvalidOperationException($"The unwritten rollups of {holder} were adopted by another node; this writer drops them and goes on as a new holder")
{
    public string Holder { get; } = holder;
}

public sealed partial class TelemetryStore
{
    private readonly string _node = (cluster?.Value ?? new ClusterOptions()).ResolvedNodeName;
    private string _holder = "";
    private bool _holderRegistered;

    /// <summary>This writer's holder: registered with its first commit or flush.</summary>
    public string Holder
    {
        get
        {
            if (Volatile.Read(ref _holder).Length == 0) Interlocked.CompareExchange(ref _holder, $"{_node}/{Guid.NewGuid():N}", "");
            return Volatile.Read(ref _holder);
        }
    }

    /// <summary>The node this store writes for.</summary>
    public string Node => _node;

    /// <summary>Whether a writer starting here adopts <paramref name="holder"/>: a single node every earlier run, a cluster node its own.</summary>
    public bool AdoptsAtStart(RollupHolder holder) => !_sharedDatabase || holder.Node == _node;

    /// <summary>After <see cref="RollupsAdoptedException"/>: later commits belong to a holder of their own.</summary>
    public void RenewHolder()
    {
        _holder = "";
        _holderRegistered = false;
    }

    private void Registered() => _holderRegistered = true;

    /// <returns>True when this transaction registers the holder.</returns>
    private bool Register(DbConnection c, DbTransaction tx)
    {
        if (_holderRegistered) return false;
        c.Execute(new CommandDefinition(db.Sql(InsertHolder), new { Holder, Node = _node, Now = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds() }, tx));
        return true;
    }

    /// <summary>Names this holder as the one whose rollups of commit <paramref name="stamp"/> are not written yet.</summary>
    private bool HoldCommit(DbConnection c, DbTransaction tx, long stamp)
    {
        var registers = Register(c, tx);
        if (c.Execute(new CommandDefinition(db.Sql(InsertPending), new { ReceivedAt = stamp, Holder }, tx)) == 0)
            throw new RollupsAdoptedException(Holder);
        return registers;
    }

    /// <summary>
    /// Records how far a flush has got (its rows go in key order, so the greatest key written says which), or at its
    /// end that its commits are written; either way checks that the holder was not adopted meanwhile.
    /// </summary>
    private bool HoldFlush(DbConnection c, DbTransaction tx, RollupChunk chunk)
    {
        var registers = Register(c, tx);
        int changed;
        if (chunk.Completes)
        {
            changed = c.Execute(new CommandDefinition(db.Sql(ClearFlush), new { Holder }, tx));
            c.Execute(new CommandDefinition(db.Sql(DeletePending), new { Holder, Through = chunk.FoldedTo }, tx));
        }
        else
        {
            var last = chunk.Minutes.MaxBy(m => m, FlushOrder.Instance)!;
            changed = c.Execute(new CommandDefinition(db.Sql(UpdateFlush),
                new { Holder, Through = chunk.FoldedTo, Minute = DbTime.ToMs(last.Minute), Terminal = last.TerminalId }, tx));
        }
        if (changed == 0) throw new RollupsAdoptedException(Holder);
        return registers;
    }

    /// <summary>Every holder with a row, and the holders of commits left without one.</summary>
    public async Task<IReadOnlyList<RollupHolder>> HoldersAsync(CancellationToken ct)
    {
        await using var c = await db.OpenAsync(ct);
        var rows = await c.QueryAsync<HolderRow>(new CommandDefinition(db.Sql(SelectHolders), cancellationToken: ct));
        var withoutRow = await c.QueryAsync<string>(new CommandDefinition(db.Sql(SelectHoldersWithoutRow), cancellationToken: ct));
        return [.. rows.Select(r => new RollupHolder(r.Holder, r.Node, DbTime.FromMs(r.RegisteredAt), r.FlushThrough, r.FlushMinute, r.FlushTerminal, HasRow: true)),
            .. withoutRow.Select(h => new RollupHolder(h, "", DateTimeOffset.UnixEpoch, 0, null, null, HasRow: false))];
    }

    /// <summary>The raw events of the commits <paramref name="holder"/> has not written the rollups of.</summary>
    public async Task<PendingEvents> PendingAsync(string holder, CancellationToken ct)
    {
        await using var c = await db.OpenAsync(ct);
        var stamps = (await c.QueryAsync<long>(new CommandDefinition(db.Sql(SelectPending), new { Holder = holder }, cancellationToken: ct))).ToList();
        if (stamps.Count == 0) return new PendingEvents([], [], 0, 0);
        var args = new { Holder = holder, Through = stamps.Max() };
        var heartbeats = await c.QueryAsync<HeartbeatRow>(new CommandDefinition(db.Sql(SelectPendingHeartbeats), args, cancellationToken: ct));
        var transactions = await c.QueryAsync<TransactionRow>(new CommandDefinition(db.Sql(SelectPendingTransactions), args, cancellationToken: ct));
        return new PendingEvents([.. heartbeats.Select(h => (h.ReceivedAt, h.ToEvent()))], [.. transactions.Select(t => (t.ReceivedAt, t.ToEvent()))],
            stamps.Count, args.Through);
    }

    /// <summary>
    /// Writes the rollups folded from <paramref name="pending"/>, the events <paramref name="holder"/> left unwritten, and
    /// deletes its commits and its row, in one transaction; false (nothing written) when another node adopted it first or
    /// the holder wrote more of its flush since it was read.
    /// </summary>
    public async Task<bool> AdoptAsync(RollupHolder holder, PendingEvents pending, RollupDelta delta, CancellationToken ct)
    {
        try
        {
            await db.WriteAsync((c, tx) =>
            {
                var args = new
                {
                    holder.Holder, holder.FlushThrough, FlushMinute = holder.FlushMinute ?? -1, FlushTerminal = holder.FlushTerminal ?? "",
                    pending.Through,
                };
                if (holder.HasRow && c.Execute(new CommandDefinition(db.Sql(DeleteHolder), args, tx)) == 0) throw new AdoptionLost();
                if (pending.Commits > 0 && c.Execute(new CommandDefinition(db.Sql(DeletePending), args, tx)) != pending.Commits) throw new AdoptionLost();
                WriteRows(c, tx, new RollupChunk([.. delta.Minutes.Values], [.. delta.States.Values], delta.FirmwareChanges, pending.Through, Completes: true));
                return Task.CompletedTask;
            }, ct);
            return true;
        }
        catch (AdoptionLost)
        {
            return false;
        }
    }

    private sealed class AdoptionLost : Exception;

    /// <summary>The order a flush writes its rows in, so the greatest key written tells which rows hold its events.</summary>
    public sealed class FlushOrder : IComparer<TerminalMinute>
    {
        public static readonly FlushOrder Instance = new();

        public int Compare(TerminalMinute? x, TerminalMinute? y) =>
            x!.Minute != y!.Minute ? x.Minute.CompareTo(y.Minute) : string.CompareOrdinal(x.TerminalId, y.TerminalId);

        /// <summary>Whether the row of (<paramref name="terminal"/>, <paramref name="minute"/>) comes at or before the key written last.</summary>
        public static bool UpTo(string terminal, long minute, long lastMinute, string lastTerminal) =>
            minute != lastMinute ? minute < lastMinute : string.CompareOrdinal(terminal, lastTerminal) <= 0;
    }

    private sealed record HolderRow(string Holder, string Node, long RegisteredAt, long FlushThrough, long? FlushMinute, string? FlushTerminal);

    private static readonly SqlText InsertHolder = SqlText.Same(
        "INSERT INTO rollup_holders (holder, node, registered_at) VALUES (@Holder, @Node, @Now);");

    // The holder row is read under lock on SQL Server, so a commit cannot slip in while another node adopts the holder.
    private static readonly SqlText InsertPending = new(
        "INSERT INTO rollup_pending (received_at, holder) SELECT @ReceivedAt, @Holder WHERE EXISTS (SELECT 1 FROM rollup_holders WHERE holder = @Holder);",
        "INSERT INTO rollup_pending (received_at, holder) SELECT @ReceivedAt, @Holder WHERE EXISTS (SELECT 1 FROM rollup_holders WITH (UPDLOCK, HOLDLOCK) WHERE holder = @Holder);");

    private static readonly SqlText UpdateFlush = SqlText.Same(
        "UPDATE rollup_holders SET flush_through = @Through, flush_minute = @Minute, flush_terminal = @Terminal WHERE holder = @Holder;");

    private static readonly SqlText ClearFlush = SqlText.Same(
        "UPDATE rollup_holders SET flush_through = 0, flush_minute = NULL, flush_terminal = NULL WHERE holder = @Holder;");

    private static readonly SqlText DeletePending = SqlText.Same(
        "DELETE FROM rollup_pending WHERE holder = @Holder AND received_at <= @Through;");

    // Only while the flush under way is where it was read: a chunk written since would be counted twice.
    private static readonly SqlText DeleteHolder = SqlText.Same(
        """
        DELETE FROM rollup_holders
        WHERE holder = @Holder AND flush_through = @FlushThrough
          AND COALESCE(flush_minute, -1) = @FlushMinute AND COALESCE(flush_terminal, '') = @FlushTerminal;
        """);

    private static readonly SqlText SelectHolders = SqlText.Same(
        """
        SELECT holder AS Holder, node AS Node, registered_at AS RegisteredAt, flush_through AS FlushThrough,
               flush_minute AS FlushMinute, flush_terminal AS FlushTerminal
        FROM rollup_holders;
        """);

    private static readonly SqlText SelectHoldersWithoutRow = SqlText.Same(
        "SELECT DISTINCT p.holder FROM rollup_pending p WHERE NOT EXISTS (SELECT 1 FROM rollup_holders h WHERE h.holder = p.holder);");

    private static readonly SqlText SelectPending = SqlText.Same(
        "SELECT received_at FROM rollup_pending WHERE holder = @Holder ORDER BY received_at;");

    private static readonly SqlText SelectPendingHeartbeats = SqlText.Same(
        """
        SELECT ts AS Ts, event_id AS EventId, terminal_id AS TerminalId, received_at AS ReceivedAt, network_type AS NetworkType,
               signal_dbm AS SignalDbm, latency_ms AS LatencyMs, packet_loss_pct AS PacketLossPct, firmware AS Firmware,
               uptime_sec AS UptimeSec, battery_pct AS BatteryPct, cpu_pct AS CpuPct, memory_pct AS MemoryPct,
               printer AS Printer, scanner AS Scanner, pending_offline AS PendingOffline
        FROM heartbeats
        WHERE received_at IN (SELECT received_at FROM rollup_pending WHERE holder = @Holder AND received_at <= @Through)
        ORDER BY received_at, seq;
        """);

    private static readonly SqlText SelectPendingTransactions = SqlText.Same(
        """
        SELECT ts AS Ts, event_id AS EventId, terminal_id AS TerminalId, received_at AS ReceivedAt, gateway_id AS GatewayId,
               outcome AS Outcome, stage AS Stage, latency_ms AS LatencyMs, stage_ms AS StageMs, error_code AS ErrorCode,
               amount_minor AS AmountMinor, currency AS Currency
        FROM transactions
        WHERE received_at IN (SELECT received_at FROM rollup_pending WHERE holder = @Holder AND received_at <= @Through)
        ORDER BY received_at, seq;
        """);
}
