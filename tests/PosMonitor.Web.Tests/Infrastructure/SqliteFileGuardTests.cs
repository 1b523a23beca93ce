using System.Net;
using System.Net.Http.Json;
using Dapper;
using Microsoft.Data.Sqlite;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Testing;
using PosMonitor.Web.Infrastructure.Data;
using static PosMonitor.Web.Tests.Telemetry.TelemetryJson;

namespace PosMonitor.Web.Tests.Infrastructure;

/// <summary>The database file deleted, replaced or unwritable under a running portal; each test has its own portal.</summary>
public sealed class SqliteFileGuardTests
{
    [Fact]
    public async Task A_deleted_database_file_refuses_writes_with_503_until_its_saved_copy_is_moved_back()
    {
        using var factory = new LoggedFactory();
        await factory.PutFleetAsync(TestFleet.Small());
        var client = factory.AdminClient();
        Assert.Equal(HttpStatusCode.Accepted, (await PostAsync(client, "before-1", "before-2")).StatusCode);

        foreach (var file in new[] { "", "-wal", "-shm" }) File.Delete(factory.DatabasePath + file);

        var refused = await PostAsync(client, "while-gone");
        Assert.Equal(HttpStatusCode.ServiceUnavailable, refused.StatusCode);
        Assert.True(refused.Headers.RetryAfter?.Delta?.TotalSeconds >= 1);
        var ready = await ReadyAsync(client);
        Assert.Equal(HttpStatusCode.ServiceUnavailable, ready.Status);
        Assert.Contains("deleted or replaced", ready.Detail);
        Assert.DoesNotContain(factory.DatabasePath, ready.Detail); // anonymous endpoint: no paths

        // The contents the process still held open are saved beside the path; nothing made a new, empty database there.
        var saved = await RescuedCopyAsync(factory.DatabasePath);
        Assert.False(File.Exists(factory.DatabasePath));
        Assert.Equal(HttpStatusCode.ServiceUnavailable, (await ReadyAsync(client)).Status);

        // Said loudly, with where the copy is.
        Assert.Contains(factory.Logs.GetSnapshot(), l => l.Level == LogLevel.Critical && l.Message.Contains(saved, StringComparison.Ordinal));

        File.Move(saved, factory.DatabasePath);

        await Poll.UntilAsync(async () => (await ReadyAsync(client)).Status == HttpStatusCode.OK, "/readyz answers 200");
        var after = await PostAsync(client, "after");
        Assert.True(after.StatusCode == HttpStatusCode.Accepted, factory.Errors());
        SqliteConnection.ClearAllPools();
        await using var db = new SqliteConnection($"Data Source={factory.DatabasePath}");
        Assert.Equal(["after", "before-1", "before-2"], (await db.QueryAsync<string>("SELECT event_id FROM transactions ORDER BY event_id")).ToList());
    }

    [Fact]
    public async Task A_database_file_moved_away_refuses_writes_and_resumes_when_moved_back()
    {
        using var factory = new LoggedFactory();
        await factory.PutFleetAsync(TestFleet.Small());
        var client = factory.AdminClient();
        Assert.Equal(HttpStatusCode.Accepted, (await PostAsync(client, "first")).StatusCode);

        File.Move(factory.DatabasePath, factory.DatabasePath + ".away");
        Assert.Equal(HttpStatusCode.ServiceUnavailable, (await PostAsync(client, "while-away")).StatusCode);
        // The save runs beside; wait for it so the file is not moved back under it.
        await RescuedCopyAsync(factory.DatabasePath);
        File.Move(factory.DatabasePath + ".away", factory.DatabasePath);

        await Poll.UntilAsync(async () => (await ReadyAsync(client)).Status == HttpStatusCode.OK, "/readyz answers 200");
        var back = await PostAsync(client, "back");
        Assert.True(back.StatusCode == HttpStatusCode.Accepted, factory.Errors());
        SqliteConnection.ClearAllPools();
        await using var db = new SqliteConnection($"Data Source={factory.DatabasePath}");
        Assert.Equal(["back", "first"], (await db.QueryAsync<string>("SELECT event_id FROM transactions ORDER BY event_id")).ToList());
    }

