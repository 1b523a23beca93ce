using System.Data.Common;
using System.Runtime.InteropServices;
using PosMonitor.Core.Incidents;
using PosMonitor.Core.Rollups;
using PosMonitor.Web.Infrastructure.Data;

namespace PosMonitor.Web.Features.Telemetry;

/// <summary>One minute of a region, gateway, firmware or the platform: sums of its terminals' rollup rows (migration 0016).</summary>
public sealed record ScopeTotal(string ScopeType, string ScopeId, long Minute, long Transactions, long Timeouts, long Errors, long AmountSumMinor, long AmountCount);

public sealed partial class TelemetryStore
{
    /// <summary>The scope types with minute totals: the ones whose terminals are too many to sum at read time.</summary>
    public static readonly ScopeType[] TotalledScopes = [ScopeType.Region, ScopeType.Gateway, ScopeType.Firmware, ScopeType.Platform];

    /// <summary>
    /// Adds the rows of a chunk to their scopes' minute totals, in the transaction that adds them to terminal_minutes: the
    /// flush, the restart fold and adoption all write terminal rows through <see cref="WriteRows"/> and nothing else does,
    /// so the totals get every row exactly once (a rolled-back chunk or a lost adoption writes neither). Rows are sums
    /// (Merge.Sum), so their totals add too. A heartbeat-only row adds zeros: the minute exists for the scope, as it did
    /// when the chart summed terminal rows at read time.
    /// </summary>
    private void WriteScopeTotals(DbConnection connection, DbTransaction tx, IReadOnlyList<TerminalMinute> rows)
    {
        if (fleet is null) return;
        var totals = ScopeTotals(rows, fleet.Current);
        using var upsert = RowCommand.Prepare(connection, tx, db.Sql(UpsertScopeMinute), ScopeMinuteParameters);
        // In key order: two nodes' flushes lock the shared rows (the platform's minute) in the same order, never crosswise.
        foreach (var t in totals.OrderBy(t => t.ScopeType, StringComparer.Ordinal).ThenBy(t => t.ScopeId, StringComparer.Ordinal).ThenBy(t => t.Minute))
        {
            upsert.Set(0, t.ScopeType); upsert.Set(1, t.ScopeId); upsert.Set(2, t.Minute); upsert.Set(3, t.Transactions); upsert.Set(4, t.Timeouts);
            upsert.Set(5, t.Errors); upsert.Set(6, t.AmountSumMinor); upsert.Set(7, t.AmountCount);
            upsert.Execute();
        }
    }

    /// <summary>
    /// The scope totals of rollup rows by each terminal's registration in <paramref name="fleet"/>. A terminal the fleet
    /// does not list counts in no scope, as the join over terminals that the chart read before left it out.
    /// </summary>
    public static IReadOnlyCollection<ScopeTotal> ScopeTotals(IEnumerable<TerminalMinute> rows, Core.Fleet.Fleet fleet)
    {
        var sums = new Dictionary<(ScopeType Type, string Id, long Minute), Sums>();
        foreach (var m in rows)
        {
            if (!fleet.Terminals.TryGetValue(m.TerminalId, out var t)) continue;
            var minute = DbTime.ToMs(m.Minute);
            Add(ScopeType.Region, t.RegionId);
            Add(ScopeType.Gateway, t.GatewayId);
            Add(ScopeType.Firmware, t.Firmware);
            Add(ScopeType.Platform, "");

            void Add(ScopeType type, string id)
            {
                ref var s = ref CollectionsMarshal.GetValueRefOrAddDefault(sums, (type, id, minute), out _);
                s.Transactions += m.Transactions; s.Timeouts += m.Timeouts; s.Errors += m.Errors;
                s.AmountSumMinor += m.AmountSumMinor; s.AmountCount += m.AmountCount;
            }
        }
        return [.. sums.Select(kv => new ScopeTotal(Causes.Name(kv.Key.Type), kv.Key.Id, kv.Key.Minute,
            kv.Value.Transactions, kv.Value.Timeouts, kv.Value.Errors, kv.Value.AmountSumMinor, kv.Value.AmountCount))];
    }

    private struct Sums
    {
        public long Transactions, Timeouts, Errors, AmountSumMinor, AmountCount;
    }

    private static readonly string[] ScopeMinuteParameters =
        ["scope_type", "scope_id", "minute", "transactions", "timeouts", "errors", "amount_sum_minor", "amount_count"];

    private static readonly SqlText UpsertScopeMinute = new(
        """
        INSERT INTO scope_minutes (scope_type, scope_id, minute, transactions, timeouts, errors, amount_sum_minor, amount_count)
        VALUES (@scope_type, @scope_id, @minute, @transactions, @timeouts, @errors, @amount_sum_minor, @amount_count)
        ON CONFLICT (scope_type, scope_id, minute) DO UPDATE SET
        transactions = transactions + excluded.transactions, timeouts = timeouts + excluded.timeouts, errors = errors + excluded.errors,
        amount_sum_minor = amount_sum_minor + excluded.amount_sum_minor, amount_count = amount_count + excluded.amount_count;
        """,
        """
        MERGE scope_minutes WITH (HOLDLOCK) AS t
        USING (SELECT @scope_type AS scope_type, @scope_id AS scope_id, @minute AS minute, @transactions AS transactions, @timeouts AS timeouts,
                      @errors AS errors, @amount_sum_minor AS amount_sum_minor, @amount_count AS amount_count) AS s
        ON t.scope_type = s.scope_type AND t.scope_id = s.scope_id AND t.minute = s.minute
        WHEN MATCHED THEN UPDATE SET
        transactions = t.transactions + s.transactions, timeouts = t.timeouts + s.timeouts, errors = t.errors + s.errors,
        amount_sum_minor = t.amount_sum_minor + s.amount_sum_minor, amount_count = t.amount_count + s.amount_count
        WHEN NOT MATCHED THEN INSERT (scope_type, scope_id, minute, transactions, timeouts, errors, amount_sum_minor, amount_count)
        VALUES (s.scope_type, s.scope_id, s.minute, s.transactions, s.timeouts, s.errors, s.amount_sum_minor, s.amount_count);
        """);
}
