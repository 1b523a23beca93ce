using System.Data.Common;
using System.Text;
using Dapper;
using Microsoft.Data.SqlClient;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Options;
using PosMonitor.Core.Rollups;
using PosMonitor.Core.Telemetry;
using PosMonitor.Web.Features.Fleet;
using PosMonitor.Web.Infrastructure.Cluster;
using PosMonitor.Web.Infrastructure.Data;

namespace PosMonitor.Web.Features.Telemetry;

// Rows are written with synchronous calls: this runs on the single writer loop, where a Task per
// row would cost more than it frees.

/// <summary>Part of a rollup flush: rows holding every event up to commit stamp <paramref name="FoldedTo"/>; the last one completes the flush.</summary>
public sealed record RollupChunk(IReadOnlyList<TerminalMinute> Minutes, IReadOnlyList<TerminalState> States,
    IReadOnlyList<FirmwareChange> FirmwareChanges, long FoldedTo, bool Completes);

/// <summary>What one commit stored: per request its duplicates, and the new events in the order they came.</summary>
public sealed record CommitResult(int[] DuplicatesPerBatch, List<Heartbeat> Heartbeats, List<Transaction> Transactions)
{
    public int Stored => Heartbeats.Count + Transactions.Count;

    /// <summary>
    /// The rollup changes of the stored events, from the terminals' states before them. Heartbeats
    /// and sales touch different figures of a state (and sums add), so folding all heartbeats and
    /// then all sales gives what folding them interleaved would.
    /// </summary>
    public RollupDelta Fold(Func<string, TerminalState?> currentState) => Fold(new RollupAggregator(currentState));

    /// <summary>As <see cref="Fold(Func{string, TerminalState?})"/>, with an aggregator kept from commit to commit (it reuses its per-terminal state).</summary>
    public RollupDelta Fold(RollupAggregator aggregator)
    {
        foreach (var e in Heartbeats) aggregator.Add(e);
        foreach (var e in Transactions) aggregator.Add(e);
        return aggregator.TakeDelta();
    }
}

/// <summary>
/// Raw events are committed per group of requests, before the 202, in arrival order (appended at
/// the end of their table, keyed by commit stamp and position). An event is a duplicate when an
/// event with the same timestamp and eventId is already stored: recent ones are checked against
/// <see cref="RecentEventKeys"/> in memory, older ones against <c>event_keys</c> (migration 0008
/// explains why). Rollups and states derived from new events are flushed separately
/// (<see cref="FlushAsync"/>); until then <c>rollup_pending</c> names the writer holding them
/// (<see cref="HoldersAsync"/>, <see cref="PendingAsync"/>), so a commit costs one appended row per
/// event and one per commit.
/// </summary>
/// <remarks>
/// Only the ingestion writer calls <see cref="CommitAsync"/> and <see cref="FlushAsync"/>: one writer per node. With
/// several nodes on one database (PosMonitor:Cluster) the keys in memory know only this node's events, so every event
/// they do not hold claims its key in <c>event_keys</c> inside the commit: the database decides, and an event stored
/// by another node is a duplicate here too. Two nodes committing together may collide (the same commit stamp, or the
/// same new event): the loser's transaction rolls back whole and <see cref="IsConflict"/> tells the writer to retry.
/// </remarks>
/// <param name="fleet">Where each terminal's region, gateway and firmware are looked up for <c>scope_minutes</c>; the portal always has one, and
/// only tests of the store alone leave it out (they write no scope totals).</param>
public sealed partial class TelemetryStore(Db db, RecentEventKeys recent, IOptions<ClusterOptions>? cluster = null, FleetCache? fleet = null)
{
    private readonly bool _sharedDatabase = cluster?.Value.Enabled == true;

    /// <summary>
    /// A commit lost to another node's at the same moment (a key or commit stamp taken meanwhile, or a deadlock): nothing
    /// of it was stored, and the same batches committed again find the other node's events as duplicates.
    /// </summary>
    public static bool IsConflict(Exception e) => e switch
    {
        SqliteException s => (s.SqliteErrorCode & 0xFF) == 19, // SQLITE_CONSTRAINT
        SqlException s => s.Number is 2627 or 2601 or 1205, // primary key, unique index, deadlock victim
        _ => false,
    };

