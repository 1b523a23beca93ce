using System.Diagnostics;
using System.Net;
using System.Net.Http.Json;
using Dapper;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.AspNetCore.Http.Connections;
using Microsoft.AspNetCore.SignalR.Client;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.DependencyInjection;
using PosMonitor.Core.Incidents;
using PosMonitor.Core.Rollups;
using PosMonitor.Web.Features.Identity;
using PosMonitor.Web.Features.Incidents;
using PosMonitor.Web.Features.Telemetry;
using PosMonitor.Web.Infrastructure.Realtime;
using PosMonitor.Web.Tests.Infrastructure;
using PosMonitor.Web.Tests.Telemetry;
using StackExchange.Redis;

namespace PosMonitor.Web.Tests.Cluster;

/// <summary>
/// Two nodes on one database and one Redis (PosMonitor:Cluster): what one node takes or changes, the other counts,
/// shows and enforces. Detection runs on both here but sees no fault, so nothing below depends on which node leads it.
/// </summary>
public class ClusterTests(TwoNodes nodes) : IClassFixture<TwoNodes>
{
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(10);

    [Fact]
    public async Task A_batch_sent_to_A_and_resent_to_B_is_counted_once()
    {
        Assert.SkipWhen(TwoNodes.Redis is null, TwoNodes.NoRedis);
        var at = DateTimeOffset.UtcNow;
        var body = TelemetryJson.Body(transactions: Enumerable.Range(0, 6).Select(i =>
            TelemetryJson.Sale(TelemetryJson.UniqueId("dup"), "T-000003", at.AddMilliseconds(i), i < 2 ? "timeout" : "approved", i < 2 ? "gateway" : null)));

        var first = await PostAsync(nodes.A, body);
        var again = await PostAsync(nodes.B, body);

        Assert.Equal((6, 0), (first.Accepted, first.Duplicates));
        Assert.Equal((0, 6), (again.Accepted, again.Duplicates));
        // A's next commit comes after the rollup flush of its first (the writer flushes between commits).
        await PostAsync(nodes.A, TelemetryJson.Body(heartbeats: [TelemetryJson.Heartbeat(TelemetryJson.UniqueId("hb"), "T-000004", at)]));
        await using var db = new SqliteConnection($"Data Source={nodes.DatabasePath}");
        Assert.Equal(6, await db.ExecuteScalarAsync<long>("SELECT COUNT(*) FROM transactions WHERE terminal_id = 'T-000003'"));
        // The rollups hold each sale once, as one node taking the batch twice would.
        Assert.Equal((6L, 2L), await db.QuerySingleAsync<(long, long)>(
            "SELECT SUM(transactions), SUM(timeouts) FROM terminal_minutes WHERE terminal_id = 'T-000003'"));
    }

    [Fact]
    public async Task The_same_batches_sent_to_A_and_B_at_once_are_each_stored_once_and_every_request_is_acknowledged()
    {
        Assert.SkipWhen(TwoNodes.Redis is null, TwoNodes.NoRedis);
        var run = Guid.NewGuid().ToString("N");
        var at = DateTimeOffset.UtcNow;
        // A key per batch: each sends two requests, well under the per-key rate.
        var keys = await Task.WhenAll(Enumerable.Range(0, 12).Select(_ => nodes.A.CreateKeyAsync(Scopes.IngestPlatform)));
        var bodies = Enumerable.Range(0, 12).Select(b => TelemetryJson.Body(transactions: Enumerable.Range(0, 5).Select(i =>
            TelemetryJson.Sale($"race-{run}-{b}-{i}", "T-000001", at.AddMilliseconds(b * 10 + i))))).ToList();

        // Both writers commit at once: colliding commits (the same event, or the same commit stamp) retry, none answers 503.
        var answers = await Task.WhenAll(bodies.SelectMany((body, b) => new[] { PostAsync(nodes.A, body, keys[b]), PostAsync(nodes.B, body, keys[b]) }));

        Assert.Equal((60, 60), (answers.Sum(a => a.Accepted), answers.Sum(a => a.Duplicates)));
        await using var db = new SqliteConnection($"Data Source={nodes.DatabasePath}");
        Assert.Equal(60, await db.ExecuteScalarAsync<long>("SELECT COUNT(*) FROM transactions WHERE event_id LIKE @Pattern", new { Pattern = $"race-{run}-%" }));
    }

    [Fact]
    public async Task Sales_committed_on_A_reach_the_telemetry_feed_and_terminal_states_of_B()
    {
        Assert.SkipWhen(TwoNodes.Redis is null, TwoNodes.NoRedis);
        var at = DateTimeOffset.UtcNow;
        var seen = new TaskCompletionSource<TerminalMinute>(TaskCreationOptions.RunContinuationsAsynchronously);
        using var subscription = nodes.B.Services.GetRequiredService<TelemetryFeed>().Subscribe(delta =>
        {
            if (delta.Minutes.TryGetValue(("T-000002", TerminalMinute.MinuteOf(at)), out var minute) && minute.Transactions >= 3) seen.TrySetResult(minute);
        });

        await PostAsync(nodes.A, TelemetryJson.Body(transactions: Enumerable.Range(0, 3).Select(i =>
            TelemetryJson.Sale(TelemetryJson.UniqueId("feed"), "T-000002", at, i == 0 ? "timeout" : "approved", i == 0 ? "gateway" : null))));

        var minute = await seen.Task.WaitAsync(Wait);
        Assert.Equal((3, 1), (minute.Transactions, minute.Timeouts));
        Assert.True(nodes.B.Services.GetRequiredService<TerminalStateCache>().Get("T-000002")?.LastTransactionAt >= TerminalMinute.MinuteOf(at));
    }

