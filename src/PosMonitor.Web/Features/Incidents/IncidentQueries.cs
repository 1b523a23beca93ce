using System.Collections.Concurrent;
using Dapper;
using PosMonitor.Core.Detection;
using PosMonitor.Core.Incidents;
using PosMonitor.Web.Features.Telemetry;
using PosMonitor.Web.Infrastructure.Data;

namespace PosMonitor.Web.Features.Incidents;

/// <summary>One minute of a scope: transactions and timeouts summed over its terminals.</summary>
public sealed record ScopeMinute(DateTimeOffset Minute, int Transactions, int Timeouts)
{
    public double Rate => Transactions == 0 ? 0 : (double)Timeouts / Transactions;
}

/// <summary>
/// What an incident cost so far: failed sales on its terminals and their estimated value. <paramref name="WholeScope"/>: a
/// wide incident's figures are its whole scope's (<see cref="IncidentQueries.ImpactAsync"/>).
/// </summary>
public sealed record BusinessImpact(int FailedSales, long EstimatedValueMinor, int TerminalsWithSales, bool WholeScope = false);

/// <summary>
/// Reads for the incident page: the scope's timeout rate and business impact. A terminal's or merchant's read only
/// their terminals' rollup rows (index seeks on terminal_id); a region's, gateway's, firmware's or the platform's read
/// their minute totals (scope_minutes, migration 0016), never the estate's terminal rows, but for minutes from before
/// those totals were kept.
/// </summary>
public sealed class IncidentQueries(Db db, DetectionSettings detection)
{
    /// <summary>
    /// Above this many affected terminals a wide incident's impact is its scope's: per terminal it would read a week of
    /// rows for each (a platform incident at 200,000 terminals has tens of thousands), and the scope's totals hold the
    /// same failures of those terminals, plus the few of the scope's other terminals.
    /// </summary>
    public const int ExactImpactTerminals = 1_000;

    private const int PricesKept = 64;
    private readonly ConcurrentDictionary<(string Incident, long From, int Affected), IReadOnlyDictionary<string, (long Sum, long Count)>> _prices = new();
    private readonly Queue<(string Incident, long From, int Affected)> _pricesOrder = new();
    private long? _totalsSince;

    /// <summary>
    /// How long before an incident opened its failures count as its impact: detection's longest window. The fault began
    /// within it (what detection opened on lies in it), and the failures that made detection open belong to the fault.
    /// </summary>
    public TimeSpan ImpactLookBack => detection.LongWindow;

    /// <summary>Per-minute totals of the incident's scope between two times.</summary>
    public async Task<IReadOnlyList<ScopeMinute>> ScopeRateAsync(ScopeType scope, string scopeId, DateTimeOffset from, DateTimeOffset to, CancellationToken ct)
    {
        await using var c = await db.OpenAsync(ct);
        var (fromMs, toMs) = (DbTime.ToMs(from), DbTime.ToMs(to));
        var rows = new List<MinuteRow>();
        if (scope is ScopeType.Terminal or ScopeType.Merchant)
            rows.AddRange(await c.QueryAsync<MinuteRow>(new CommandDefinition(db.Sql(scope == ScopeType.Terminal ? SelectTerminalMinutes : SelectMerchantMinutes),
                new { ScopeId = scopeId, From = fromMs, To = toMs }, cancellationToken: ct)));
        else
        {
            var since = await TotalsSinceAsync(c, ct);
            if (fromMs < since)
                rows.AddRange(await c.QueryAsync<MinuteRow>(new CommandDefinition(db.Sql(SelectScopeMinutesBeforeTotals),
                    new { Scope = Causes.Name(scope), ScopeId = scopeId, From = fromMs, To = Math.Min(toMs, since) }, cancellationToken: ct)));
            if (toMs > since)
                rows.AddRange(await c.QueryAsync<MinuteRow>(new CommandDefinition(db.Sql(SelectScopeTotals),
                    new { Scope = Causes.Name(scope), ScopeId = TotalsId(scope, scopeId), From = Math.Max(fromMs, since), To = toMs }, cancellationToken: ct)));
        }
        return [.. rows.Select(r => new ScopeMinute(DbTime.FromMs(r.Minute), (int)r.Transactions, (int)r.Timeouts))];
    }