    /// <param name="receivedAt">The commit stamp: strictly increasing across commits.</param>
    /// <remarks>Rollups are not folded here: the writer folds <see cref="CommitResult"/> off its own thread.</remarks>
    public async Task<CommitResult> CommitAsync(IReadOnlyList<IngestBatch> batches, long receivedAt, CancellationToken ct)
    {
        var newRecent = new List<(long Ts, (long, long) Key)>();
        var registered = false;
        var result = await db.WriteAsync((connection, tx) =>
        {
            var duplicates = new int[batches.Count];
            var heartbeats = new List<Heartbeat>();
            var transactions = new List<Transaction>();
            var seq = 0;
            var inThisCommit = new HashSet<(long, long)>();
            RowCommand? findOld = null, addOld = null;
            using var hb = RowCommand.Prepare(connection, tx, db.Sql(InsertHeartbeat), HeartbeatParameters);
            using var txn = RowCommand.Prepare(connection, tx, db.Sql(InsertTransaction), TransactionParameters);
            try
            {
                for (var b = 0; b < batches.Count; b++)
                {
                    foreach (var e in batches[b].Heartbeats)
                    {
                        if (IsDuplicate(EventKind.Heartbeat, DbTime.ToMs(e.Timestamp), e.EventId)) { duplicates[b]++; continue; }
                        BindHeartbeat(hb, e, receivedAt, ++seq);
                        hb.Execute();
                        heartbeats.Add(e);
                    }
                    foreach (var e in batches[b].Transactions)
                    {
                        if (IsDuplicate(EventKind.Transaction, DbTime.ToMs(e.Timestamp), e.EventId)) { duplicates[b]++; continue; }
                        BindTransaction(txn, e, receivedAt, ++seq);
                        txn.Execute();
                        transactions.Add(e);
                    }
                }
            }
            finally
            {
                findOld?.Dispose();
                addOld?.Dispose();
            }
            if (heartbeats.Count + transactions.Count > 0) registered |= HoldCommit(connection, tx, receivedAt);
            return Task.FromResult(new CommitResult(duplicates, heartbeats, transactions));

            bool IsDuplicate(EventKind kind, long ts, string eventId)
            {
                var key = RecentEventKeys.KeyOf(kind, ts, eventId);
                if (!inThisCommit.Add(key)) return true;
                if (recent.Covers(ts))
                {
                    if (recent.Contains(ts, key)) return true;
                    // Another node may have stored it: the table decides (its insert changes nothing when the key is there).
                    if (_sharedDatabase && !ClaimKey(ts, key)) return true;
                    newRecent.Add((ts, key));
                    // Its minute is on its way to the table and the sorted copy is taken: the table gets it now.
                    if (!_sharedDatabase && RecentEventKeys.MinuteOf(ts) <= recent.SpillingMinute) AddOld(ts, key);
                    return false;
                }
                // Older than the keys held in memory (an offline queue emptying, or a late resend): the table decides.
                findOld ??= RowCommand.Prepare(connection, tx, db.Sql(SelectEventKey), EventKeyParameters);
                SetEventKey(findOld, RecentEventKeys.MinuteOf(ts), key);
                if (findOld.Exists()) return true;
                AddOld(ts, key);
                return false;
            }

            void AddOld(long ts, (long Hi, long Lo) key) => ClaimKey(ts, key);

            bool ClaimKey(long ts, (long Hi, long Lo) key)
            {
                addOld ??= RowCommand.Prepare(connection, tx, db.Sql(InsertEventKey), EventKeyParameters);
                SetEventKey(addOld, RecentEventKeys.MinuteOf(ts), key);
                return addOld.Execute() > 0;
            }
        }, ct);
        // Only once committed: a failed commit stored nothing, and its requests are sent again.
        foreach (var (ts, key) in newRecent) recent.Add(ts, key);
        if (registered) Registered();
        return result;
    }

