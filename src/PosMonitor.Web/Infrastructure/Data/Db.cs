using System.Data.Common;
using Dapper;
using Microsoft.Data.SqlClient;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Options;

namespace PosMonitor.Web.Infrastructure.Data;

/// <summary>
/// Opens connections for the configured provider. SQLite allows one writer at a time, so writes
/// go through <see cref="WriteAsync{T}"/>, which serialises them in-process instead of letting
/// them collide on SQLITE_BUSY; SQL Server writes run concurrently. SQLite connections never
/// create the file (<see cref="EnsureExists"/> does, once, at start-up), and every connection is
/// checked against the file's identity by <see cref="FileGuard"/> before it is handed out.
/// </summary>
public sealed class Db
{
    private readonly SemaphoreSlim _sqliteWriter = new(1, 1);
    private readonly DatabaseOptions _options;

    public Db(IOptions<DatabaseOptions> options, IConfiguration configuration, IHostEnvironment environment, ILoggerFactory? loggers = null)
    {
        _options = options.Value;
        Provider = _options.Provider;
        ConnectionString = ResolveConnectionString(_options, configuration, environment);
        if (Provider == DatabaseProvider.Sqlite && _options.SqliteMemoryLimitMb > 0)
        {
            // Process-wide, so every Db of the process sets the same value.
            SQLitePCL.Batteries_V2.Init();
            SQLitePCL.raw.sqlite3_soft_heap_limit64(_options.SqliteMemoryLimitMb * 1_048_576L);
        }
        if (Provider == DatabaseProvider.Sqlite)
            FileGuard = new SqliteFileGuard(new SqliteConnectionStringBuilder(ConnectionString).DataSource, ConnectionString, _sqliteWriter,
                (loggers ?? Microsoft.Extensions.Logging.Abstractions.NullLoggerFactory.Instance).CreateLogger<SqliteFileGuard>());
    }

    public DatabaseProvider Provider { get; }

    public string ConnectionString { get; }

    /// <summary>SQLite only: the watch on the database file (null on SQL Server, whose server owns its files).</summary>
    public SqliteFileGuard? FileGuard { get; }

    /// <summary>Why writes fail right now, for /readyz; null when the store is healthy.</summary>
    public string? Problem => FileGuard?.Problem;

    /// <summary>
    /// SQLite: makes sure the database file exists before anything opens it. A missing file is
    /// created only when <paramref name="create"/> says so; otherwise it is an error, because a
    /// silently created empty database loses the fleet, the keys and every stored event without a word.
    /// </summary>
    /// <returns>True when a new, empty file was created.</returns>
    public bool EnsureExists(bool create)
    {
        if (FileGuard is not { } guard || guard.Path == ":memory:" || File.Exists(guard.Path)) return false;
        if (!create)
            throw new InvalidOperationException(
                $"The database file {guard.Path} does not exist. Restore it, or set {DatabaseOptions.Section}:CreateIfMissing to true to start with a new, empty database " +
                "(outside Development a missing database is never replaced by an empty one silently).");
        using var connection = new SqliteConnection(new SqliteConnectionStringBuilder(ConnectionString) { Mode = SqliteOpenMode.ReadWriteCreate, Pooling = false }.ToString());
        connection.Open();
        return true;
    }

    /// <summary>
    /// A small write through the normal write path (page 1 rewritten and synced): how a store
    /// marked unwritable finds out that it can write again while no one else writes.
    /// </summary>
    public Task ProbeWriteAsync(CancellationToken ct) =>
        WriteAsync(async (c, tx) =>
        {
            var version = await c.ExecuteScalarAsync<long>(new CommandDefinition("PRAGMA user_version;", transaction: tx, cancellationToken: ct));
            await c.ExecuteAsync(new CommandDefinition($"PRAGMA user_version = {version};", transaction: tx, cancellationToken: ct));
        }, ct);

    /// <summary>Notices a lost or unwritable file without waiting for a write, and recovers when it can (for /readyz and housekeeping).</summary>
    public Task CheckAsync(CancellationToken ct) => FileGuard?.CheckAsync(() => ProbeWriteAsync(ct)) ?? Task.CompletedTask;

    public string Sql(SqlText sql) => sql.For(Provider);

    public async Task<DbConnection> OpenAsync(CancellationToken ct = default)
    {
        // Reads too: a connection opened while the file is lost would open whatever is at the path now.
        FileGuard?.ThrowIfLost();
        DbConnection connection = Provider == DatabaseProvider.SqlServer
            ? new SqlConnection(ConnectionString)
            : new SqliteConnection(ConnectionString);
        await connection.OpenAsync(ct);
        // mmap_size=0 (the bundled build's default, kept whatever a build defaults to): the file is read
        // with read(), so a truncated file or a failing disk is an I/O error, not a SIGBUS that kills the process.
        // busy_timeout: SqliteCommand retries a locked database itself, but the writer's prepared
        // statements (RowCommand) step SQLite directly and would fail at once without SQLite's own wait.
        if (Provider == DatabaseProvider.Sqlite)
            await connection.ExecuteAsync(new CommandDefinition(
                $"PRAGMA synchronous={_options.SqliteSynchronous}; PRAGMA foreign_keys=ON; PRAGMA cache_size=-{_options.SqliteCacheMb * 1024}; PRAGMA wal_autocheckpoint={SqliteCheckpointer.AutoCheckpointPages}; PRAGMA busy_timeout=30000; PRAGMA mmap_size=0;", cancellationToken: ct));
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
            FileGuard?.Succeeded();
            return result;
        }
        catch (SqliteException e)
        {
            FileGuard?.Failed(e);
            throw;
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
        // Never ReadWriteCreate at run time: a connection opened after the file was deleted would make a new, empty one.
        if (builder.DataSource != ":memory:") builder.Mode = SqliteOpenMode.ReadWrite;
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