    /// <summary>
    /// Failed sales (timeouts and errors) on the incident's affected terminals from <see cref="ImpactLookBack"/> before it
    /// opened until <paramref name="until"/>, each valued at its terminal's average ticket (amount_sum_minor / amount_count)
    /// over the week before that. A region's, gateway's, firmware's or the platform's incident with more than
    /// <see cref="ExactImpactTerminals"/> affected terminals counts its scope's failed sales, valued at the scope's average
    /// ticket, from the scope's minute totals: a bounded read whatever the number of terminals (in the first week after
    /// migration 0016, the average is of the days it has totals for).
    /// </summary>
    public async Task<BusinessImpact> ImpactAsync(Incident incident, DateTimeOffset until, CancellationToken ct)
    {
        var from = incident.OpenedAt - ImpactLookBack;
        var args = new { IncidentId = incident.Id, From = DbTime.ToMs(from), To = DbTime.ToMs(until), Before = DbTime.ToMs(from.AddDays(-7)) };
        await using var c = await db.OpenAsync(ct);
        if (incident.AffectedTerminals > ExactImpactTerminals && TelemetryStore.TotalledScopes.Contains(incident.ScopeType)
            && args.From >= await TotalsSinceAsync(c, ct))
        {
            var scope = await c.QuerySingleAsync<ImpactRow>(new CommandDefinition(db.Sql(SelectScopeImpact),
                new { args.From, args.To, args.Before, Scope = Causes.Name(incident.ScopeType), ScopeId = TotalsId(incident.ScopeType, incident.ScopeId) },
                cancellationToken: ct));
            return new BusinessImpact((int)scope.Failed, scope.AmountCount > 0 ? scope.Failed * scope.AmountSum / scope.AmountCount : 0,
                incident.AffectedTerminals, WholeScope: true);
        }
        var failed = await c.QueryAsync<ImpactRow>(new CommandDefinition(db.Sql(SelectFailed), args, cancellationToken: ct));
        var prices = await PricesAsync(c, incident, args.Before, args.From, ct);
        return new BusinessImpact((int)failed.Sum(r => r.Failed),
            failed.Sum(r => prices.TryGetValue(r.TerminalId, out var p) ? r.Failed * p.Sum / p.Count : 0), prices.Count);
    }

    /// <summary>
    /// Each affected terminal's sales over the week before the impact counts (only those with any): a week of rows per
    /// terminal, read once per incident and set of affected terminals, not at every refresh of its page, as what lies
    /// before the incident does not change.
    /// </summary>
    private async Task<IReadOnlyDictionary<string, (long Sum, long Count)>> PricesAsync(System.Data.Common.DbConnection c, Incident incident,
        long before, long from, CancellationToken ct)
    {
        var key = (incident.Id, from, incident.AffectedTerminals);
        if (_prices.TryGetValue(key, out var cached)) return cached;
        var rows = await c.QueryAsync<ImpactRow>(new CommandDefinition(db.Sql(SelectPrices),
            new { IncidentId = incident.Id, Before = before, From = from }, cancellationToken: ct));
        var prices = rows.ToDictionary(r => r.TerminalId, r => (r.AmountSum, r.AmountCount), StringComparer.Ordinal);
        // A few pages' incidents at a time: past that, the oldest kept goes.
        lock (_pricesOrder)
        {
            if (_prices.TryAdd(key, prices)) _pricesOrder.Enqueue(key);
            while (_pricesOrder.Count > PricesKept && _pricesOrder.TryDequeue(out var old)) _prices.TryRemove(old, out _);
        }
        return prices;
    }

    /// <summary>The platform's totals are kept under one id, whatever id its incident carries.</summary>
    private static string TotalsId(ScopeType scope, string scopeId) => scope == ScopeType.Platform ? "" : scopeId;

    /// <summary>The first minute with scope totals (migration 0016): fixed once migrated, so read once.</summary>
    private async Task<long> TotalsSinceAsync(System.Data.Common.DbConnection c, CancellationToken ct) =>
        _totalsSince ??= await c.ExecuteScalarAsync<long>(new CommandDefinition(db.Sql(SelectTotalsSince), cancellationToken: ct));

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

