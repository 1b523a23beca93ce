using Dapper;
using PosMonitor.Core.Detection;
using PosMonitor.Web.Features.Incidents;
using PosMonitor.Web.Infrastructure.Data;

namespace PosMonitor.Web.Tests.Incidents;

public class IncidentQueriesTests
{
    private static async Task MinuteAsync(Db db, string terminal, DateTimeOffset minute, int transactions, int timeouts, int errors, long amountSum, int amountCount)
    {
        await using var c = await db.OpenAsync();
        await c.ExecuteAsync(
            "INSERT INTO terminal_minutes (terminal_id, minute, transactions, timeouts, errors, amount_sum_minor, amount_count) VALUES (@t, @m, @n, @to, @e, @s, @c);",
            new { t = terminal, m = DbTime.ToMs(minute), n = transactions, to = timeouts, e = errors, s = amountSum, c = amountCount });
    }

    [Fact]
    public async Task Impact_counts_from_detection_s_window_before_opening_values_each_failed_sale_at_its_terminal_s_average_ticket_and_the_chart_follows_the_scope()
    {
        await using var h = await TicketHarness.CreateAsync();
        var incident = await h.DetectAsync(h.GatewayIncident()); // T-000001, T-000002, T-000004 on gw-unionpay
        var opened = incident.OpenedAt;
        var db = h.Database.Db;
        await MinuteAsync(db, "T-000001", opened.AddDays(-1), 10, 0, 0, 50_00 * 10, 10);   // average ticket 50.00
        await MinuteAsync(db, "T-000002", opened.AddDays(-2), 4, 0, 0, 120_00 * 4, 4);     // average ticket 120.00
        await MinuteAsync(db, "T-000001", opened.AddMinutes(1), 10, 4, 1, 0, 0);
        await MinuteAsync(db, "T-000002", opened.AddMinutes(1), 5, 2, 0, 0, 0);
        await MinuteAsync(db, "T-000004", opened.AddMinutes(2), 3, 3, 0, 0, 0);             // no history: counted, not valued
        await MinuteAsync(db, "T-000003", opened.AddMinutes(1), 8, 8, 0, 0, 0);             // other gateway, not affected
        // What detection opened on: the failures before it opened, within its longest window (15 min), are the fault's too.
        await MinuteAsync(db, "T-000004", opened.AddMinutes(-14), 2, 2, 0, 0, 0);
        await MinuteAsync(db, "T-000004", opened.AddMinutes(-16), 2, 1, 0, 0, 0);           // before the window: not counted
        var queries = new IncidentQueries(db, new DetectionSettings { LongWindow = TimeSpan.FromMinutes(15) });

        var impact = await queries.ImpactAsync(incident, opened.AddMinutes(30), default);
        var chart = await queries.ScopeRateAsync(incident.ScopeType, incident.ScopeId, opened, opened.AddMinutes(30), default);

        Assert.Equal(5 + 2 + 3 + 2, impact.FailedSales);
        Assert.Equal(5 * 50_00 + 2 * 120_00, impact.EstimatedValueMinor);
        Assert.Equal(2, impact.TerminalsWithSales);
        Assert.Equal(2, chart.Count);
        Assert.Equal((15, 6), (chart[0].Transactions, chart[0].Timeouts));
        Assert.Equal(1.0, chart[1].Rate);
    }
}
