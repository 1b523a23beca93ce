using System.Data.Common;
using PosMonitor.Core.Rollups;
using PosMonitor.Web.Infrastructure.Data;

namespace PosMonitor.Web.Features.Telemetry;

/// <summary>
/// The columns of <c>terminal_minutes</c>, each with how a new batch merges into the stored row
/// (sum, max or min). The upsert SQL of both dialects and the row reader are generated from this
/// one list, so a counter added to <see cref="TerminalMinute"/> is added here once.
/// </summary>
public static class RollupColumns
{
    public enum Merge { Sum, Max, Min }

    /// <param name="Bind">Sets the column's value of a minute as parameter <c>i</c>, typed (no boxing on the writer's hot path).</param>
    /// <param name="Read">Sets the column's value of a minute from field <c>i</c> of a <see cref="RowReader"/>, typed.</param>
    public sealed record Column(string Name, Merge Merge, Action<TerminalMinute, object?> Set, Action<RowCommand, int, TerminalMinute> Bind,
        Action<TerminalMinute, RowReader, int> Read);

    private static readonly string[] StageNames = ["input", "connect", "send", "host", "gateway", "print", "notify", "app"];

    public static IReadOnlyList<Column> All { get; } = Build();

    private static List<Column> Build()
    {
        var c = new List<Column>
        {
            Int("transactions", m => m.Transactions, (m, v) => m.Transactions = v),
            Int("approved", m => m.Approved, (m, v) => m.Approved = v),
            Int("declined", m => m.Declined, (m, v) => m.Declined = v),
            Int("timeouts", m => m.Timeouts, (m, v) => m.Timeouts = v),
            Int("errors", m => m.Errors, (m, v) => m.Errors = v),
            Int("cancelled", m => m.Cancelled, (m, v) => m.Cancelled = v),
        };
        for (var i = 0; i < TerminalMinute.StageCount; i++)
        {
            var s = i;
            c.Add(Int($"timeouts_{StageNames[s]}", m => m.TimeoutsByStage[s], (m, v) => m.TimeoutsByStage[s] = v));
            c.Add(Int($"errors_{StageNames[s]}", m => m.ErrorsByStage[s], (m, v) => m.ErrorsByStage[s] = v));
            c.Add(Long($"stage_ms_{StageNames[s]}", m => m.StageMsSum[s], (m, v) => m.StageMsSum[s] = v));
        }
        c.AddRange(
        [
            Long("latency_sum_ms", m => m.LatencySumMs, (m, v) => m.LatencySumMs = v),
            Int("latency_max_ms", m => m.LatencyMaxMs, (m, v) => m.LatencyMaxMs = v, Merge.Max),
            Int("stage_ms_samples", m => m.StageMsSamples, (m, v) => m.StageMsSamples = v),
            Int("slow_host", m => m.SlowHost, (m, v) => m.SlowHost = v),
            Int("slow_gateway", m => m.SlowGateway, (m, v) => m.SlowGateway = v),
            Long("amount_sum_minor", m => m.AmountSumMinor, (m, v) => m.AmountSumMinor = v),
            Int("amount_count", m => m.AmountCount, (m, v) => m.AmountCount = v),
            Int("heartbeats", m => m.Heartbeats, (m, v) => m.Heartbeats = v),
            Long("net_latency_sum_ms", m => m.NetLatencySumMs, (m, v) => m.NetLatencySumMs = v),
            Int("net_latency_max_ms", m => m.NetLatencyMaxMs, (m, v) => m.NetLatencyMaxMs = v, Merge.Max),
            new("packet_loss_sum_pct", Merge.Sum, (m, v) => m.PacketLossSumPct = Convert.ToDouble(v),
                (c, i, m) => c.Set(i, m.PacketLossSumPct), (m, r, i) => m.PacketLossSumPct = r.GetDouble(i)),
            new("packet_loss_max_pct", Merge.Max, (m, v) => m.PacketLossMaxPct = Convert.ToDouble(v),
                (c, i, m) => c.Set(i, m.PacketLossMaxPct), (m, r, i) => m.PacketLossMaxPct = r.GetDouble(i)),
            NullableInt("signal_min_dbm", m => m.SignalMinDbm, (m, v) => m.SignalMinDbm = v, Merge.Min),
            NullableInt("cpu_max_pct", m => m.CpuMaxPct, (m, v) => m.CpuMaxPct = v, Merge.Max),
            NullableInt("memory_max_pct", m => m.MemoryMaxPct, (m, v) => m.MemoryMaxPct = v, Merge.Max),
            Int("printer_faults", m => m.PrinterFaults, (m, v) => m.PrinterFaults = v),
            Int("scanner_faults", m => m.ScannerFaults, (m, v) => m.ScannerFaults = v),
            Int("restarts", m => m.Restarts, (m, v) => m.Restarts = v),
            Int("pending_offline_max", m => m.PendingOfflineMax, (m, v) => m.PendingOfflineMax = v, Merge.Max),
        ]);
        return c;
    }

    private static Column Int(string name, Func<TerminalMinute, int> get, Action<TerminalMinute, int> set, Merge merge = Merge.Sum) =>
        new(name, merge, (m, v) => set(m, Convert.ToInt32(v)), (c, i, m) => c.Set(i, (long)get(m)), (m, r, i) => set(m, r.GetInt32(i)));

