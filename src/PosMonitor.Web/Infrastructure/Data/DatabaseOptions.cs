using System.ComponentModel.DataAnnotations;

namespace PosMonitor.Web.Infrastructure.Data;

public enum DatabaseProvider { Sqlite, SqlServer }

/// <summary>Settings under <c>PosMonitor:Database</c>.</summary>
public sealed class DatabaseOptions
{
    public const string Section = "PosMonitor:Database";

    public DatabaseProvider Provider { get; set; } = DatabaseProvider.Sqlite;

    /// <summary>Folder for the SQLite file when <c>ConnectionStrings:PosMonitor</c> is not set.</summary>
    [Required(ErrorMessage = "a folder is required")]
    public string DataFolder { get; set; } = "data";

    /// <summary>
    /// Outside Development, a missing SQLite file at start-up stops the start unless this is true:
    /// a new, empty database must be asked for, never the silent result of a lost file.
    /// </summary>
    public bool CreateIfMissing { get; set; }

    /// <summary>Apply migrations at start-up (operators who migrate before they deploy turn this off).</summary>
    public bool MigrateOnStartup { get; set; } = true;

    /// <summary>
    /// SQLite's <c>synchronous</c> pragma: FULL survives power loss, NORMAL survives only a process crash.
    /// </summary>
    [RegularExpression("^(OFF|NORMAL|FULL|EXTRA)$", ErrorMessage = "must be OFF, NORMAL, FULL or EXTRA")]
    public string SqliteSynchronous { get; set; } = "FULL";

    /// <summary>
    /// SQLite page cache per connection, in MB: the ingestion writer upserts the rollups of the newest
    /// minutes of every active terminal, and those pages should stay in memory.
    /// </summary>
    [Range(1, 65_536)]
    public int SqliteCacheMb { get; set; } = 64;

    /// <summary>
    /// SQLite's memory in the whole process, in MB (its soft heap limit; 0: none). Each pooled connection keeps a page
    /// cache of up to <see cref="SqliteCacheMb"/>, so the connections pages, jobs and detection read through would each
    /// grow one as the file grows; over the limit SQLite reuses cached pages instead of taking more memory. 128: at
    /// 200,000 terminals 256 held ~130 MB more resident memory and pages, ticks and ingestion were no faster for it
    /// (tests/PosMonitor.Benchmarks/README.md).
    /// </summary>
    [Range(0, 1_048_576)]
    public int SqliteMemoryLimitMb { get; set; } = 128;
}
