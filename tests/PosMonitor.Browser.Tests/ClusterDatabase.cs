using System.Data.Common;
using Microsoft.Data.SqlClient;
using Microsoft.Data.Sqlite;

namespace PosMonitor.Browser.Tests;

/// <summary>
/// The one database two nodes share: a SQLite WAL file, or, when POSMONITOR_TEST_SQLSERVER holds a connection string, a
/// new SQL Server database made for the test and dropped after it (the production setup). Tests read it through
/// <see cref="OpenAsync"/> with SQL both dialects understand.
/// </summary>
public sealed class ClusterDatabase : IAsyncDisposable
{
    public const string SqlServerVariable = "POSMONITOR_TEST_SQLSERVER";
    private readonly string? _master, _name;

    private ClusterDatabase(string? sqlitePath, string? master, string? name, string connectionString)
    {
        SqlitePath = sqlitePath;
        _master = master;
        _name = name;
        ConnectionString = connectionString;
    }

    /// <summary>The SQLite file, or null on SQL Server.</summary>
    public string? SqlitePath { get; }
    public string ConnectionString { get; }
    public bool IsSqlServer => _master is not null;

    /// <summary>The portal settings (environment-variable form) that put a node on this database.</summary>
    public IReadOnlyDictionary<string, string?> Settings => new Dictionary<string, string?>
    {
        ["ConnectionStrings__PosMonitor"] = ConnectionString,
        ["PosMonitor__Database__Provider"] = IsSqlServer ? "SqlServer" : "Sqlite",
    };

    /// <param name="sqlitePath">Where the SQLite file goes when SQL Server is not configured.</param>
    public static async Task<ClusterDatabase> CreateAsync(string sqlitePath)
    {
        var master = Environment.GetEnvironmentVariable(SqlServerVariable);
        if (string.IsNullOrEmpty(master))
        {
            Directory.CreateDirectory(Path.GetDirectoryName(sqlitePath)!);
            return new ClusterDatabase(sqlitePath, null, null, $"Data Source={sqlitePath}");
        }
        var name = "posmonitor_cluster_" + Guid.NewGuid().ToString("N")[..12];
        await using (var c = new SqlConnection(master))
        {
            await c.OpenAsync();
            await using var create = c.CreateCommand();
            create.CommandText = $"CREATE DATABASE [{name}]";
            await create.ExecuteNonQueryAsync();
        }
        return new ClusterDatabase(null, master, name, new SqlConnectionStringBuilder(master) { InitialCatalog = name }.ToString());
    }

    /// <summary>A new open connection to the shared database (read it while the nodes run, or after killing them).</summary>
    public async Task<DbConnection> OpenAsync()
    {
        DbConnection c = IsSqlServer ? new SqlConnection(ConnectionString) : new SqliteConnection(ConnectionString);
        await c.OpenAsync();
        return c;
    }

    public async ValueTask DisposeAsync()
    {
        if (!IsSqlServer)
        {
            SqliteConnection.ClearAllPools();
            try
            {
                Directory.Delete(Path.GetDirectoryName(SqlitePath)!, recursive: true);
            }
            catch (IOException)
            {
                // A node still closing its file: the temporary folder stays, nothing else does.
            }
            return;
        }
        SqlConnection.ClearAllPools();
        await using var c = new SqlConnection(_master);
        await c.OpenAsync();
        await using var drop = c.CreateCommand();
        drop.CommandText = $"ALTER DATABASE [{_name}] SET SINGLE_USER WITH ROLLBACK IMMEDIATE; DROP DATABASE [{_name}];";
        await drop.ExecuteNonQueryAsync();
    }
}
