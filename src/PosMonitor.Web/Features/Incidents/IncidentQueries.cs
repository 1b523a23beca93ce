using Dapper;
using PosMonitor.Core.Detection;
using PosMonitor.Core.Incidents;
using PosMonitor.Web.Infrastructure.Data;

namespace PosMonitor.Web.Features.Incidents;

/// <summary>One minute of a scope: transactions and timeouts summed over its terminals.</summary>
public sealed record ScopeMinute(DateTimeOffset Minute, int Transactions, int Timeouts)
{
    public double Rate => Transactions == 0 ? 0 : (double)Timeouts / Transactions;
}

/// <summary>What an incident cost so far: failed sales on its terminals and their estimated value.</summary>
public sealed record BusinessImpact(int FailedSales, long EstimatedValueMinor, int TerminalsWithSales);

/// <summary>Reads of terminal_minutes for the incident page: the scope's timeout rate and business impact.</summary>
public sealed class IncidentQueries(Db db, DetectionSettings detection)
{
    /// <summary>
    /// How long before an incident opened its failures count as its impact: detection's longest window. The fault began
    /// within it (what detection opened on lies in it), and the failures that made detection open belong to the fault.
    /// </summary>
    public TimeSpan ImpactLookBack => detection.LongWindow;

    /// <summary>Per-minute totals of the incident's scope between two times.</summary>
    public async Task<IReadOnlyList<ScopeMinute>> ScopeRateAsync(ScopeType scope, string scopeId, DateTimeOffset from, DateTimeOffset to, CancellationToken ct)
    {
        await using var c = await db.OpenAsync(ct);
        var rows = await c.QueryAsync<MinuteRow>(new CommandDefinition(db.Sql(SelectScopeMinutes), new
        {
            Scope = Causes.Name(scope), ScopeId = scopeId, From = DbTime.ToMs(from), To = DbTime.ToMs(to),
        }, cancellationToken: ct));
        return [.. rows.Select(r => new ScopeMinute(DbTime.FromMs(r.Minute), (int)r.Transactions, (int)r.Timeouts))];
    }

    /// <summary>
    /// Failed sales (timeouts and errors) on the incident's affected terminals from <see cref="ImpactLookBack"/> before it
    /// opened until <paramref name="until"/>, each valued at its terminal's average ticket (amount_sum_minor / amount_count)
    /// over the week before that.
    /// </summary>
    public async Task<BusinessImpact> ImpactAsync(Incident incident, DateTimeOffset until, CancellationToken ct)
    {
        var from = incident.OpenedAt - ImpactLookBack;
        await using var c = await db.OpenAsync(ct);
        var rows = (await c.QueryAsync<ImpactRow>(new CommandDefinition(db.Sql(SelectImpact), new
        {
            IncidentId = incident.Id, From = DbTime.ToMs(from), To = DbTime.ToMs(until), Before = DbTime.ToMs(from.AddDays(-7)),
        }, cancellationToken: ct))).ToList();
        var priced = rows.Where(r => r.AmountCount > 0).ToList();
        return new BusinessImpact((int)rows.Sum(r => r.Failed), priced.Sum(r => r.Failed * r.AmountSum / r.AmountCount), priced.Count);
    }

    private sealed class MinuteRow
    {
        public long Minute { get; init; }
        public long Transactions { get; init; }
        public long Timeouts { get; init; }
    }

    private sealed class ImpactRow
    {
        public string TerminalId { get; init; } = "";
        public long Failed { get; init; }
        public long AmountSum { get; init; }
        public long AmountCount { get; init; }
    }

    private static readonly SqlText SelectScopeMinutes = SqlText.Same("""
        SELECT m.minute AS Minute, SUM(m.transactions) AS Transactions, SUM(m.timeouts) AS Timeouts
        FROM terminal_minutes m JOIN terminals t ON t.id = m.terminal_id
        WHERE m.minute >= @From AND m.minute < @To
          AND (@Scope = 'platform'
               OR (@Scope = 'terminal' AND t.id = @ScopeId)
               OR (@Scope = 'merchant' AND t.merchant_id = @ScopeId)
               OR (@Scope = 'region' AND t.region_id = @ScopeId)
               OR (@Scope = 'gateway' AND t.gateway_id = @ScopeId)
               OR (@Scope = 'firmware' AND t.firmware = @ScopeId))
        GROUP BY m.minute
        ORDER BY m.minute;
        """);

    private static readonly SqlText SelectImpact = SqlText.Same("""
        SELECT m.terminal_id AS TerminalId,
               SUM(CASE WHEN m.minute >= @From AND m.minute < @To THEN m.timeouts + m.errors ELSE 0 END) AS Failed,
               SUM(CASE WHEN m.minute >= @Before AND m.minute < @From THEN m.amount_sum_minor ELSE 0 END) AS AmountSum,
               SUM(CASE WHEN m.minute >= @Before AND m.minute < @From THEN m.amount_count ELSE 0 END) AS AmountCount
        FROM incident_affected a JOIN terminal_minutes m ON m.terminal_id = a.terminal_id
        WHERE a.incident_id = @IncidentId AND a.terminal_id <> '' AND m.minute >= @Before AND m.minute < @To
        GROUP BY m.terminal_id;
        """);
}