    [Fact]
    public async Task Another_database_put_in_its_place_is_not_taken_for_it()
    {
        using var factory = new PosMonitorFactory();
        await factory.PutFleetAsync(TestFleet.Small());
        var client = factory.AdminClient();
        var other = factory.DatabasePath + ".other";
        await using (var c = new SqliteConnection($"Data Source={other};Pooling=False"))
        {
            await c.OpenAsync();
            await c.ExecuteAsync("CREATE TABLE t (x INTEGER);");
        }

        File.Move(factory.DatabasePath, factory.DatabasePath + ".away");
        File.Move(other, factory.DatabasePath);

        Assert.Equal(HttpStatusCode.ServiceUnavailable, (await PostAsync(client, "replaced")).StatusCode);

        await Poll.UntilAsync(async () => (await ReadyAsync(client)).Detail.Contains("not the database this portal was using", StringComparison.Ordinal),
            "/readyz says the file is not the one in use");
        Assert.Equal(HttpStatusCode.ServiceUnavailable, (await PostAsync(client, "still-replaced")).StatusCode);
    }

    [Fact]
    public async Task A_write_refused_by_sqlite_as_read_only_makes_readyz_503_until_a_write_succeeds()
    {
        using var factory = new PosMonitorFactory();
        var client = factory.CreateClient();
        Assert.Equal(HttpStatusCode.OK, (await ReadyAsync(client)).Status);
        var db = factory.Services.GetRequiredService<Db>();

        // SQLite's own SQLITE_READONLY, as a file made unwritable gives it (root ignores file modes, so the test asks SQLite itself).
        var failure = await Assert.ThrowsAsync<SqliteException>(() => db.WriteAsync(async (c, tx) =>
        {
            await c.ExecuteAsync("PRAGMA query_only = 1;", transaction: tx);
            try
            {
                await c.ExecuteAsync("UPDATE rollup_watermark SET received_at = received_at;", transaction: tx);
            }
            finally
            {
                await c.ExecuteAsync("PRAGMA query_only = 0;", transaction: tx);
            }
        }));
        Assert.Equal(8, failure.SqliteErrorCode);
        Assert.NotNull(db.Problem);

        // Nothing else writes: /readyz's own probe finds the file writable again and says so.
        await Poll.UntilAsync(async () => (await ReadyAsync(client)).Status == HttpStatusCode.OK, "/readyz answers 200");
        Assert.Null(db.Problem);
    }

    [Fact]
    public async Task Outside_development_a_missing_database_stops_the_start_unless_create_if_missing_is_set()
    {
        using var factory = new NoCreateFactory();

        var error = Assert.ThrowsAny<Exception>(() => factory.CreateClient());

        Assert.Contains("PosMonitor:Database:CreateIfMissing", error.ToString());
        Assert.False(File.Exists(factory.DatabasePath));
    }

    /// <summary>Keeps what the portal logs, to check what an operator is told.</summary>
    private sealed class LoggedFactory : PosMonitorFactory
    {
        public FakeLogCollector Logs => Services.GetFakeLogCollector();

        public string Errors() => string.Join("\n", Logs.GetSnapshot().Where(l => l.Level >= LogLevel.Warning).Select(l => $"{l.Level} {l.Message} {l.Exception}"));

        protected override void ConfigureWebHost(IWebHostBuilder builder)
        {
            base.ConfigureWebHost(builder);
            builder.ConfigureLogging(l => l.AddFakeLogging());
        }
    }

    private sealed class NoCreateFactory : PosMonitorFactory
    {
        protected override IEnumerable<KeyValuePair<string, string?>> Settings => [new("PosMonitor:Database:CreateIfMissing", "false")];
    }

    private static Task<HttpResponseMessage> PostAsync(HttpClient client, params string[] ids) =>
        client.PostAsync("/api/v1/telemetry", Content(Body(transactions: ids.Select(id => Sale(id, "T-000001", DateTimeOffset.UtcNow)))));

    private static async Task<(HttpStatusCode Status, string Detail)> ReadyAsync(HttpClient client)
    {
        var response = await client.GetAsync("/readyz");
        var detail = response.IsSuccessStatusCode ? "" : (await response.Content.ReadFromJsonAsync<Problem>())?.Detail ?? "";
        return (response.StatusCode, detail);
    }

    private sealed record Problem(string? Title, string? Detail);

    /// <summary>The finished copy the portal saved of a lost file (its own once-a-second check finds the loss).</summary>
    private static async Task<string> RescuedCopyAsync(string databasePath) =>
        (await Poll.UntilAsync(() => Task.FromResult(Directory.GetFiles(Path.GetDirectoryName(databasePath)!, "posmonitor.db.rescued-*")
            .SingleOrDefault(f => !f.Contains(".partial", StringComparison.Ordinal))), f => f is not null, "a rescued copy of the database file"))!;
}