    [Fact]
    public async Task An_incident_opened_on_A_reaches_a_hub_client_connected_to_B()
    {
        Assert.SkipWhen(TwoNodes.Redis is null, TwoNodes.NoRedis);
        var key = await nodes.B.CreateKeyAsync(Scopes.ReadPlatform);
        var opened = new TaskCompletionSource<IncidentMessage>(TaskCreationOptions.RunContinuationsAsynchronously);
        await using var client = new HubConnectionBuilder()
            .WithUrl(new Uri(nodes.B.Server.BaseAddress, LiveHub.Path), o =>
            {
                o.HttpMessageHandlerFactory = _ => nodes.B.Server.CreateHandler();
                o.Transports = HttpTransportType.LongPolling;
                o.Headers["X-Api-Key"] = key;
            })
            .Build();
        var title = TelemetryJson.UniqueId("Card reader outage");
        client.On<IncidentMessage>(LiveHub.IncidentOpened, m => { if (m.Title == title) opened.TrySetResult(m); });
        await client.StartAsync();
        // The handshake answers before OnConnectedAsync has joined the incident group (through Redis here); the hub
        // dispatches calls only after it, so an answered call means the connection is in its groups.
        await client.InvokeAsync("SubscribeHeatmap", "region");

        var incident = await nodes.A.Services.GetRequiredService<IncidentTickets>().CreateManualAsync(
            title, Cause.Hardware, Severity.Minor, ScopeType.Merchant, "m-0002", ["m-0002"], "agent@test", CancellationToken.None);

        var message = await opened.Task.WaitAsync(Wait);
        Assert.Equal(incident.Id, message.Id);
    }

    [Fact]
    public async Task What_A_protects_B_reads()
    {
        Assert.SkipWhen(TwoNodes.Redis is null, TwoNodes.NoRedis);
        // Sign-in cookies and antiforgery tokens are protected this way: a cookie issued by A is valid on B.
        var secret = nodes.A.Services.GetRequiredService<IDataProtectionProvider>().CreateProtector("cluster-test").Protect("issued by node A");

        var read = nodes.B.Services.GetRequiredService<IDataProtectionProvider>().CreateProtector("cluster-test").Unprotect(secret);

        Assert.Equal("issued by node A", read);
        // From the key ring in Redis, not from a key directory the two in-process nodes happen to share on this machine.
        var redis = nodes.B.Services.GetRequiredService<IConnectionMultiplexer>();
        Assert.True(await redis.GetDatabase().ListLengthAsync($"{nodes.KeyPrefix}:data-protection-keys") > 0);
    }

    [Fact]
    public async Task A_key_revoked_on_A_is_refused_by_B_within_a_second()
    {
        Assert.SkipWhen(TwoNodes.Redis is null, TwoNodes.NoRedis);
        var (id, key) = await nodes.A.Services.GetRequiredService<ApiKeyRepository>().CreateAsync("revoked soon", Scopes.ReadPlatform, null, "test", CancellationToken.None);
        var onB = nodes.B.CreateClient(key);
        // B has the key in its lookup cache now (for seconds, were it not told).
        Assert.Equal(HttpStatusCode.OK, (await onB.GetAsync("/api/v1/incidents")).StatusCode);
        var heard = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        using var subscription = nodes.B.Services.GetRequiredService<ApiKeyRepository>().SubscribeRevoked(revoked => { if (revoked == id) heard.TrySetResult(); });

        var revoking = Stopwatch.StartNew();
        Assert.Equal(HttpStatusCode.NoContent, (await nodes.A.AdminClient().DeleteAsync($"/api/v1/keys/{id}")).StatusCode);
        await heard.Task.WaitAsync(Wait);
        var refused = await onB.GetAsync("/api/v1/incidents");
        revoking.Stop();

        Assert.Equal(HttpStatusCode.Unauthorized, refused.StatusCode);
        Assert.True(revoking.Elapsed < TimeSpan.FromSeconds(1), $"B refused the key {revoking.Elapsed.TotalMilliseconds:F0} ms after A revoked it");
    }

    [Fact]
    public async Task A_key_over_its_rate_on_A_is_over_it_on_B_too()
    {
        Assert.SkipWhen(TwoNodes.Redis is null, TwoNodes.NoRedis);
        var key = await nodes.A.CreateKeyAsync(Scopes.IngestPlatform);
        var (a, b) = (nodes.A.CreateClient(key), nodes.B.CreateClient(key));
        // Counted per second: a second may turn between A's refusal and B's answer, so the pair is tried a few times.
        var sharedRefusals = 0;
        for (var attempt = 0; attempt < 3 && sharedRefusals == 0; attempt++)
        {
            HttpResponseMessage answer;
            do answer = await a.PostAsync("/api/v1/telemetry", Heartbeat());
            while (answer.StatusCode == HttpStatusCode.Accepted);
            Assert.Equal(HttpStatusCode.TooManyRequests, answer.StatusCode);
            if ((await b.PostAsync("/api/v1/telemetry", Heartbeat())).StatusCode == HttpStatusCode.TooManyRequests) sharedRefusals++;
        }

        Assert.Equal(1, sharedRefusals);

        static StringContent Heartbeat() => TelemetryJson.Content(TelemetryJson.Body(heartbeats: [TelemetryJson.Heartbeat(TelemetryJson.UniqueId("rate"), "T-000001", DateTimeOffset.UtcNow)]));
    }

    private static async Task<TelemetryAnswer> PostAsync(ClusterNode node, string body, string key = PosMonitorFactory.AdminKey)
    {
        var response = await node.CreateClient(key).PostAsync("/api/v1/telemetry", TelemetryJson.Content(body));
        Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
        return (await response.Content.ReadFromJsonAsync<TelemetryAnswer>())!;
    }

    private sealed record TelemetryAnswer(int Accepted, int Duplicates);
}
