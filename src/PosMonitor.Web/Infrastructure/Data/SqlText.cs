namespace PosMonitor.Web.Infrastructure.Data;

/// <summary>
/// One SQL statement in both dialects. Every statement the repositories issue is a static
/// <see cref="SqlText"/> field, so the T-SQL parse test finds and checks each SQL Server variant.
/// </summary>
public sealed record SqlText(string Sqlite, string SqlServer)
{
    /// <summary>A statement written in the SQL both dialects share.</summary>
    public static SqlText Same(string sql) => new(sql, sql);

    public string For(DatabaseProvider provider) => provider == DatabaseProvider.SqlServer ? SqlServer : Sqlite;
}