    // The terminal must be in the fleet, as for every other scope (a scope's terminals are the fleet's).
    private static readonly SqlText SelectTerminalMinutes = SqlText.Same("""
        SELECT m.minute AS Minute, SUM(m.transactions) AS Transactions, SUM(m.timeouts) AS Timeouts
        FROM terminal_minutes m JOIN terminals t ON t.id = m.terminal_id
        WHERE m.terminal_id = @ScopeId AND m.minute >= @From AND m.minute < @To
        GROUP BY m.minute
        ORDER BY m.minute;
        """);

    // The merchant's terminals (ix_terminals_merchant), then each one's minutes (ix_terminal_minutes_terminal).
    private static readonly SqlText SelectMerchantMinutes = SqlText.Same("""
        SELECT m.minute AS Minute, SUM(m.transactions) AS Transactions, SUM(m.timeouts) AS Timeouts
        FROM terminals t JOIN terminal_minutes m ON m.terminal_id = t.id AND m.minute >= @From AND m.minute < @To
        WHERE t.merchant_id = @ScopeId
        GROUP BY m.minute
        ORDER BY m.minute;
        """);

    private static readonly SqlText SelectScopeTotals = SqlText.Same("""
        SELECT minute AS Minute, transactions AS Transactions, timeouts AS Timeouts
        FROM scope_minutes
        WHERE scope_type = @Scope AND scope_id = @ScopeId AND minute >= @From AND minute < @To
        ORDER BY minute;
        """);

    private static readonly SqlText SelectTotalsSince = SqlText.Same("SELECT minute FROM scope_minutes_since WHERE id = 1;");

    // Only for minutes from before scope totals were kept (migration 0016): every terminal-minute of the window is read.
    private static readonly SqlText SelectScopeMinutesBeforeTotals = SqlText.Same("""
        SELECT m.minute AS Minute, SUM(m.transactions) AS Transactions, SUM(m.timeouts) AS Timeouts
        FROM terminal_minutes m JOIN terminals t ON t.id = m.terminal_id
        WHERE m.minute >= @From AND m.minute < @To
          AND (@Scope = 'platform'
               OR (@Scope = 'region' AND t.region_id = @ScopeId)
               OR (@Scope = 'gateway' AND t.gateway_id = @ScopeId)
               OR (@Scope = 'firmware' AND t.firmware = @ScopeId))
        GROUP BY m.minute
        ORDER BY m.minute;
        """);

    private static readonly SqlText SelectScopeImpact = SqlText.Same("""
        SELECT '' AS TerminalId,
               COALESCE(SUM(CASE WHEN minute >= @From AND minute < @To THEN timeouts + errors ELSE 0 END), 0) AS Failed,
               COALESCE(SUM(CASE WHEN minute < @From THEN amount_sum_minor ELSE 0 END), 0) AS AmountSum,
               COALESCE(SUM(CASE WHEN minute < @From THEN amount_count ELSE 0 END), 0) AS AmountCount
        FROM scope_minutes
        WHERE scope_type = @Scope AND scope_id = @ScopeId AND minute >= @Before AND minute < @To;
        """);

    private static readonly SqlText SelectFailed = SqlText.Same("""
        SELECT m.terminal_id AS TerminalId, SUM(m.timeouts + m.errors) AS Failed
        FROM incident_affected a JOIN terminal_minutes m ON m.terminal_id = a.terminal_id
        WHERE a.incident_id = @IncidentId AND a.terminal_id <> '' AND m.minute >= @From AND m.minute < @To
        GROUP BY m.terminal_id;
        """);

    private static readonly SqlText SelectPrices = SqlText.Same("""
        SELECT m.terminal_id AS TerminalId, SUM(m.amount_sum_minor) AS AmountSum, SUM(m.amount_count) AS AmountCount
        FROM incident_affected a JOIN terminal_minutes m ON m.terminal_id = a.terminal_id
        WHERE a.incident_id = @IncidentId AND a.terminal_id <> '' AND m.minute >= @Before AND m.minute < @From
        GROUP BY m.terminal_id
        HAVING SUM(m.amount_count) > 0;
        """);
}
