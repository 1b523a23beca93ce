using PosMonitor.Core.Detection;
using PosMonitor.Core.Incidents;
using PosMonitor.Web.Features.Identity;
using PosMonitor.Web.Features.Incidents;
using PosMonitor.Web.Infrastructure.Data;
using PosMonitor.Web.Tests.Infrastructure;
using FleetModel = PosMonitor.Core.Fleet.Fleet;

namespace PosMonitor.Web.Tests.Incidents;

/// <summary>
/// The incident queue pages, sorts and filters in SQL: 5,000 incidents, one page of 50 asked for, and exactly the
/// rows the old in-circuit filter and sort would have shown on that page come back, with the total.
/// Runs on SQLite always and on SQL Server when POSMONITOR_TEST_SQLSERVER is set.
/// </summary>
public class IncidentQueueTests
{
    private static readonly FleetModel Fleet = FleetModel.FromDocument(TestFleet.Small());
    private static readonly DateTimeOffset T0 = new(2026, 11, 25, 8, 0, 0, TimeSpan.Zero);
    private static readonly DateTimeOffset Since = T0.AddDays(-7);
    private static readonly Viewer Everyone = new(true, null, false);
    private static readonly SlaOptions Sla = new();

    private static List<Incident> Many(int count) => [.. Enumerable.Range(0, count).Select(i =>
        TestIncidents.GatewayOutage($"inc-{i + 1:D6}", T0.AddMinutes(i % 997), [i % 3 == 0 ? "T-000004" : "T-000001"],
            resolvedAt: i % 4 == 0 ? T0.AddDays(1) : i % 11 == 0 ? T0.AddDays(-30) : null) with
        {
            Severity = (Severity)(i % 3),
            Cause = (Cause)(i % 5),
            ScopeType = i % 7 == 0 ? ScopeType.Merchant : ScopeType.Gateway,
            ScopeId = i % 7 == 0 ? "m-0003" : "gw-unionpay",
        })];

    private static async Task<(TestDatabase Database, IncidentRepository Repository, List<Incident> All)> SeedAsync(DatabaseProvider provider)
    {
        var database = await TestDatabase.CreateAsync(provider);
        var repository = new IncidentRepository(database.Db);
        var all = Many(5000);
        await repository.SaveAsync([.. all.Select(i => new IncidentChange(IncidentChangeKind.Opened, i))], Fleet, CancellationToken.None);
        return (database, repository, all);
    }

    /// <summary>What the queue showed before, filtered and sorted in the circuit (incidents without tickets).</summary>
    private static IEnumerable<Incident> Expected(List<Incident> all, Func<Incident, bool> where, string sort)
    {
        var shown = all.Where(i => i.ResolvedAt is null || i.ResolvedAt >= Since).Where(where)
            .OrderByDescending(i => i.OpenedAt).ThenByDescending(i => i.Id, StringComparer.Ordinal);
        return sort switch
        {
            "age" => shown.OrderBy(i => i.OpenedAt),
            "newest" => shown.OrderByDescending(i => i.OpenedAt),
            _ => shown.OrderBy(i => i.ResolvedAt is not null).ThenBy(i => Sla.AcknowledgeBy(i.Severity, i.OpenedAt)).ThenBy(i => i.Severity),
        };
    }

    [Theory]
    [MemberData(nameof(TestDatabase.Providers), MemberType = typeof(TestDatabase))]
    public async Task Page_3_by_age_of_the_major_ones_is_the_database_s_page(DatabaseProvider provider)
    {
        var (database, repository, all) = await SeedAsync(provider);
        await using var _ = database;

        var page = await repository.QueueAsync(Everyone, new QueueFilter(Status: "", Severity: "major", Sort: "age"), Sla, Since, skip: 100, take: 50, CancellationToken.None);

        var expected = Expected(all, i => i.Severity == Severity.Major, "age").ToList();
        Assert.Equal(expected.Count, page.Total);
        Assert.Equal(expected.Skip(100).Take(50).Select(i => i.Id), page.Items.Select(i => i.Id));
    }

    [Theory]
    [MemberData(nameof(TestDatabase.Providers), MemberType = typeof(TestDatabase))]
    public async Task Open_ones_touching_a_merchant_come_in_SLA_order_page_by_page(DatabaseProvider provider)
    {
        var (database, repository, all) = await SeedAsync(provider);
        await using var _ = database;
        var filter = new QueueFilter(Status: "active", Merchant: "m-0003", Cause: "gateway");

        var page = await repository.QueueAsync(Everyone, filter, Sla, Since, skip: 40, take: 20, CancellationToken.None);

        // m-0003 owns neither terminal: only the incidents scoped to it match, as the old filter had it.
        var expected = Expected(all, i => i.ResolvedAt is null && i.Cause == Cause.Gateway && i.ScopeType == ScopeType.Merchant && i.ScopeId == "m-0003", "sla").ToList();
        Assert.True(expected.Count > 60);
        Assert.Equal(expected.Count, page.Total);
        Assert.Equal(expected.Skip(40).Take(20).Select(i => i.Id), page.Items.Select(i => i.Id));
    }

    [Theory]
    [MemberData(nameof(TestDatabase.Providers), MemberType = typeof(TestDatabase))]
    public async Task A_merchant_bound_viewer_pages_through_its_own_incidents_only(DatabaseProvider provider)
    {
        var (database, repository, all) = await SeedAsync(provider);
        await using var _ = database;

        var page = await repository.QueueAsync(new Viewer(false, "m-0002", false), new QueueFilter(Status: "", Sort: "newest"), Sla, Since, skip: 0, take: 200, CancellationToken.None);

        var expected = Expected(all, i => i.AffectedMerchantIds.Contains("m-0002"), "newest").ToList();
        Assert.Equal(expected.Count, page.Total);
        Assert.Equal(200, page.Items.Count);
        Assert.Equal(expected.Take(200).Select(i => i.Id), page.Items.Select(i => i.Id));
    }
}
