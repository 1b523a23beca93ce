using Dapper;
using PosMonitor.Core.Detection;
using PosMonitor.Core.Incidents;
using PosMonitor.Core.Rollups;
using PosMonitor.Web.Features.Incidents;
using PosMonitor.Web.Features.Telemetry;
using PosMonitor.Web.Infrastructure.Data;

namespace PosMonitor.Web.Tests.Incidents;

public class IncidentQueriesTests
{
    private long _stamp;

    /// <summary>A terminal-minute written as the writer's rollup flush writes it (scope totals with it).</summary>
    private async Task MinuteAsync(TicketHarness h, string terminal, DateTimeOffset minute, int transactions, int timeouts, int errors, long amountSum, int amountCount)
    {
        var store = new TelemetryStore(h.Database.Db, new RecentEventKeys(), fleet: h.Cache);
        var row = new TerminalMinute(terminal, minute)
        {
            Transactions = transactions, Timeouts = timeouts, Errors = errors, AmountSumMinor = amountSum, AmountCount = amountCount, Heartbeats = 1,
        };
        await store.WriteRollupsAsync(new RollupChunk([row], [], [], ++_stamp, Completes: true), CancellationToken.None);
    }

    [Fact]
    public async Task Impact_counts_from_detection_s_window_before_opening_values_each_failed_sale_at_its_terminal_s_average_ticket_and_the_chart_follows_the_scope()
    {
        await using var h = await TicketHarness.CreateAsync();
        var incident = await h.DetectAsync(h.GatewayIncident()); // T-000001, T-000002, T-000004 on gw-unionpay
        var opened = incident.OpenedAt;
        await MinuteAsync(h, "T-000001", opened.AddDays(-1), 10, 0, 0, 50_00 * 10, 10);   // average ticket 50.00
        await MinuteAsync(h, "T-000002", opened.AddDays(-2), 4, 0, 0, 120_00 * 4, 4);     // average ticket 120.00
        await MinuteAsync(h, "T-000001", opened.AddMinutes(1), 10, 4, 1, 0, 0);
        await MinuteAsync(h, "T-000002", opened.AddMinutes(1), 5, 2, 0, 0, 0);
        await MinuteAsync(h, "T-000004", opened.AddMinutes(2), 3, 3, 0, 0, 0);             // no history: counted, not valued
        await MinuteAsync(h, "T-000003", opened.AddMinutes(1), 8, 8, 0, 0, 0);             // other gateway, not affected
        // What detection opened on: the failures before it opened, within its longest window (15 min), are the fault's too.
        await MinuteAsync(h, "T-000004", opened.AddMinutes(-14), 2, 2, 0, 0, 0);
        await MinuteAsync(h, "T-000004", opened.AddMinutes(-16), 2, 1, 0, 0, 0);           // before the window: not counted
        var queries = new IncidentQueries(h.Database.Db, new DetectionSettings { LongWindow = TimeSpan.FromMinutes(15) });

        var impact = await queries.ImpactAsync(incident, opened.AddMinutes(30), default);
        var chart = await queries.ScopeRateAsync(incident.ScopeType, incident.ScopeId, opened, opened.AddMinutes(30), default);

        Assert.Equal(5 + 2 + 3 + 2, impact.FailedSales);
        Assert.Equal(5 * 50_00 + 2 * 120_00, impact.EstimatedValueMinor);
        Assert.Equal(2, impact.TerminalsWithSales);
        Assert.False(impact.WholeScope);
        Assert.Equal(2, chart.Count);
        Assert.Equal((15, 6), (chart[0].Transactions, chart[0].Timeouts));
        Assert.Equal(1.0, chart[1].Rate);
    }

    // TestFleet.Small: T-000001, T-000002 (m-0001, east, gw-unionpay, 3.2.1); T-000003 (m-0002, north, gw-alipay, 3.2.2);
    // T-000004 (m-0002, east, gw-unionpay, 3.2.2).
    public static TheoryData<ScopeType, string, string[]> Scopes() => new()
    {
        { ScopeType.Terminal, "T-000003", ["T-000003"] },
        { ScopeType.Merchant, "m-0002", ["T-000003", "T-000004"] },
        { ScopeType.Region, "east", ["T-000001", "T-000002", "T-000004"] },
        { ScopeType.Gateway, "gw-alipay", ["T-000003"] },
        { ScopeType.Firmware, "3.2.2", ["T-000003", "T-000004"] },
        { ScopeType.Platform, "platform", ["T-000001", "T-000002", "T-000003", "T-000004"] },
    };

    [Theory]
    [MemberData(nameof(Scopes))]
    public async Task The_chart_of_each_scope_type_is_the_sum_of_its_terminals_rows_minute_by_minute(ScopeType scope, string scopeId, string[] members)
    {
        await using var h = await TicketHarness.CreateAsync();
        var start = h.Clock.GetUtcNow().AddHours(-1);
        var rows = new List<(string Terminal, int Minute, int Transactions, int Timeouts)>();
        var random = new Random(7);
        foreach (var terminal in new[] { "T-000001", "T-000002", "T-000003", "T-000004", "T-999999" })
            for (var m = 0; m < 6; m++)
            {
                if (random.Next(4) == 0) continue; // a minute without a row: silent
                var n = random.Next(0, 6); // 0: heartbeats only, the minute still shows
                rows.Add((terminal, m, n, random.Next(0, n + 1)));
            }
        foreach (var r in rows) await MinuteAsync(h, r.Terminal, start.AddMinutes(r.Minute), r.Transactions, r.Timeouts, 0, 0, 0);
        var queries = new IncidentQueries(h.Database.Db, new DetectionSettings());

        // Minute 6 is outside [start + 1, start + 6): the window's end is not read, nor minute 0 before its start.
        var chart = await queries.ScopeRateAsync(scope, scopeId, start.AddMinutes(1), start.AddMinutes(6), default);

        var expected = rows.Where(r => members.Contains(r.Terminal) && r.Minute is >= 1 and < 6)
            .GroupBy(r => r.Minute).OrderBy(g => g.Key)
            .Select(g => new ScopeMinute(start.AddMinutes(g.Key), g.Sum(r => r.Transactions), g.Sum(r => r.Timeouts))).ToList();
        Assert.NotEmpty(expected);
        Assert.Equal(expected, chart);
    }