    /// <summary>
    /// Writes rollups, states and firmware changes folded up to <paramref name="watermark"/>, with
    /// the watermark, in one transaction; with <paramref name="spillBefore"/>, also moves the
    /// duplicate keys of minutes before it from memory to <c>event_keys</c>.
    /// </summary>
    public async Task FlushAsync(RollupDelta delta, long watermark, CancellationToken ct, long? spillBefore = null)
    {
        await WriteRollupsAsync(new RollupChunk([.. delta.Minutes.Values], [.. delta.States.Values], delta.FirmwareChanges, watermark, Completes: true), ct, spillBefore);
        // Whatever is still due moves too (recovery and tests flush once; the writer spreads it over its chunks).
        while (spillBefore is { } before && recent.NextSpill(before, SpillKeysPerChunk) is not null)
            await WriteRollupsAsync(new RollupChunk([], [], [], watermark, Completes: false), ct, spillBefore);
    }

    /// <summary>Duplicate keys moved to event_keys with each rollup chunk: a few tens of milliseconds of writing.</summary>
    public const int SpillKeysPerChunk = 20_000;

    /// <summary>True when duplicate keys of minutes before <paramref name="spillBefore"/> wait in memory to be moved.</summary>
    public bool SpillDue(long spillBefore) => recent.HasDue(spillBefore);

    /// <summary>Moves one piece of the duplicate keys due to <c>event_keys</c>, outside a rollup flush.</summary>
    public Task SpillAsync(long spillBefore, CancellationToken ct) =>
        WriteRollupsAsync(new RollupChunk([], [], [], 0, Completes: false), ct, spillBefore);

    /// <summary>
    /// Writes one chunk of a flush in its own transaction. Rows hold every event up to
    /// <see cref="RollupChunk.FoldedTo"/>, and the holder's row records the greatest key written; the
    /// chunk that completes the flush also deletes the holder's commits it covers (and spills duplicate
    /// keys), so after a crash mid-flush the holder's commits are still there and recovery tells the rows
    /// already written by that key.
    /// </summary>
    public async Task WriteRollupsAsync(RollupChunk chunk, CancellationToken ct, long? spillBefore = null)
    {
        var spill = spillBefore is { } before ? recent.NextSpill(before, SpillKeysPerChunk) : null;
        var registered = false;
        await db.WriteAsync((connection, tx) =>
        {
            // Spilling keys alone (no rows, not the end of a flush) is no part of a flush.
            if (chunk.Minutes.Count > 0 || chunk.Completes) registered = HoldFlush(connection, tx, chunk);
            if (spill is not null)
            {
                using var keys = RowCommand.Prepare(connection, tx, db.Sql(InsertEventKey), EventKeyParameters);
                foreach (var key in spill.Keys)
                {
                    SetEventKey(keys, spill.Minute, key);
                    keys.Execute();
                }
                if (spill.CompletesMinute)
                {
                    using var state = RowCommand.Prepare(connection, tx, db.Sql(UpdateSpilledBefore), ["spilled_before"]);
                    state.Set(0, spill.Minute + 60_000);
                    state.Execute();
                }
            }
            WriteRows(connection, tx, chunk);
            return Task.CompletedTask;
        }, ct);
        if (spill is not null) recent.Spilled(spill);
        if (registered) Registered();
    }

    /// <summary>The rows of a chunk, in the caller's transaction.</summary>
    private void WriteRows(DbConnection connection, DbTransaction tx, RollupChunk chunk)
    {
        if (chunk.Minutes.Count > 0)
        {
            using var minutes = RowCommand.Prepare(connection, tx, db.Sql(RollupColumns.Upsert), RollupColumns.Parameters);
            foreach (var m in chunk.Minutes)
            {
                RollupColumns.Bind(minutes, m, chunk.FoldedTo);
                minutes.Execute();
            }
            WriteScopeTotals(connection, tx, chunk.Minutes);
        }
        if (chunk.States.Count > 0)
        {
            using var states = RowCommand.Prepare(connection, tx, db.Sql(UpsertState), StateParameters);
            foreach (var s in chunk.States)
            {
                BindState(states, s);
                states.Execute();
            }
        }
        if (chunk.FirmwareChanges.Count > 0)
        {
            using var firmware = RowCommand.Prepare(connection, tx, db.Sql(InsertFirmwareChange), ["terminal_id", "at", "from_version", "to_version"]);
            foreach (var f in chunk.FirmwareChanges)
            {
                firmware.Set(0, f.TerminalId); firmware.Set(1, DbTime.ToMs(f.At)); firmware.Set(2, f.From); firmware.Set(3, f.To);
                firmware.Execute();
            }
        }
        if (chunk.Completes)
        {
            using var mark = RowCommand.Prepare(connection, tx, db.Sql(UpdateWatermark), ["received_at"]);
            mark.Set(0, chunk.FoldedTo);
            mark.Execute();
        }
    }