    private static Column Long(string name, Func<TerminalMinute, long> get, Action<TerminalMinute, long> set) =>
        new(name, Merge.Sum, (m, v) => set(m, Convert.ToInt64(v)), (c, i, m) => c.Set(i, get(m)), (m, r, i) => set(m, r.GetInt64(i)));

    private static Column NullableInt(string name, Func<TerminalMinute, int?> get, Action<TerminalMinute, int?> set, Merge merge) =>
        new(name, merge, (m, v) => set(m, v is null or DBNull ? null : Convert.ToInt32(v)), (c, i, m) => c.Set(i, (long?)get(m)),
            (m, r, i) => set(m, r.IsNull(i) ? null : r.GetInt32(i)));

    public static readonly SqlText Upsert = new(SqliteUpsert(), SqlServerUpsert());

    /// <summary>Every column, for SELECTs that fill <see cref="TerminalMinute"/> with <see cref="Read"/>.</summary>
    public static string SelectList(string alias) =>
        $"{alias}.terminal_id, {alias}.minute, " + string.Join(", ", All.Select(c => $"{alias}.{c.Name}"));

    /// <summary>Reads a row selected with <see cref="SelectList"/>.</summary>
    public static TerminalMinute Read(DbDataReader reader)
    {
        var minute = new TerminalMinute(reader.GetString(0), DbTime.FromMs(reader.GetInt64(1)));
        for (var i = 0; i < All.Count; i++)
            All[i].Set(minute, reader.IsDBNull(i + 2) ? null : reader.GetValue(i + 2));
        return minute;
    }

    /// <summary>Reads a row selected with <see cref="SelectList"/>, without boxing a field: for reads of millions of rows.</summary>
    public static TerminalMinute Read(RowReader reader)
    {
        var minute = new TerminalMinute(reader.GetString(0), DbTime.FromMs(reader.GetInt64(1)));
        for (var i = 0; i < All.Count; i++)
            All[i].Read(minute, reader, i + 2);
        return minute;
    }

    /// <summary>The upsert's parameters, in the order <see cref="Bind"/> sets them.</summary>
    public static IReadOnlyList<string> Parameters { get; } = ["terminal_id", "minute", .. All.Select(c => c.Name), "folded_to"];

    /// <param name="foldedTo">
    /// The commit stamp up to which the row now holds every event of the writer that wrote it last (migration 0009);
    /// recovery reads it only for the commits left over from before per-node holders (migration 0015).
    /// </param>
    public static void Bind(RowCommand command, TerminalMinute m, long foldedTo)
    {
        command.Set(0, m.TerminalId);
        command.Set(1, DbTime.ToMs(m.Minute));
        for (var i = 0; i < All.Count; i++) All[i].Bind(command, i + 2, m);
        command.Set(All.Count + 2, foldedTo);
    }

    private static string Names => string.Join(", ", All.Select(c => c.Name));
    private static string Values => string.Join(", ", All.Select(c => "@" + c.Name));

    private static string SqliteUpsert()
    {
        static string Merged(Column c) => c.Merge switch
        {
            Merge.Sum => $"{c.Name} = {c.Name} + excluded.{c.Name}",
            // Scalar MIN/MAX give NULL when either side is NULL; COALESCE keeps the known side.
            Merge.Max => $"{c.Name} = COALESCE(MAX({c.Name}, excluded.{c.Name}), {c.Name}, excluded.{c.Name})",
            _ => $"{c.Name} = COALESCE(MIN({c.Name}, excluded.{c.Name}), {c.Name}, excluded.{c.Name})",
        };
        return $"""
            INSERT INTO terminal_minutes (terminal_id, minute, {Names}, folded_to)
            VALUES (@terminal_id, @minute, {Values}, @folded_to)
            ON CONFLICT (minute, terminal_id) DO UPDATE SET
            {string.Join(",\n", All.Select(Merged))},
            folded_to = MAX(folded_to, excluded.folded_to);
            """;
    }

    private static string SqlServerUpsert()
    {
        // GREATEST/LEAST (SQL Server 2022+) ignore NULLs, matching the SQLite COALESCE form.
        static string Merged(Column c) => c.Merge switch
        {
            Merge.Sum => $"{c.Name} = t.{c.Name} + s.{c.Name}",
            Merge.Max => $"{c.Name} = GREATEST(t.{c.Name}, s.{c.Name})",
            _ => $"{c.Name} = LEAST(t.{c.Name}, s.{c.Name})",
        };
        return $"""
            MERGE terminal_minutes WITH (HOLDLOCK) AS t
            USING (SELECT @terminal_id AS terminal_id, @minute AS minute, {string.Join(", ", All.Select(c => $"@{c.Name} AS {c.Name}"))}, @folded_to AS folded_to) AS s
            ON t.minute = s.minute AND t.terminal_id = s.terminal_id
            WHEN MATCHED THEN UPDATE SET
            {string.Join(",\n", All.Select(Merged))},
            folded_to = GREATEST(t.folded_to, s.folded_to)
            WHEN NOT MATCHED THEN INSERT (terminal_id, minute, {Names}, folded_to)
            VALUES (s.terminal_id, s.minute, {string.Join(", ", All.Select(c => "s." + c.Name))}, s.folded_to);
            """;
    }
}