    /// <summary>
    /// What SQLite plans for each scope's chart: a terminal's and a merchant's reach terminal_minutes only by their
    /// terminals (ix_terminal_minutes_terminal), a wide scope reads only its totals; none scans the estate's rows.
    /// </summary>
    [Theory]
    [InlineData("IncidentQueries.SelectTerminalMinutes", "ix_terminal_minutes_terminal")]
    [InlineData("IncidentQueries.SelectMerchantMinutes", "ix_terminal_minutes_terminal")]
    [InlineData("IncidentQueries.SelectScopeTotals", "scope_minutes")]
    public async Task No_chart_scans_the_estate_s_terminal_minutes(string statement, string reads)
    {
        await using var h = await TicketHarness.CreateAsync();
        var sql = Infrastructure.TSqlParseTests.RepositoryStatements()[statement].Sqlite;
        await using var c = await h.Database.Db.OpenAsync();

        var plan = string.Join("\n", (await c.QueryAsync<(long, long, long, string Detail)>("EXPLAIN QUERY PLAN " + sql,
            new { Scope = "region", ScopeId = "east", From = 0L, To = 1L })).Select(r => r.Detail));

        Assert.Contains(reads, plan);
        Assert.DoesNotContain("SCAN m", plan);
        Assert.DoesNotContain("SCAN terminal_minutes", plan);
        Assert.DoesNotContain("SCAN t", plan);
    }

    [Fact]
    public async Task A_wide_incident_s_minutes_from_before_scope_totals_were_kept_are_read_from_the_terminal_rows()
    {
        await using var h = await TicketHarness.CreateAsync();
        var start = h.Clock.GetUtcNow().AddDays(-3);
        // Rows of an older build, which kept no scope totals: migration 0016 starts them after its newest minute.
        await using (var c = await h.Database.Db.OpenAsync())
        {
            foreach (var (terminal, minute, n, timeouts) in new[] { ("T-000001", 0, 4, 1), ("T-000004", 0, 2, 2), ("T-000003", 0, 9, 9), ("T-000002", 1, 3, 0) })
                await c.ExecuteAsync("INSERT INTO terminal_minutes (terminal_id, minute, transactions, timeouts) VALUES (@terminal, @m, @n, @timeouts);",
                    new { terminal, m = DbTime.ToMs(start.AddMinutes(minute)), n, timeouts });
            await c.ExecuteAsync("UPDATE scope_minutes_since SET minute = @m WHERE id = 1;", new { m = DbTime.ToMs(start.AddMinutes(2)) });
        }
        await MinuteAsync(h, "T-000001", start.AddMinutes(2), 5, 5, 0, 0, 0);
        var queries = new IncidentQueries(h.Database.Db, new DetectionSettings());

        var chart = await queries.ScopeRateAsync(ScopeType.Region, "east", start, start.AddMinutes(10), default);

        Assert.Equal([new ScopeMinute(start, 6, 3), new ScopeMinute(start.AddMinutes(1), 3, 0), new ScopeMinute(start.AddMinutes(2), 5, 5)], chart);
    }

    [Fact]
    public async Task A_wide_incident_with_more_affected_terminals_than_are_priced_one_by_one_counts_and_values_its_whole_scope()
    {
        await using var h = await TicketHarness.CreateAsync();
        var incident = await h.DetectAsync(h.GatewayIncident());
        var opened = incident.OpenedAt;
        await MinuteAsync(h, "T-000001", opened.AddDays(-1), 10, 0, 0, 50_00 * 10, 10);
        await MinuteAsync(h, "T-000002", opened.AddDays(-2), 10, 0, 0, 150_00 * 10, 10);   // the gateway's average ticket: 100.00
        await MinuteAsync(h, "T-000001", opened.AddMinutes(1), 10, 4, 1, 0, 0);
        await MinuteAsync(h, "T-000004", opened.AddMinutes(2), 3, 3, 0, 0, 0);
        await MinuteAsync(h, "T-000003", opened.AddMinutes(1), 8, 8, 0, 0, 0);             // other gateway
        await MinuteAsync(h, "T-000004", opened.AddMinutes(-16), 2, 1, 0, 0, 0);           // before detection's window
        var queries = new IncidentQueries(h.Database.Db, new DetectionSettings { LongWindow = TimeSpan.FromMinutes(15) });

        var impact = await queries.ImpactAsync(incident with { AffectedTerminals = IncidentQueries.ExactImpactTerminals + 1 }, opened.AddMinutes(30), default);

        Assert.True(impact.WholeScope);
        Assert.Equal(4 + 1 + 3, impact.FailedSales);
        Assert.Equal(8 * 100_00, impact.EstimatedValueMinor);
    }
}
