using PosMonitor.Core.Detection;
using PosMonitor.Core.Incidents;
using PosMonitor.Web.Features.Identity;
using PosMonitor.Web.Features.Incidents;
using PosMonitor.Web.Infrastructure.Data;
using PosMonitor.Web.Tests.Infrastructure;
using FleetModel = PosMonitor.Core.Fleet.Fleet;

namespace PosMonitor.Web.Tests.Incidents;

/// <summary>Runs on SQLite always and on SQL Server when POSMONITOR_TEST_SQLSERVER is set.</summary>
public class IncidentRepositoryTests
{
    private static readonly FleetModel Fleet = FleetModel.FromDocument(TestFleet.Small());
    private static readonly DateTimeOffset T0 = new(2026, 11, 25, 8, 0, 0, TimeSpan.Zero);
    private static readonly Viewer Everyone = new(true, null, false);
    private static readonly CancellationToken None = CancellationToken.None;

    [Theory]
    [MemberData(nameof(TestDatabase.Providers), MemberType = typeof(TestDatabase))]
    public async Task Saved_changes_round_trip_with_affected_ids_timeline_and_sequence(DatabaseProvider provider)
    {
        await using var database = await TestDatabase.CreateAsync(provider);
        var repo = new IncidentRepository(database.Db);
        var opened = TestIncidents.GatewayOutage("inc-000041", T0, ["T-000001"]);
        var grown = opened with { AffectedTerminalIds = ["T-000001", "T-000004"], AffectedMerchantIds = ["m-0001", "m-0002"],
            AffectedTerminals = 2, AffectedMerchants = 2, UpdatedAt = T0.AddMinutes(2) };
        var resolved = grown with { ResolvedAt = T0.AddMinutes(30), UpdatedAt = T0.AddMinutes(30) };

        await repo.SaveAsync([new IncidentChange(IncidentChangeKind.Opened, opened)], Fleet, None);
        Assert.Single(await repo.OpenAsync(None));
        await repo.SaveAsync([new IncidentChange(IncidentChangeKind.Updated, grown)], Fleet, None);
        await repo.SaveAsync([new IncidentChange(IncidentChangeKind.Resolved, resolved)], Fleet, None);

        var stored = await repo.GetAsync("inc-000041", Everyone, None);
        Assert.NotNull(stored);
        Assert.Equal(resolved.ResolvedAt, stored.ResolvedAt);
        Assert.Equal(["T-000001", "T-000004"], stored.AffectedTerminalIds);
        Assert.Equal(["m-0001", "m-0002"], stored.AffectedMerchantIds);
        Assert.Equal((2, 2, 0.38), (stored.AffectedMerchants, stored.AffectedTerminals, stored.PeakRate));
        Assert.Equal(opened.Evidence, stored.Evidence);
        Assert.Equal((ScopeType.Gateway, Cause.Gateway, Severity.Critical), (stored.ScopeType, stored.Cause, stored.Severity));
        Assert.Empty(await repo.OpenAsync(None));
        Assert.Equal(41, await repo.LastSequenceAsync(None));

        var timeline = await repo.EventsAsync("inc-000041", None);
        Assert.Equal(["opened", "updated", "resolved"], timeline.Select(e => e.Kind));
        Assert.Equal([T0, T0.AddMinutes(2), T0.AddMinutes(30)], timeline.Select(e => e.At));
        Assert.Equal([1, 2, 2], timeline.Select(e => e.AffectedTerminals));
    }

    [Theory]
    [MemberData(nameof(TestDatabase.Providers), MemberType = typeof(TestDatabase))]
    public async Task A_merchant_viewer_lists_and_gets_only_incidents_affecting_its_merchant(DatabaseProvider provider)
    {
        await using var database = await TestDatabase.CreateAsync(provider);
        var repo = new IncidentRepository(database.Db);
        await repo.UpsertAsync(TestIncidents.GatewayOutage("inc-000001", T0, ["T-000001"]), Fleet, None);
        await repo.UpsertAsync(TestIncidents.GatewayOutage("inc-000002", T0.AddMinutes(5), ["T-000003"]), Fleet, None);
        await repo.UpsertAsync(TestIncidents.GatewayOutage("inc-000003", T0.AddMinutes(10), ["T-000002", "T-000004"]), Fleet, None);
        var merchant1 = new Viewer(false, "m-0001", false);

        var all = await repo.ListAsync(Everyone, IncidentStatus.All, null, 100, None);
        var mine = await repo.ListAsync(merchant1, IncidentStatus.All, null, 100, None);

        Assert.Equal(["inc-000003", "inc-000002", "inc-000001"], all.Select(i => i.Id));
        Assert.Equal(["inc-000003", "inc-000001"], mine.Select(i => i.Id));
        Assert.Null(await repo.GetAsync("inc-000002", merchant1, None));
        Assert.NotNull(await repo.GetAsync("inc-000003", merchant1, None));
        Assert.Empty(await repo.ListAsync(Viewer.Nobody, IncidentStatus.All, null, 100, None));
    }

    [Theory]
    [MemberData(nameof(TestDatabase.Providers), MemberType = typeof(TestDatabase))]
    public async Task Status_since_and_limit_filter_the_list(DatabaseProvider provider)
    {
        await using var database = await TestDatabase.CreateAsync(provider);
        var repo = new IncidentRepository(database.Db);
        await repo.UpsertAsync(TestIncidents.GatewayOutage("inc-000001", T0, ["T-000001"], resolvedAt: T0.AddMinutes(20)), Fleet, None);
        await repo.UpsertAsync(TestIncidents.GatewayOutage("inc-000002", T0.AddMinutes(5), ["T-000003"]), Fleet, None);
        await repo.UpsertAsync(TestIncidents.GatewayOutage("inc-000003", T0.AddMinutes(10), ["T-000002"], resolvedAt: T0.AddMinutes(60)), Fleet, None);

        async Task<string[]> Ids(IncidentStatus status, DateTimeOffset? since = null, int limit = 100) =>
            (await repo.ListAsync(Everyone, status, since, limit, None)).Select(i => i.Id).ToArray();

        Assert.Equal(["inc-000002"], await Ids(IncidentStatus.Open));
        Assert.Equal(["inc-000003", "inc-000001"], await Ids(IncidentStatus.Resolved));
        // Since 30 minutes in: the first was resolved before then; the others were still open at some point after.
        Assert.Equal(["inc-000003", "inc-000002"], await Ids(IncidentStatus.All, T0.AddMinutes(30)));
        Assert.Equal(["inc-000003"], await Ids(IncidentStatus.All, limit: 1));
    }
}
