using Dapper;
using Microsoft.Extensions.Logging.Abstractions;
using PosMonitor.Web.Infrastructure.Data;

namespace PosMonitor.Web.Tests.Infrastructure;

public class MigrationTests
{
    [Fact]
    public async Task Migrations_apply_to_an_empty_sqlite_database_twice_without_error()
    {
        await using var database = await TestDatabase.CreateAsync(DatabaseProvider.Sqlite);
        var migrator = new Migrator(database.Db, NullLogger<Migrator>.Instance);

        migrator.Migrate(); // the second run: everything is already applied
        Assert.True(migrator.IsUpToDate());

        await using var c = await database.Db.OpenAsync();
        var tables = (await c.QueryAsync<string>("SELECT name FROM sqlite_master WHERE type = 'table'")).ToHashSet();
        Assert.Superset(new HashSet<string> { "regions", "gateways", "merchants", "terminals", "api_keys" }, tables);
        Assert.Equal("wal", await c.ExecuteScalarAsync<string>("PRAGMA journal_mode;"));
    }
}
