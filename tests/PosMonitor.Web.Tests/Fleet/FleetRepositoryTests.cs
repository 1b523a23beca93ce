using PosMonitor.Web.Features.Fleet;
using PosMonitor.Web.Features.Identity;
using PosMonitor.Web.Infrastructure.Data;
using PosMonitor.Web.Tests.Infrastructure;

namespace PosMonitor.Web.Tests.Fleet;

/// <summary>Runs on SQLite always and on SQL Server when POSMONITOR_TEST_SQLSERVER is set.</summary>
public class FleetRepositoryTests
{
    [Theory]
    [MemberData(nameof(TestDatabase.Providers), MemberType = typeof(TestDatabase))]
    public async Task Upsert_then_load_round_trips_the_fleet(DatabaseProvider provider)
    {
        await using var database = await TestDatabase.CreateAsync(provider);
        var fleet = new FleetRepository(database.Db, TimeProvider.System);

        await fleet.UpsertAsync(TestFleet.Small(), CancellationToken.None);
        await fleet.UpsertAsync(TestFleet.Small(), CancellationToken.None);
        var loaded = await fleet.LoadAsync(CancellationToken.None);

        Assert.Equal(2, loaded.Merchants.Count);
        Assert.Equal(4, loaded.Terminals.Count);
        Assert.Equal("10:00-22:00", loaded.Merchants["m-0001"].OpeningHours);
        Assert.Null(loaded.Merchants["m-0002"].OpeningHours);
        Assert.Equal("east", loaded.Terminals["T-000004"].RegionId);
        Assert.Equal("Nanjing Rd", loaded.Terminals["T-000001"].Store);

        // One string per repeated value, not a copy per row (a 200,000-terminal estate held ~1.3 million copies).
        var (a, b) = (loaded.Terminals["T-000001"], loaded.Terminals["T-000002"]);
        Assert.Equal(a.MerchantId, b.MerchantId);
        Assert.Same(loaded.Merchants[a.MerchantId].Id, a.MerchantId);
        Assert.Same(a.MerchantId, b.MerchantId);
        Assert.Same(a.Firmware, b.Firmware);
        Assert.Same(a.RegionId, loaded.Merchants[a.MerchantId].RegionId);
    }

    [Theory]
    [MemberData(nameof(TestDatabase.Providers), MemberType = typeof(TestDatabase))]
    public async Task Grids_page_search_and_sort_on_the_server(DatabaseProvider provider)
    {
        await using var database = await TestDatabase.CreateAsync(provider);
        var fleet = new FleetRepository(database.Db, TimeProvider.System);
        await fleet.UpsertAsync(TestFleet.Small(), CancellationToken.None);

        var page = await fleet.TerminalsAsync(new GridQuery(null, "Id", true, 1, 2), null, CancellationToken.None);
        var search = await fleet.TerminalsAsync(new GridQuery("bakery", "Id", false, 0, 10), null, CancellationToken.None);
        var merchants = await fleet.MerchantsAsync(new GridQuery(null, "Terminals", true, 0, 10), CancellationToken.None);
        var ofMerchant = await fleet.TerminalsAsync(new GridQuery(null, null, false, 0, 10), "m-0001", CancellationToken.None);
        var injected = await fleet.TerminalsAsync(new GridQuery(null, "Id; DROP TABLE terminals", false, 0, 10), null, CancellationToken.None);

        Assert.Equal(4, page.Total);
        Assert.Equal(["T-000003", "T-000002"], page.Items.Select(t => t.Id));
        Assert.Equal(["T-000003", "T-000004"], search.Items.Select(t => t.Id));
        Assert.Equal(2, merchants.Items[0].Terminals);
        Assert.Equal(["T-000001", "T-000002"], ofMerchant.Items.Select(t => t.Id));
        Assert.Equal(4, injected.Total); // an unknown sort name falls back to the id, never reaches the SQL
    }

    [Theory]
    [MemberData(nameof(TestDatabase.Providers), MemberType = typeof(TestDatabase))]
    public async Task Api_keys_are_found_by_key_until_revoked(DatabaseProvider provider)
    {
        await using var database = await TestDatabase.CreateAsync(provider);
        await new FleetRepository(database.Db, TimeProvider.System).UpsertAsync(TestFleet.Small(), CancellationToken.None);
        var keys = new ApiKeyRepository(database.Db, TimeProvider.System, Microsoft.Extensions.Logging.Abstractions.NullLogger<ApiKeyRepository>.Instance);

        var (id, key) = await keys.CreateAsync("bridge", Scopes.IngestMerchant, "m-0001", "test", CancellationToken.None);
        var found = await keys.FindAsync(key, CancellationToken.None);
        await keys.RevokeAsync(id, CancellationToken.None);

        Assert.Equal(new ApiKeyInfo(id, "bridge", Scopes.IngestMerchant, "m-0001"), found);
        Assert.Null(await keys.FindAsync(key, CancellationToken.None));
        Assert.Null(await keys.FindAsync("pmk_other", CancellationToken.None));
    }
}