    /// <summary>Rollup rows written ahead of <paramref name="watermark"/> (by an unfinished flush) for minutes in a range, with how far each holds events.</summary>
    public async Task<Dictionary<(string TerminalId, long Minute), long>> FoldedAheadAsync(long watermark, long fromMinute, long toMinute, CancellationToken ct)
    {
        await using var c = await db.OpenAsync(ct);
        var rows = await c.QueryAsync<(string TerminalId, long Minute, long FoldedTo)>(new CommandDefinition(db.Sql(SelectFoldedAhead),
            new { Watermark = watermark, From = fromMinute, To = toMinute }, cancellationToken: ct));
        return rows.ToDictionary(r => (r.TerminalId, r.Minute), r => r.FoldedTo);
    }

    /// <summary>
    /// At start-up, before the first commit: where <c>event_keys</c> ends, and the keys of stored
    /// events of later minutes, reloaded from the raw events that can hold them.
    /// </summary>
    public async Task LoadRecentKeysAsync(CancellationToken ct)
    {
        await using var c = await db.OpenAsync(ct);
        var spilledBefore = await c.ExecuteScalarAsync<long>(new CommandDefinition(db.Sql(SelectSpilledBefore), cancellationToken: ct));
        recent.Reset(spilledBefore);
        // An accepted event is at most TelemetryParser.MaxFuture ahead of the clock that stamped it; a margin on top.
        var from = spilledBefore - (long)(TelemetryParser.MaxFuture + TimeSpan.FromMinutes(5)).TotalMilliseconds;
        foreach (var (kind, sql) in new[] { (EventKind.Heartbeat, SelectRecentHeartbeatKeys), (EventKind.Transaction, SelectRecentTransactionKeys) })
        {
            await using var reader = await c.ExecuteReaderAsync(new CommandDefinition(db.Sql(sql), new { From = from, SpilledBefore = spilledBefore }, cancellationToken: ct));
            while (await reader.ReadAsync(ct))
            {
                var ts = reader.GetInt64(0);
                recent.Add(ts, RecentEventKeys.KeyOf(kind, ts, reader.GetString(1)));
            }
        }
    }

    public async Task<long> WatermarkAsync(CancellationToken ct)
    {
        await using var c = await db.OpenAsync(ct);
        return await c.ExecuteScalarAsync<long>(new CommandDefinition(db.Sql(SelectWatermark), cancellationToken: ct));
    }

    /// <summary>The raw events committed (by any node) with commit stamps in [<paramref name="from"/>, <paramref name="to"/>], oldest commit first.</summary>
    public async Task<(List<(long ReceivedAt, Heartbeat Event)> Heartbeats, List<(long ReceivedAt, Transaction Event)> Transactions)> CommittedBetweenAsync(
        long from, long to, CancellationToken ct)
    {
        await using var c = await db.OpenAsync(ct);
        var args = new { From = from, To = to };
        var heartbeats = await c.QueryAsync<HeartbeatRow>(new CommandDefinition(db.Sql(SelectCommittedHeartbeats), args, cancellationToken: ct));
        var transactions = await c.QueryAsync<TransactionRow>(new CommandDefinition(db.Sql(SelectCommittedTransactions), args, cancellationToken: ct));
        return ([.. heartbeats.Select(h => (h.ReceivedAt, h.ToEvent()))], [.. transactions.Select(t => (t.ReceivedAt, t.ToEvent()))]);
    }

