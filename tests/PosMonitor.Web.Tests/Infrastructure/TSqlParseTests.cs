using System.Reflection;
using Microsoft.SqlServer.TransactSql.ScriptDom;
using PosMonitor.Web.Infrastructure.Data;

namespace PosMonitor.Web.Tests.Infrastructure;

/// <summary>
/// No SQL Server runs on our machines, so every T-SQL script and statement is at least parsed:
/// the db/sqlserver migrations, and every <see cref="SqlText"/> the repositories issue.
/// </summary>
public class TSqlParseTests
{
    public static string DbFolder(string dialect)
    {
        var dir = new DirectoryInfo(AppContext.BaseDirectory);
        while (dir is not null && !Directory.Exists(Path.Combine(dir.FullName, "db", dialect))) dir = dir.Parent;
        return Path.Combine(dir?.FullName ?? throw new DirectoryNotFoundException("db/ not found above the test output"), "db", dialect);
    }

    public static IEnumerable<TheoryDataRow<string>> Migrations() =>
        Directory.GetFiles(DbFolder("sqlserver"), "*.sql").Order().Select(f => new TheoryDataRow<string>(Path.GetFileName(f)));

    /// <summary>Every static SqlText in the web assembly, by "Type.Field".</summary>
    public static IReadOnlyDictionary<string, SqlText> RepositoryStatements() =>
        typeof(SqlText).Assembly.GetTypes()
            .SelectMany(t => t.GetFields(BindingFlags.Static | BindingFlags.Public | BindingFlags.NonPublic)
                .Where(f => f.FieldType == typeof(SqlText))
                .Select(f => (Name: $"{t.Name}.{f.Name}", Sql: (SqlText)f.GetValue(null)!)))
            .ToDictionary(x => x.Name, x => x.Sql);

    public static IEnumerable<TheoryDataRow<string>> StatementNames() =>
        RepositoryStatements().Keys.Order().Select(n => new TheoryDataRow<string>(n));

    [Theory]
    [MemberData(nameof(Migrations))]
    public void SqlServer_migration_parses(string file) =>
        AssertParses(File.ReadAllText(Path.Combine(DbFolder("sqlserver"), file)), file);

    [Theory]
    [MemberData(nameof(StatementNames))]
    public void SqlServer_statement_parses(string name)
    {
        // Sortable grids fill {ORDER} with a whitelisted column; any column stands in for the parse.
        var sql = Paging.Page(RepositoryStatements()[name].SqlServer, "1 ASC");
        AssertParses(sql, name);
    }

    [Fact]
    public void The_parse_test_finds_the_repositories_statements() =>
        Assert.True(RepositoryStatements().Count >= 10, "SqlText discovery found too few statements");

    [Fact]
    public void The_parser_rejects_broken_TSql() =>
        Assert.NotEmpty(Parse("SELECT FROM WHERE;"));

    [Fact]
    public void Every_migration_has_a_twin_in_the_other_dialect()
    {
        static string[] Names(string dialect) => Directory.GetFiles(DbFolder(dialect), "*.sql").Select(Path.GetFileName).Order().ToArray()!;
        Assert.Equal(Names("sqlite"), Names("sqlserver"));
    }

    private static IList<ParseError> Parse(string sql)
    {
        var parser = new TSql160Parser(initialQuotedIdentifiers: true);
        parser.Parse(new StringReader(sql), out var errors);
        return errors;
    }

    private static void AssertParses(string sql, string what)
    {
        var errors = Parse(sql);
        Assert.True(errors.Count == 0,
            $"{what} does not parse as T-SQL:\n" + string.Join("\n", errors.Select(e => $"line {e.Line}, col {e.Column}: {e.Message}")));
    }
}
