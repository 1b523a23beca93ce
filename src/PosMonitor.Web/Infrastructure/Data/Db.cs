using System.Data.Common;
using Dapper;
using Microsoft.Data.SqlClient;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Options;

namespace PosMonitor.Web.Infrastructure.Data;

/// <summary>
/// Opens connections for the configured provider. SQLite allows one writer at a time, so writes
/// go through <see cref="WriteAsync{T}"/>, which serialises them in-process instead of letting
/// them collide on SQLITE_BUSY; SQL Server writes run concurrently.
/// </summary>
public sealed class Db(IOptions<DatabaseOptions> options, IConfiguration configuration, IHostEnvironment environment)
{
    private readonly SemaphoreSlim _sqliteWriter = new(1, 1);

    public DatabaseProvider Provider { get; } = options.Value.Provider;

    public string ConnectionString { get; } = ResolveConnectionString(options.Value, configuration, environment);

    public string Sql(SqlText sql) => sql.For(Provider);

    public async Task<DbConnection> OpenAsync(CancellationToken ct = default)
    {
        DbConnection connection = Provider == DatabaseProvider.SqlServer
            ? new SqlConnection(ConnectionString)
            : new SqliteConnection(ConnectionString);
        await connection.OpenAsync(ct);
        // busy_timeout: SqliteCommand retries a locked database itself, but the writer's prepared
        // statements (RowCommand) step SQLite directly and would fail at once without SQLite's own wait.
        if (Provider == DatabaseProvider.Sqlite)
            await connection.ExecuteAsync(new CommandDefinition(
                $"PRAGMA synchronous={options.Value.SqliteSynchronous}; PRAGMA foreign_keys=ON; PRAGMA cache_size=-{options.Value.SqliteCacheMb * 1024}; PRAGMA wal_autocheckpoint={SqliteCheckpointer.AutoCheckpointPages}; PRAGMA busy_timeout=30000;", cancellationToken: ct));
        return connection;
    }

    /// <summary>Runs <paramref name="work"/> in a transaction that commits when it returns.</summary>
    public async Task<T> WriteAsync<T>(Func<DbConnection, DbTransaction, Task<T>> work, CancellationToken ct = default)
    {
        var serialise = Provider == DatabaseProvider.Sqlite;
        if (serialise) await _sqliteWriter.WaitAsync(ct);
        try
        {
            await using var connection = await OpenAsync(ct);
            await using var tx = await connection.BeginTransactionAsync(ct);
            var result = await work(connection, tx);
            await tx.CommitAsync(ct);
            return result;
        }
        finally
        {
            if (serialise) _sqliteWriter.Release();
        }
    }

    public Task WriteAsync(Func<DbConnection, DbTransaction, Task> work, CancellationToken ct = default) =>
        WriteAsync(async (c, t) => { await work(c, t); return true; }, ct);

    private static string ResolveConnectionString(DatabaseOptions options, IConfiguration configuration, IHostEnvironment environment)
    {
        var configured = configuration.GetConnectionString("PosMonitor");
        if (options.Provider == DatabaseProvider.SqlServer)
            return string.IsNullOrWhiteSpace(configured)
                ? throw new InvalidOperationException("PosMonitor:Database:Provider is SqlServer but ConnectionStrings:PosMonitor is not set.")
                : configured;

        var builder = new SqliteConnectionStringBuilder(string.IsNullOrWhiteSpace(configured)
            ? $"Data Source={Path.Combine(options.DataFolder, "posmonitor.db")}"
            : configured);
        // A relative data source is taken from the content root, so `dotnet run` and tests agree.
        if (!Path.IsPathRooted(builder.DataSource) && builder.DataSource != ":memory:")
            builder.DataSource = Path.Combine(environment.ContentRootPath, builder.DataSource);
        Directory.CreateDirectory(Path.GetDirectoryName(builder.DataSource)!);
        builder.Pooling = true;
        builder.DefaultTimeout = 30;
        return builder.ToString();
    }
}

/// <summary>Epoch milliseconds, how times are stored in both dialects (sortable, compact, no provider quirks).</summary>
public static class DbTime
{
    public static long ToMs(DateTimeOffset t) => t.ToUnixTimeMilliseconds();
    public static DateTimeOffset FromMs(long ms) => DateTimeOffset.FromUnixTimeMilliseconds(ms);
    public static DateTimeOffset? FromMs(long? ms) => ms is { } v ? DateTimeOffset.FromUnixTimeMilliseconds(v) : null;
}
