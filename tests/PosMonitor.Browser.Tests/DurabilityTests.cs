using System.Collections.Concurrent;
using System.Net;
using System.Net.Http.Json;
using Dapper;
using Microsoft.Data.Sqlite;

namespace PosMonitor.Browser.Tests;

/// <summary>The portal as a process that is killed mid-stream: what it acknowledged must be on disk.</summary>
public class DurabilityTests
{
    private const int Enough = 4_000;

    [Fact]
    public async Task Every_acknowledged_event_survives_a_kill_9_of_the_server()
    {
        await using var portal = new PortalProcess();
        await portal.StartAsync();
        using var admin = portal.Client();
        (await admin.PutAsJsonAsync("/api/v1/fleet", DemoFleet.Document())).EnsureSuccessStatusCode();

        // Four clients stream batches; every id of a 202 is recorded as acknowledged.
        var acknowledged = new ConcurrentBag<string>();
        var enough = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        using var stop = new CancellationTokenSource();
        var terminals = DemoFleet.Terminals().Select(t => t.Terminal).Take(4).ToList();
        var clients = terminals.Select((terminal, c) => Task.Run(async () =>
        {
            using var http = portal.Client();
            for (var batch = 0; !stop.IsCancellationRequested; batch++)
            {
                var ids = Enumerable.Range(0, 200).Select(i => $"d{c}-{batch}-{i}").ToList();
                var at = DateTimeOffset.UtcNow;
                var transactions = ids.Select((id, i) => new
                {
                    eventId = id, terminalId = terminal, timestamp = DemoFleet.Time(at.AddMilliseconds(i)), outcome = "approved",
                    latencyMs = 800, amountMinor = 2500, currency = "CNY",
                });
                try
                {
                    var response = await http.PostAsJsonAsync("/api/v1/telemetry", new { transactions });
                    if (response.StatusCode != HttpStatusCode.Accepted) continue;
                    foreach (var id in ids) acknowledged.Add(id);
                    if (acknowledged.Count >= Enough) enough.TrySetResult();
                }
                catch (HttpRequestException)
                {
                    return; // the server is gone
                }
            }
        })).ToList();

        try
        {
            await enough.Task.WaitAsync(TimeSpan.FromSeconds(30));
        }
        catch (TimeoutException)
        {
            // Reported by the assertion below, with the count.
        }
        await portal.KillAsync();
        await stop.CancelAsync();
        await Task.WhenAll(clients);

        SqliteConnection.ClearAllPools();
        await using var db = new SqliteConnection($"Data Source={portal.DatabasePath}");
        var stored = (await db.QueryAsync<string>("SELECT event_id FROM transactions")).ToHashSet();
        var lost = acknowledged.Where(id => !stored.Contains(id)).ToList();
        Assert.True(acknowledged.Count >= Enough, $"only {acknowledged.Count} events were acknowledged before the kill");
        Assert.True(lost.Count == 0, $"{lost.Count} of {acknowledged.Count} acknowledged events were lost, e.g. {string.Join(", ", lost.Take(5))}");

        // Rollups lag raw commits by a flush; the restart folds what the kill left behind, exactly once.
        await portal.StartAsync();
        await portal.KillAsync();
        SqliteConnection.ClearAllPools();
        Assert.Equal(stored.Count, await db.ExecuteScalarAsync<int>("SELECT COALESCE(SUM(transactions), 0) FROM terminal_minutes"));
    }
}