    private sealed record HeartbeatRow(long Ts, string EventId, string TerminalId, long ReceivedAt, string NetworkType, long? SignalDbm,
        long LatencyMs, double PacketLossPct, string Firmware, long UptimeSec, long? BatteryPct, long? CpuPct, long? MemoryPct,
        string Printer, string Scanner, long PendingOffline)
    {
        public Heartbeat ToEvent() => new()
        {
            EventId = EventId, TerminalId = TerminalId, Timestamp = DbTime.FromMs(Ts),
            NetworkType = Wire.TryParse(NetworkType, out NetworkType n) ? n : default,
            SignalDbm = (int?)SignalDbm, LatencyMs = (int)LatencyMs, PacketLossPct = PacketLossPct, Firmware = Firmware,
            UptimeSec = UptimeSec, BatteryPct = (int?)BatteryPct, CpuPct = (int?)CpuPct, MemoryPct = (int?)MemoryPct,
            Printer = Wire.TryParse(Printer, out PrinterStatus p) ? p : default,
            Scanner = Wire.TryParse(Scanner, out ScannerStatus sc) ? sc : default,
            PendingOffline = (int)PendingOffline,
        };
    }

    private sealed record TransactionRow(long Ts, string EventId, string TerminalId, long ReceivedAt, string GatewayId, string Outcome,
        string? Stage, long LatencyMs, string? StageMs, string? ErrorCode, long? AmountMinor, string? Currency)
    {
        public Transaction ToEvent() => new()
        {
            EventId = EventId, TerminalId = TerminalId, Timestamp = DbTime.FromMs(Ts), Gateway = GatewayId,
            Outcome = Wire.TryParse(Outcome, out Outcome o) ? o : default,
            Stage = Wire.TryParse(Stage, out Stage st) ? st : null,
            LatencyMs = (int)LatencyMs, StageMs = ParseStageMs(StageMs), ErrorCode = ErrorCode, AmountMinor = AmountMinor, Currency = Currency,
        };
    }

    private static int[]? ParseStageMs(string? json)
    {
        if (json is null) return null;
        var result = new int[Wire.Stages.Count];
        using var doc = System.Text.Json.JsonDocument.Parse(json);
        foreach (var p in doc.RootElement.EnumerateObject())
            if (Wire.TryParse(p.Name, out Stage stage)) result[(int)stage] = p.Value.GetInt32();
        return result;
    }

    private static readonly string[] HeartbeatParameters =
        ["ts", "event_id", "terminal_id", "received_at", "network_type", "signal_dbm", "latency_ms", "packet_loss_pct",
         "firmware", "uptime_sec", "battery_pct", "cpu_pct", "memory_pct", "printer", "scanner", "pending_offline", "seq"];

    private static void BindHeartbeat(RowCommand c, Heartbeat e, long receivedAt, int seq)
    {
        c.Set(0, DbTime.ToMs(e.Timestamp)); c.Set(1, e.EventId); c.Set(2, e.TerminalId); c.Set(3, receivedAt); c.Set(16, seq);
        c.Set(4, Wire.Name(e.NetworkType)); c.Set(5, (long?)e.SignalDbm); c.Set(6, e.LatencyMs); c.Set(7, e.PacketLossPct);
        c.Set(8, e.Firmware); c.Set(9, e.UptimeSec); c.Set(10, (long?)e.BatteryPct); c.Set(11, (long?)e.CpuPct); c.Set(12, (long?)e.MemoryPct);
        c.Set(13, Wire.Name(e.Printer)); c.Set(14, Wire.Name(e.Scanner)); c.Set(15, e.PendingOffline);
    }

    private static readonly string[] TransactionParameters =
        ["ts", "event_id", "terminal_id", "received_at", "gateway_id", "outcome", "stage", "latency_ms", "stage_ms",
         "error_code", "amount_minor", "currency", "seq"];

