using System.Reflection;
using DbUp;
using DbUp.Builder;
using DbUp.Engine;
using Microsoft.Data.Sqlite;

namespace PosMonitor.Web.Infrastructure.Data;

/// <summary>
/// Applies the numbered scripts of db/sqlite or db/sqlserver (embedded in this assembly) with DbUp,
/// at start-up or through <c>PosMonitor.Web migrate</c>.
/// </summary>
public sealed class Migrator(Db db, ILogger<Migrator> logger)
{
    public UpgradeEngine Engine()
    {
        UpgradeEngineBuilder builder;
        if (db.Provider == DatabaseProvider.SqlServer)
        {
            builder = DeployChanges.To.SqlDatabase(db.ConnectionString);
        }
        else
        {
            // WAL lets readers (pages, detection) run beside the single writer; it is a property of the file.
            using (var connection = new SqliteConnection(db.ConnectionString))
            {
                connection.Open();
                using var pragma = connection.CreateCommand();
                pragma.CommandText = "PRAGMA journal_mode=WAL;";
                pragma.ExecuteNonQuery();
            }
            builder = DeployChanges.To.SqliteDatabase(db.ConnectionString);
        }
        var prefix = db.Provider == DatabaseProvider.SqlServer ? "db.sqlserver." : "db.sqlite.";
        return builder
            .WithScriptsEmbeddedInAssembly(Assembly.GetExecutingAssembly(), name => name.StartsWith(prefix, StringComparison.Ordinal))
            .WithTransactionPerScript()
            .LogTo(new DbUpLog(logger))
            .Build();
    }

    public void Migrate()
    {
        var result = Engine().PerformUpgrade();
        if (!result.Successful)
            throw new InvalidOperationException($"Migration {result.ErrorScript?.Name} failed: {result.Error.Message}", result.Error);
    }

    public bool IsUpToDate()
    {
        try
        {
            return !Engine().IsUpgradeRequired();
        }
        catch (Exception e)
        {
            logger.LogWarning(e, "Could not read the migration journal");
            return false;
        }
    }

    private sealed class DbUpLog(ILogger logger) : DbUp.Engine.Output.IUpgradeLog
    {
        public void LogTrace(string format, params object[] args) => logger.LogTrace(format, args);
        public void LogDebug(string format, params object[] args) => logger.LogDebug(format, args);
        public void LogInformation(string format, params object[] args) => logger.LogInformation(format, args);
        public void LogWarning(string format, params object[] args) => logger.LogWarning(format, args);
        public void LogError(string format, params object[] args) => logger.LogError(format, args);
        public void LogError(Exception ex, string format, params object[] args) => logger.LogError(ex, format, args);
    }
}
