using PosMonitor.Core.Incidents;
using PosMonitor.Web.Features.Runbooks;
using PosMonitor.Web.Infrastructure.Data;
using PosMonitor.Web.Tests.Infrastructure;

namespace PosMonitor.Web.Tests.Runbooks;

/// <summary>Runs on SQLite always and on SQL Server when POSMONITOR_TEST_SQLSERVER is set.</summary>
public class RunbookRepositoryTests
{
    [Theory]
    [MemberData(nameof(TestDatabase.Providers), MemberType = typeof(TestDatabase))]
    public async Task Seeding_writes_version_1_of_each_default_once(DatabaseProvider provider)
    {
        await using var database = await TestDatabase.CreateAsync(provider);
        var runbooks = new RunbookRepository(database.Db, TimeProvider.System);

        var first = await runbooks.SeedAsync(DefaultRunbooks.All);
        var again = await runbooks.SeedAsync(DefaultRunbooks.All);
        var list = await runbooks.ListAsync();
        var gateway = await runbooks.CurrentVersionAsync("rb-gateway-degradation");

        Assert.Equal(7, first);
        Assert.Equal(0, again);
        Assert.Equal(7, list.Count);
        Assert.All(list, r => Assert.Equal(1, r.Version));
        Assert.NotNull(gateway);
        Assert.Equal(Cause.Gateway, gateway.Cause);
        Assert.Equal(Severity.Critical, gateway.Severity);
        Assert.Equal(DefaultRunbooks.All.Single(r => r.Id == gateway.Id).Steps, gateway.Steps);
        Assert.Equal(DefaultRunbooks.All.Single(r => r.Id == gateway.Id).Contacts, gateway.Contacts);
        Assert.Equal("支付网关故障或响应缓慢", gateway.Title.Zh);
    }

    [Fact]
    public async Task What_an_editor_types_is_stored_with_card_numbers_masked()
    {
        await using var database = await TestDatabase.CreateAsync(DatabaseProvider.Sqlite);
        var runbooks = new RunbookRepository(database.Db, TimeProvider.System);
        await runbooks.SeedAsync(DefaultRunbooks.All);
        var v1 = (await runbooks.CurrentVersionAsync("rb-network-outage"))!;
        var step = v1.Steps[0];

        await runbooks.SaveAsync(v1.Content with
        {
            Steps = [step with { Instructions = new LocalizedText("Test with card 4111.1111.1111.1111", "用测试卡４１１１１１１１１１１１１１１１") }, .. v1.Steps.Skip(1)],
            Workaround = new LocalizedText("Pay with 4111 1111 1111 1111 meanwhile", v1.Content.Workaround.Zh),
        }, 1, "admin@test.local", "card 4111/1111/1111/1111 for tests");

        var v2 = (await runbooks.CurrentVersionAsync("rb-network-outage"))!;
        Assert.Equal("Test with card 411111******1111", v2.Steps[0].Instructions.En);
        Assert.Equal("用测试卡411111******1111", v2.Steps[0].Instructions.Zh);
        Assert.Equal("Pay with 411111******1111 meanwhile", v2.Content.Workaround.En);
        Assert.Empty(await StoredCardData.FindAsync(database.Db));
    }

    [Theory]
    [MemberData(nameof(TestDatabase.Providers), MemberType = typeof(TestDatabase))]
    public async Task Editing_makes_a_new_version_and_the_old_one_stays_as_it_was(DatabaseProvider provider)
    {
        await using var database = await TestDatabase.CreateAsync(provider);
        var runbooks = new RunbookRepository(database.Db, TimeProvider.System);
        await runbooks.SeedAsync(DefaultRunbooks.All);
        var v1 = (await runbooks.CurrentVersionAsync("rb-network-outage"))!;

        var edited = v1.Content with
        {
            Steps = [.. v1.Steps.Skip(1), new RunbookStep(new("Call the landlord", "联系物业"), new("Ask about works.", "询问是否施工。"), RunbookRoles.SupportAgent, 5)],
        };
        var v2 = await runbooks.SaveAsync(edited, 1, "alice", "landlord step");
        var seededAgain = await runbooks.SeedAsync(DefaultRunbooks.All);

        Assert.Equal(2, v2);
        Assert.Equal(0, seededAgain);
        var current = (await runbooks.CurrentVersionAsync("rb-network-outage"))!;
        var old = (await runbooks.GetVersionAsync("rb-network-outage", 1))!;
        Assert.Equal(2, current.Version);
        Assert.Equal("Call the landlord", current.Steps[^1].Title.En);
        Assert.Equal(v1.Steps, old.Steps);
        Assert.Equal("alice", current.CreatedBy);
        Assert.Equal([2, 1], (await runbooks.VersionsAsync("rb-network-outage")).Select(v => v.Version));
        Assert.Null(await runbooks.GetVersionAsync("rb-network-outage", 3));
    }

    [Theory]
    [MemberData(nameof(TestDatabase.Providers), MemberType = typeof(TestDatabase))]
    public async Task Saving_from_a_stale_version_is_refused(DatabaseProvider provider)
    {
        await using var database = await TestDatabase.CreateAsync(provider);
        var runbooks = new RunbookRepository(database.Db, TimeProvider.System);
        await runbooks.SeedAsync(DefaultRunbooks.All);
        var v1 = (await runbooks.CurrentVersionAsync("rb-operator-guidance"))!;
        await runbooks.SaveAsync(v1.Content, 1, "alice", null);

        var conflict = await Assert.ThrowsAsync<RunbookConflictException>(() => runbooks.SaveAsync(v1.Content, 1, "bob", null));
        var duplicate = await Assert.ThrowsAsync<RunbookConflictException>(() => runbooks.SaveAsync(v1.Content, 0, "bob", null));

        Assert.Equal(2, conflict.Current);
        Assert.Equal(2, duplicate.Current);
        Assert.Equal(2, (await runbooks.CurrentVersionAsync("rb-operator-guidance"))!.Version);
    }

    [Theory]
    [MemberData(nameof(TestDatabase.Providers), MemberType = typeof(TestDatabase))]
    public async Task An_invalid_draft_is_not_saved(DatabaseProvider provider)
    {
        await using var database = await TestDatabase.CreateAsync(provider);
        var runbooks = new RunbookRepository(database.Db, TimeProvider.System);
        var draft = new RunbookDraft { Id = "rb-x", Cause = Cause.Network, Severity = Severity.Minor, Title = new("Only English", "") };

        await Assert.ThrowsAsync<ArgumentException>(() => runbooks.SaveAsync(draft, 0, "alice", null));
        Assert.Null(await runbooks.CurrentVersionAsync("rb-x"));
    }
}