    private static void BindTransaction(RowCommand c, Transaction e, long receivedAt, int seq)
    {
        c.Set(0, DbTime.ToMs(e.Timestamp)); c.Set(1, e.EventId); c.Set(2, e.TerminalId); c.Set(3, receivedAt); c.Set(12, seq);
        c.Set(4, e.Gateway); c.Set(5, Wire.Name(e.Outcome)); c.Set(6, e.Stage is { } s ? Wire.Name(s) : null);
        c.Set(7, e.LatencyMs); c.Set(8, StageMsJson(e.StageMs)); c.Set(9, e.ErrorCode); c.Set(10, e.AmountMinor); c.Set(11, e.Currency);
    }

    private static string? StageMsJson(int[]? stageMs)
    {
        if (stageMs is null) return null;
        var sb = new StringBuilder("{");
        for (var i = 0; i < stageMs.Length; i++)
            if (stageMs[i] > 0) sb.Append(sb.Length > 1 ? "," : "").Append('"').Append(Wire.Stages[i]).Append("\":").Append(stageMs[i]);
        return sb.Append('}').ToString();
    }

    private static readonly string[] StateParameters =
        ["terminal_id", "last_seen_at", "last_heartbeat_at", "last_transaction_at", "network_type", "signal_dbm", "latency_ms",
         "packet_loss_pct", "firmware", "firmware_since", "uptime_sec", "battery_pct", "cpu_pct", "memory_pct", "printer",
         "scanner", "pending_offline"];

    private static void BindState(RowCommand c, TerminalState s)
    {
        c.Set(0, s.TerminalId); c.Set(1, Ms(s.LastSeenAt)); c.Set(2, Ms(s.LastHeartbeatAt)); c.Set(3, Ms(s.LastTransactionAt));
        c.Set(4, s.NetworkType is { } n ? Wire.Name(n) : null); c.Set(5, (long?)s.SignalDbm); c.Set(6, (long?)s.LatencyMs);
        c.Set(7, s.PacketLossPct); c.Set(8, s.Firmware); c.Set(9, Ms(s.FirmwareSince)); c.Set(10, s.UptimeSec);
        c.Set(11, (long?)s.BatteryPct); c.Set(12, (long?)s.CpuPct); c.Set(13, (long?)s.MemoryPct);
        c.Set(14, s.Printer is { } p ? Wire.Name(p) : null); c.Set(15, s.Scanner is { } sc ? Wire.Name(sc) : null);
        c.Set(16, (long?)s.PendingOffline);
    }

    private static long? Ms(DateTimeOffset? t) => t is { } v ? DbTime.ToMs(v) : null;

    private static string Cols(string[] names) => string.Join(", ", names);
    private static string Params(string[] names) => string.Join(", ", names.Select(n => "@" + n));

    private static readonly SqlText InsertHeartbeat = SqlText.Same(
        $"INSERT INTO heartbeats ({Cols(HeartbeatParameters)}) VALUES ({Params(HeartbeatParameters)});");

    private static readonly SqlText InsertTransaction = SqlText.Same(
        $"INSERT INTO transactions ({Cols(TransactionParameters)}) VALUES ({Params(TransactionParameters)});");

    private static readonly string[] EventKeyParameters = ["minute", "key_hi", "key_lo"];

    private static void SetEventKey(RowCommand c, long minute, (long Hi, long Lo) key)
    {
        c.Set(0, minute); c.Set(1, key.Hi); c.Set(2, key.Lo);
    }

    private static readonly SqlText SelectEventKey = SqlText.Same(
        "SELECT 1 FROM event_keys WHERE minute = @minute AND key_hi = @key_hi AND key_lo = @key_lo;");

    private static readonly SqlText InsertEventKey = new(
        "INSERT OR IGNORE INTO event_keys (minute, key_hi, key_lo) VALUES (@minute, @key_hi, @key_lo);",
        """
        INSERT INTO event_keys (minute, key_hi, key_lo)
        SELECT @minute, @key_hi, @key_lo
        WHERE NOT EXISTS (SELECT 1 FROM event_keys WITH (UPDLOCK, HOLDLOCK) WHERE minute = @minute AND key_hi = @key_hi AND key_lo = @key_lo);
        """);

