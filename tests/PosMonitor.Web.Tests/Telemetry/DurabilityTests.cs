using System.Collections.Concurrent;
using System.Net;
using System.Net.Http.Json;
using Dapper;
using Microsoft.Data.Sqlite;
using PosMonitor.Web.Tests.Infrastructure;
using static PosMonitor.Web.Tests.Telemetry.TelemetryJson;

namespace PosMonitor.Web.Tests.Telemetry;

public class DurabilityTests
{
    [Fact]
    public async Task Every_acknowledged_event_survives_a_kill_9_of_the_server()
    {
        var folder = Path.Combine(Path.GetTempPath(), "posmonitor-tests", Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(folder);
        var dbPath = Path.Combine(folder, "durable.db");
        const string key = "durability-admin-key-5c1e";
        await using var portal = new PortalProcess(dbPath, key);
        await portal.StartAsync();
        using var admin = portal.Client(key);
        (await admin.PutAsJsonAsync("/api/v1/fleet", TestFleet.Small())).EnsureSuccessStatusCode();

        // Four clients stream batches; every id of a 202 is recorded as acknowledged.
        var acknowledged = new ConcurrentBag<string>();
        var sent = 0;
        using var stop = new CancellationTokenSource();
        var terminals = new[] { "T-000001", "T-000002", "T-000003", "T-000004" };
        var clients = terminals.Select((terminal, c) => Task.Run(async () =>
        {
            using var http = portal.Client(key);
            for (var batch = 0; !stop.IsCancellationRequested; batch++)
            {
                var ids = Enumerable.Range(0, 200).Select(i => $"d{c}-{batch}-{i}").ToList();
                var at = DateTimeOffset.UtcNow;
                var body = Body(transactions: ids.Select((id, i) => Sale(id, terminal, at.AddMilliseconds(i))));
                Interlocked.Add(ref sent, ids.Count);
                try
                {
                    var response = await http.PostAsync("/api/v1/telemetry", Content(body));
                    if (response.StatusCode == HttpStatusCode.Accepted) foreach (var id in ids) acknowledged.Add(id);
                }
                catch (HttpRequestException)
                {
                    return; // the server is gone
                }
            }
        })).ToList();

        await WaitUntil(() => acknowledged.Count >= 4_000, TimeSpan.FromSeconds(30));
        portal.Kill();
        await stop.CancelAsync();
        await Task.WhenAll(clients);

        SqliteConnection.ClearAllPools();
        await using var db = new SqliteConnection($"Data Source={dbPath}");
        var stored = (await db.QueryAsync<string>("SELECT event_id FROM transactions")).ToHashSet();
        var lost = acknowledged.Where(id => !stored.Contains(id)).ToList();
        Assert.True(acknowledged.Count >= 4_000, $"only {acknowledged.Count} events were acknowledged before the kill");
        Assert.True(lost.Count == 0, $"{lost.Count} of {acknowledged.Count} acknowledged events were lost, e.g. {string.Join(", ", lost.Take(5))}");

        // Rollups lag raw commits by a flush; the restart folds what the kill left behind, exactly once.
        await portal.StartAsync();
        portal.Kill();
        SqliteConnection.ClearAllPools();
        Assert.Equal(stored.Count, await db.ExecuteScalarAsync<int>("SELECT COALESCE(SUM(transactions), 0) FROM terminal_minutes"));
        try { Directory.Delete(folder, recursive: true); } catch (IOException) { }
    }

    private static async Task WaitUntil(Func<bool> condition, TimeSpan timeout)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (!condition() && DateTime.UtcNow < deadline) await Task.Delay(50);
    }
}
