using Dapper;
using PosMonitor.Web.Features.Identity;
using PosMonitor.Web.Infrastructure.Data;
using PosMonitor.Web.Tests.Infrastructure;

namespace PosMonitor.Web.Tests.Identity;

/// <summary>
/// The admin's user list pages, sorts and searches in SQL: 3,000 users stored, one page asked for, exactly that page
/// back. Runs on SQLite always and on SQL Server when POSMONITOR_TEST_SQLSERVER is set.
/// </summary>
public class PortalUserStoreTests
{
    private sealed record User(string Id, string Email, string DisplayName, string Role, string? MerchantId);

    private static readonly string[] Names = ["dora", "alice", "chen", "bo"];

    private static async Task<(TestDatabase Database, PortalUserStore Store, List<User> All)> SeedAsync(DatabaseProvider provider)
    {
        var database = await TestDatabase.CreateAsync(provider);
        // Ids run against the e-mail order, so a page sorted by id or by insertion could not pass for the e-mail order.
        // E-mails are lower-case letters and digits before the @, where SQLite's binary and SQL Server's collation agree.
        var all = Enumerable.Range(0, 3000).Select(i =>
        {
            var role = (i % 10) switch { 0 => Roles.Admin, 1 => Roles.Operator, 2 => Roles.SupportAgent, _ => Roles.MerchantOwner };
            var merchant = role == Roles.MerchantOwner ? $"m-{i % 300:D4}" : null;
            return new User($"u-{3000 - i:D5}", $"{Names[i % 4]}{i:D4}@shop.test", merchant is null ? $"Staff {i}" : $"Owner of {merchant}", role, merchant);
        }).ToList();
        await database.Db.WriteAsync(async (c, tx) =>
        {
            foreach (var u in all)
                await c.ExecuteAsync(
                    """
                    INSERT INTO users (id, email, normalized_email, display_name, password_hash, security_stamp, role, merchant_id,
                                       disabled, lockout_enabled, lockout_end, access_failed_count, two_factor_enabled, authenticator_key, created_at, updated_at)
                    VALUES (@Id, @Email, @Normalized, @DisplayName, NULL, 'stamp', @Role, @MerchantId, 0, 1, NULL, 0, 0, NULL, 0, 0);
                    """,
                    new { u.Id, u.Email, Normalized = u.Email.ToUpperInvariant(), u.DisplayName, u.Role, u.MerchantId }, tx);
        });
        return (database, new PortalUserStore(database.Db, TimeProvider.System), all);
    }

    [Theory]
    [MemberData(nameof(TestDatabase.Providers), MemberType = typeof(TestDatabase))]
    public async Task Page_3_sorted_by_email_is_the_database_s_page(DatabaseProvider provider)
    {
        var (database, store, all) = await SeedAsync(provider);
        await using var _ = database;

        var ascending = await store.PageAsync(new GridQuery(null, "Email", false, 50, 25), null, CancellationToken.None);
        var descending = await store.PageAsync(new GridQuery(null, "Email", true, 50, 25), null, CancellationToken.None);

        Assert.Equal(3000, ascending.Total);
        Assert.Equal(all.OrderBy(u => u.Email, StringComparer.Ordinal).Skip(50).Take(25).Select(u => u.Id), ascending.Items.Select(u => u.Id));
        Assert.Equal(all.OrderByDescending(u => u.Email, StringComparer.Ordinal).Skip(50).Take(25).Select(u => u.Id), descending.Items.Select(u => u.Id));
        var first = ascending.Items[0];
        var stored = all.Single(u => u.Id == first.Id);
        Assert.Equal((stored.Email, stored.DisplayName, stored.Role, stored.MerchantId), (first.Email, first.DisplayName, first.Role, first.MerchantId));
    }

    [Theory]
    [MemberData(nameof(TestDatabase.Providers), MemberType = typeof(TestDatabase))]
    public async Task Search_and_role_filter_happen_before_the_page_is_cut(DatabaseProvider provider)
    {
        var (database, store, all) = await SeedAsync(provider);
        await using var _ = database;

        // "m-001" matches merchants m-0010 … m-0019 in the merchant id and the display name, nothing in e-mails.
        var byMerchant = await store.PageAsync(new GridQuery("M-001", "Email", false, 10, 10), Roles.MerchantOwner, CancellationToken.None);
        var byName = await store.PageAsync(new GridQuery(" chen ", "DisplayName", true, 0, 5), null, CancellationToken.None);
        var byRole = await store.PageAsync(new GridQuery("supportagent", null, false, 20, 10), null, CancellationToken.None);
        var operators = await store.PageAsync(new GridQuery(null, null, false, 0, 1000), Roles.Operator, CancellationToken.None);

        var ofMerchants = all.Where(u => u.MerchantId?.StartsWith("m-001", StringComparison.Ordinal) == true).OrderBy(u => u.Email, StringComparer.Ordinal).ToList();
        Assert.Equal(ofMerchants.Count, byMerchant.Total);
        Assert.Equal(ofMerchants.Skip(10).Take(10).Select(u => u.Id), byMerchant.Items.Select(u => u.Id));

        var chens = all.Where(u => u.Email.StartsWith("chen", StringComparison.Ordinal)).ToList();
        Assert.Equal(chens.Count, byName.Total);
        Assert.All(byName.Items, u => Assert.StartsWith("chen", u.Email, StringComparison.Ordinal));

        var agents = all.Where(u => u.Role == Roles.SupportAgent).OrderBy(u => u.Email, StringComparer.Ordinal).ToList();
        Assert.Equal(agents.Count, byRole.Total);
        Assert.Equal(agents.Skip(20).Take(10).Select(u => u.Id), byRole.Items.Select(u => u.Id));

        Assert.Equal(all.Count(u => u.Role == Roles.Operator), operators.Total);
        Assert.All(operators.Items, u => Assert.Equal(Roles.Operator, u.Role));
        Assert.Equal(PortalUserStore.PageMax, operators.Items.Count);
    }

    [Theory]
    [MemberData(nameof(TestDatabase.Providers), MemberType = typeof(TestDatabase))]
    public async Task An_unknown_sort_name_falls_back_to_the_email_and_never_reaches_the_SQL(DatabaseProvider provider)
    {
        var (database, store, all) = await SeedAsync(provider);
        await using var _ = database;

        var page = await store.PageAsync(new GridQuery(null, "Email; DROP TABLE users", false, 0, 10), null, CancellationToken.None);

        Assert.Equal(3000, page.Total);
        Assert.Equal(all.OrderBy(u => u.Email, StringComparer.Ordinal).Take(10).Select(u => u.Id), page.Items.Select(u => u.Id));
    }

    [Theory]
    [MemberData(nameof(TestDatabase.Providers), MemberType = typeof(TestDatabase))]
    public async Task Users_in_a_role_are_those_of_that_role_whatever_the_case_it_is_named_in(DatabaseProvider provider)
    {
        var (database, store, all) = await SeedAsync(provider);
        await using var _ = database;

        var agents = await store.GetUsersInRoleAsync("SUPPORTAGENT", CancellationToken.None);
        var unknown = await store.GetUsersInRoleAsync("Auditor", CancellationToken.None);

        Assert.Equal(all.Where(u => u.Role == Roles.SupportAgent).Select(u => u.Id).Order(), agents.Select(u => u.Id).Order());
        Assert.Empty(unknown);
    }
}