    private static readonly SqlText SelectFoldedAhead = SqlText.Same(
        """
        SELECT terminal_id AS TerminalId, minute AS Minute, folded_to AS FoldedTo FROM terminal_minutes
        WHERE minute >= @From AND minute <= @To AND folded_to > @Watermark;
        """);

    private static readonly SqlText SelectSpilledBefore = SqlText.Same("SELECT spilled_before FROM dedup_state WHERE id = 1;");
    private static readonly SqlText UpdateSpilledBefore = SqlText.Same("UPDATE dedup_state SET spilled_before = @spilled_before WHERE id = 1;");

    private static readonly SqlText SelectRecentHeartbeatKeys = SqlText.Same(
        "SELECT ts, event_id FROM heartbeats WHERE received_at >= @From AND ts >= @SpilledBefore;");

    private static readonly SqlText SelectRecentTransactionKeys = SqlText.Same(
        "SELECT ts, event_id FROM transactions WHERE received_at >= @From AND ts >= @SpilledBefore;");

    private static readonly SqlText UpsertState = new(
        $"""
        INSERT INTO terminal_states ({Cols(StateParameters)}) VALUES ({Params(StateParameters)})
        ON CONFLICT (terminal_id) DO UPDATE SET
        {string.Join(", ", StateParameters.Skip(1).Select(n => $"{n} = excluded.{n}"))};
        """,
        $"""
        MERGE terminal_states WITH (HOLDLOCK) AS t
        USING (SELECT {string.Join(", ", StateParameters.Select(n => $"@{n} AS {n}"))}) AS s
        ON t.terminal_id = s.terminal_id
        WHEN MATCHED THEN UPDATE SET {string.Join(", ", StateParameters.Skip(1).Select(n => $"{n} = s.{n}"))}
        WHEN NOT MATCHED THEN INSERT ({Cols(StateParameters)}) VALUES ({string.Join(", ", StateParameters.Select(n => "s." + n))});
        """);

    // Never back: with several nodes, flushes complete in any order of their stamps.
    private static readonly SqlText UpdateWatermark = SqlText.Same("UPDATE rollup_watermark SET received_at = @received_at WHERE id = 1 AND received_at < @received_at;");
    private static readonly SqlText SelectWatermark = SqlText.Same("SELECT received_at FROM rollup_watermark WHERE id = 1;");

    private static readonly SqlText SelectCommittedHeartbeats = SqlText.Same(
        """
        SELECT ts AS Ts, event_id AS EventId, terminal_id AS TerminalId, received_at AS ReceivedAt, network_type AS NetworkType,
               signal_dbm AS SignalDbm, latency_ms AS LatencyMs, packet_loss_pct AS PacketLossPct, firmware AS Firmware,
               uptime_sec AS UptimeSec, battery_pct AS BatteryPct, cpu_pct AS CpuPct, memory_pct AS MemoryPct,
               printer AS Printer, scanner AS Scanner, pending_offline AS PendingOffline
        FROM heartbeats WHERE received_at >= @From AND received_at <= @To ORDER BY received_at, seq;
        """);

    private static readonly SqlText SelectCommittedTransactions = SqlText.Same(
        """
        SELECT ts AS Ts, event_id AS EventId, terminal_id AS TerminalId, received_at AS ReceivedAt, gateway_id AS GatewayId,
               outcome AS Outcome, stage AS Stage, latency_ms AS LatencyMs, stage_ms AS StageMs, error_code AS ErrorCode,
               amount_minor AS AmountMinor, currency AS Currency
        FROM transactions WHERE received_at >= @From AND received_at <= @To ORDER BY received_at, seq;
        """);

    private static readonly SqlText InsertFirmwareChange = new(
        "INSERT OR IGNORE INTO firmware_changes (terminal_id, at, from_version, to_version) VALUES (@terminal_id, @at, @from_version, @to_version);",
        """
        INSERT INTO firmware_changes (terminal_id, at, from_version, to_version)
        SELECT @terminal_id, @at, @from_version, @to_version
        WHERE NOT EXISTS (SELECT 1 FROM firmware_changes WHERE terminal_id = @terminal_id AND at = @at);
        """);
}
