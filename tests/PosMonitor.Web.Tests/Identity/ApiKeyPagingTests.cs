using Dapper;
using Microsoft.Extensions.Logging.Abstractions;
using PosMonitor.Web.Features.Identity;
using PosMonitor.Web.Infrastructure.Data;
using PosMonitor.Web.Tests.Infrastructure;

namespace PosMonitor.Web.Tests.Identity;

/// <summary>
/// The key list pages, sorts and searches in SQL: 5,000 keys stored, one page asked for, exactly that page back.
/// Runs on SQLite always and on SQL Server when POSMONITOR_TEST_SQLSERVER is set.
/// </summary>
public class ApiKeyPagingTests
{
    private sealed record Key(string Id, string Name, string Scope, long CreatedAt);

    private static async Task<(TestDatabase Database, ApiKeyRepository Keys, List<Key> All)> SeedAsync(DatabaseProvider provider)
    {
        var database = await TestDatabase.CreateAsync(provider);
        // Times repeat (every 1,000 keys), so the order also needs its tie-break on id.
        var all = Enumerable.Range(0, 5000).Select(i => new Key($"key-{i:D5}", i % 10 == 0 ? $"TMS relay {i}" : $"Shop {i}",
            i % 4 == 0 ? Scopes.Display : Scopes.IngestPlatform, 1_800_000_000_000 + i % 1000 * 60_000L)).ToList();
        await database.Db.WriteAsync(async (c, tx) =>
        {
            foreach (var k in all)
                await c.ExecuteAsync(
                    "INSERT INTO api_keys (id, name, scope, merchant_id, key_hash, created_at, created_by, revoked_at) VALUES (@Id, @Name, @Scope, NULL, @Hash, @CreatedAt, 'test', NULL);",
                    new { k.Id, k.Name, k.Scope, Hash = "hash-" + k.Id, k.CreatedAt }, tx);
        });
        return (database, new ApiKeyRepository(database.Db, TimeProvider.System, NullLogger<ApiKeyRepository>.Instance), all);
    }

    private static IEnumerable<Key> NewestFirst(IEnumerable<Key> keys) =>
        keys.OrderByDescending(k => k.CreatedAt).ThenByDescending(k => k.Id, StringComparer.Ordinal);

    [Theory]
    [MemberData(nameof(TestDatabase.Providers), MemberType = typeof(TestDatabase))]
    public async Task Page_3_newest_first_is_the_database_s_page(DatabaseProvider provider)
    {
        var (database, keys, all) = await SeedAsync(provider);
        await using var _ = database;

        var page = await keys.PageAsync(null, null, skip: 100, take: 50, CancellationToken.None);

        Assert.Equal(5000, page.Total);
        Assert.Equal(NewestFirst(all).Skip(100).Take(50).Select(k => k.Id), page.Items.Select(k => k.Id));
    }

    [Theory]
    [MemberData(nameof(TestDatabase.Providers), MemberType = typeof(TestDatabase))]
    public async Task Searching_and_keeping_to_one_scope_happen_before_the_page_is_cut(DatabaseProvider provider)
    {
        var (database, keys, all) = await SeedAsync(provider);
        await using var _ = database;

        var page = await keys.PageAsync("tms relay", Scopes.Display, skip: 20, take: 20, CancellationToken.None);

        var expected = NewestFirst(all.Where(k => k.Scope == Scopes.Display && k.Name.StartsWith("TMS relay", StringComparison.Ordinal))).ToList();
        Assert.Equal(expected.Count, page.Total);
        Assert.Equal(expected.Skip(20).Take(20).Select(k => k.Id), page.Items.Select(k => k.Id));
    }
}
