using System.Data.Common;
using Dapper;
using PosMonitor.Core.Telemetry;

namespace PosMonitor.Web.Tests.Infrastructure;

/// <summary>What an assessor would run against a SQLite database: every text value of every table, through the card-data screen.</summary>
public static class StoredCardData
{
    /// <summary>Each stored text holding card data, as <c>table.column: value</c>.</summary>
    public static async Task<IReadOnlyList<string>> FindAsync(DbConnection c)
    {
        var found = new List<string>();
        var tables = await c.QueryAsync<string>("SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'");
        foreach (var table in tables)
        {
            var columns = await c.QueryAsync<string>($"SELECT name FROM pragma_table_info('{table}')");
            foreach (var column in columns)
            {
                var values = await c.QueryAsync<string?>($"SELECT CAST(\"{column}\" AS TEXT) FROM \"{table}\" WHERE typeof(\"{column}\") = 'text'");
                found.AddRange(values.Where(v => v is not null && CardData.Contains(v)).Select(v => $"{table}.{column}: {v}"));
            }
        }
        return found;
    }

    public static async Task<IReadOnlyList<string>> FindAsync(PosMonitor.Web.Infrastructure.Data.Db db)
    {
        await using var c = await db.OpenAsync();
        return await FindAsync(c);
    }
}
