using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Hosting.Internal;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using PosMonitor.Web.Infrastructure.Data;

namespace PosMonitor.Benchmarks;

/// <summary>A migrated SQLite file in a folder of its own under the temp directory, for in-process benchmarks; deleted on dispose.</summary>
internal sealed class ScratchDatabase : IDisposable
{
    public ScratchDatabase(string name)
    {
        Folder = Path.Combine(Path.GetTempPath(), $"posmonitor-{name}", Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(Folder);
        File = Path.Combine(Folder, $"{name}.db");
        var configuration = new ConfigurationBuilder()
            .AddInMemoryCollection(new Dictionary<string, string?> { ["ConnectionStrings:PosMonitor"] = $"Data Source={File}" })
            .Build();
        Db = new Db(Options.Create(new DatabaseOptions()), configuration, new HostingEnvironment { ContentRootPath = Folder });
        Db.EnsureExists(create: true);
        new Migrator(Db, NullLogger<Migrator>.Instance).Migrate();
    }

    public string Folder { get; }
    public string File { get; }
    public Db Db { get; }

    /// <summary>The file and its WAL, MB.</summary>
    public double SizeMb => (new FileInfo(File).Length + new FileInfo(File + "-wal").Length) / 1_048_576.0;

    public void Dispose()
    {
        SqliteConnection.ClearAllPools();
        try { Directory.Delete(Folder, recursive: true); } catch (IOException) { /* temp space */ }
    }
}
