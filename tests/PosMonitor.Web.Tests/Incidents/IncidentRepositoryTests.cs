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

    [Theory]
    [MemberData(nameof(TestDatabase.Providers), MemberType = typeof(TestDatabase))]
    public async Task Detection_reads_the_open_ids_oldest_first_and_only_the_open_incidents_it_asks_for(DatabaseProvider provider)
    {
        await using var database = await TestDatabase.CreateAsync(provider);
        var repo = new IncidentRepository(database.Db);
        await repo.UpsertAsync(TestIncidents.GatewayOutage("inc-000003", T0.AddMinutes(10), ["T-000002", "T-000004"]), Fleet, None);
        await repo.UpsertAsync(TestIncidents.GatewayOutage("inc-000001", T0, ["T-000001"]), Fleet, None);
        await repo.UpsertAsync(TestIncidents.GatewayOutage("inc-000002", T0.AddMinutes(5), ["T-000003"], resolvedAt: T0.AddMinutes(6)), Fleet, None);

        Assert.Equal(["inc-000001", "inc-000003"], await repo.OpenIdsAsync(None));
        var read = await repo.OpenAsync(["inc-000003", "inc-000002"], None);
        var only = Assert.Single(read);
        Assert.Equal("inc-000003", only.Id);
        Assert.Equal(["T-000002", "T-000004"], only.AffectedTerminalIds);
        Assert.Equal(["m-0001", "m-0002"], only.AffectedMerchantIds);
        Assert.Empty(await repo.OpenAsync([], None));
        Assert.Equal(["inc-000001", "inc-000003"], (await repo.OpenAsync(["inc-000003", "inc-000001"], None)).Select(i => i.Id));
    }

    [Theory]
    [MemberData(nameof(TestDatabase.Providers), MemberType = typeof(TestDatabase))]
    public async Task Updates_written_against_known_rows_add_each_new_terminal_once_even_one_another_writer_stored(DatabaseProvider provider)
    {
        await using var database = await TestDatabase.CreateAsync(provider);
        var repo = new IncidentRepository(database.Db);
        var known = new KnownAffectedRows();
        var opened = TestIncidents.GatewayOutage("inc-000041", T0, ["T-000001"]);
        await repo.SaveAsync([new IncidentChange(IncidentChangeKind.Opened, opened)], Fleet, null, known, None);
        // Another writer (an import, an earlier leader) stores a row this writer does not know of.
        await repo.UpsertAsync(TestIncidents.GatewayOutage("inc-000041", T0, ["T-000001", "T-000004"]), Fleet, None);

        var grown = TestIncidents.GatewayOutage("inc-000041", T0, ["T-000001", "T-000002", "T-000004"]) with { UpdatedAt = T0.AddMinutes(1) };
        await repo.SaveAsync([new IncidentChange(IncidentChangeKind.Updated, grown)], Fleet, null, known, None);
        // The same rows again, and a merchant counted without a terminal: one row of its own.
        var wider = grown with { AffectedMerchantIds = ["m-0001", "m-0002", "m-0009"], AffectedMerchants = 3, UpdatedAt = T0.AddMinutes(2) };
        await repo.SaveAsync([new IncidentChange(IncidentChangeKind.Updated, wider), new IncidentChange(IncidentChangeKind.Updated, wider)],
            Fleet, null, known, None);
        // Only the title moved (the very lists kept), then one more terminal.
        var retitled = wider with { Title = "Gateway gw-unionpay: 41% of sales time out at the gateway stage", UpdatedAt = T0.AddMinutes(3) };
        await repo.SaveAsync([new IncidentChange(IncidentChangeKind.Updated, retitled)], Fleet, null, known, None);
        Assert.Equal(["T-000001", "T-000002", "T-000004"], (await repo.GetAsync("inc-000041", Everyone, None))!.AffectedTerminalIds);
        var last = retitled with { AffectedTerminalIds = ["T-000001", "T-000002", "T-000003", "T-000004"], AffectedTerminals = 4, UpdatedAt = T0.AddMinutes(4) };
        await repo.SaveAsync([new IncidentChange(IncidentChangeKind.Updated, last)], Fleet, null, known, None);

        var stored = await repo.GetAsync("inc-000041", Everyone, None);
        Assert.Equal(["T-000001", "T-000002", "T-000003", "T-000004"], stored!.AffectedTerminalIds);
        Assert.Equal(["m-0001", "m-0002", "m-0009"], stored.AffectedMerchantIds);
        Assert.Equal("Gateway gw-unionpay: 41% of sales time out at the gateway stage", stored.Title);
        Assert.Equal(["opened", "updated", "updated", "updated", "updated", "updated"], (await repo.EventsAsync("inc-000041", None)).Select(e => e.Kind));
    }

    [Theory]
    [MemberData(nameof(TestDatabase.Providers), MemberType = typeof(TestDatabase))]
    public async Task Rows_of_a_save_that_failed_are_not_taken_as_stored(DatabaseProvider provider)
    {
        await using var database = await TestDatabase.CreateAsync(provider);
        var repo = new IncidentRepository(database.Db);
        var known = new KnownAffectedRows();
        var opened = TestIncidents.GatewayOutage("inc-000041", T0, ["T-000001"]);
        await repo.SaveAsync([new IncidentChange(IncidentChangeKind.Opened, opened)], Fleet, null, known, None);
        var grown = TestIncidents.GatewayOutage("inc-000041", T0, ["T-000001", "T-000002"]) with { UpdatedAt = T0.AddMinutes(1) };
        // The second change of the transaction fails (no scope id is stored): the growth is rolled back with it.
        var broken = TestIncidents.GatewayOutage("inc-000042", T0, ["T-000003"]) with { ScopeId = null! };

        await Assert.ThrowsAnyAsync<Exception>(() => repo.SaveAsync(
            [new IncidentChange(IncidentChangeKind.Updated, grown), new IncidentChange(IncidentChangeKind.Opened, broken)], Fleet, null, known, None));
        Assert.Equal(["T-000001"], (await repo.GetAsync("inc-000041", Everyone, None))!.AffectedTerminalIds);

        await repo.SaveAsync([new IncidentChange(IncidentChangeKind.Updated, grown)], Fleet, null, known, None);
        Assert.Equal(["T-000001", "T-000002"], (await repo.GetAsync("inc-000041", Everyone, None))!.AffectedTerminalIds);
    }
}
