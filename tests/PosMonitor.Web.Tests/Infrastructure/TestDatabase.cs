using Microsoft.Data.SqlClient;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.FileProviders;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using PosMonitor.Web.Infrastructure.Data;

namespace PosMonitor.Web.Tests.Infrastructure;

/// <summary>
/// One migrated, empty database for a repository test: SQLite always, SQL Server when
/// POSMONITOR_TEST_SQLSERVER holds a connection string (a database is created and dropped).
/// </summary>
public sealed class TestDatabase : IAsyncDisposable
{
    public const string SqlServerVariable = "POSMONITOR_TEST_SQLSERVER";
    private readonly string? _cleanupPath;
    private readonly (string Master, string Name)? _sqlServerDb;

    private TestDatabase(Db db, string? cleanupPath, (string, string)? sqlServerDb)
    {
        Db = db;
        _cleanupPath = cleanupPath;
        _sqlServerDb = sqlServerDb;
    }

    public Db Db { get; }

    /// <summary>Providers for [Theory] repository tests; SQL Server rows are skipped, with the reason, when not configured.</summary>
    public static IEnumerable<TheoryDataRow<DatabaseProvider>> Providers()
    {
        yield return new TheoryDataRow<DatabaseProvider>(DatabaseProvider.Sqlite);
        var sqlServer = new TheoryDataRow<DatabaseProvider>(DatabaseProvider.SqlServer);
        if (string.IsNullOrEmpty(Environment.GetEnvironmentVariable(SqlServerVariable)))
            sqlServer.Skip = $"SQL Server not configured: set {SqlServerVariable} to a connection string to run these tests against it";
        yield return sqlServer;
    }

    public static async Task<TestDatabase> CreateAsync(DatabaseProvider provider)
    {
        TestDatabase database;
        if (provider == DatabaseProvider.Sqlite)
        {
            var folder = Path.Combine(Path.GetTempPath(), "posmonitor-tests", Guid.NewGuid().ToString("N"));
            database = new TestDatabase(MakeDb(provider, $"Data Source={Path.Combine(folder, "repo.db")}", folder), folder, null);
        }
        else
        {
            var master = Environment.GetEnvironmentVariable(SqlServerVariable)!;
            var name = "posmonitor_test_" + Guid.NewGuid().ToString("N")[..12];
            await using (var c = new SqlConnection(master))
            {
                await c.OpenAsync();
                await using var cmd = c.CreateCommand();
                cmd.CommandText = $"CREATE DATABASE [{name}]";
                await cmd.ExecuteNonQueryAsync();
            }
            var cs = new SqlConnectionStringBuilder(master) { InitialCatalog = name }.ToString();
            database = new TestDatabase(MakeDb(provider, cs, Path.GetTempPath()), null, (master, name));
        }
        database.Db.EnsureExists(create: true);
        new Migrator(database.Db, NullLogger<Migrator>.Instance).Migrate();
        return database;
    }

    public static Db MakeDb(DatabaseProvider provider, string connectionString, string contentRoot)
    {
        Directory.CreateDirectory(contentRoot);
        var configuration = new ConfigurationBuilder()
            .AddInMemoryCollection(new Dictionary<string, string?> { ["ConnectionStrings:PosMonitor"] = connectionString })
            .Build();
        return new Db(Options.Create(new DatabaseOptions { Provider = provider }), configuration, new TestEnvironment(contentRoot));
    }

    public async ValueTask DisposeAsync()
    {
        if (_cleanupPath is not null)
        {
            SqliteConnection.ClearAllPools();
            try { Directory.Delete(_cleanupPath, recursive: true); } catch (IOException) { /* temp space */ }
        }
        if (_sqlServerDb is { } s)
        {
            SqlConnection.ClearAllPools();
            await using var c = new SqlConnection(s.Master);
            await c.OpenAsync();
            await using var cmd = c.CreateCommand();
            cmd.CommandText = $"ALTER DATABASE [{s.Name}] SET SINGLE_USER WITH ROLLBACK IMMEDIATE; DROP DATABASE [{s.Name}];";
            await cmd.ExecuteNonQueryAsync();
        }
    }

    private sealed class TestEnvironment(string root) : IHostEnvironment
    {
        public string EnvironmentName { get; set; } = "Testing";
        public string ApplicationName { get; set; } = "PosMonitor.Web.Tests";
        public string ContentRootPath { get; set; } = root;
        public IFileProvider ContentRootFileProvider { get; set; } = new NullFileProvider();
    }
}
