using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using PosMonitor.Web.Infrastructure.Cluster;

namespace PosMonitor.Web.Tests.Infrastructure;

/// <summary>/readyz of a cluster node: Redis, the database, and whether the node leads detection.</summary>
public class ClusterReadinessTests
{
    private sealed class ClusterNode(string redis) : PosMonitorFactory
    {
        protected override IEnumerable<KeyValuePair<string, string?>> Settings =>
        [
            new("PosMonitor:Cluster:Enabled", "true"),
            new("PosMonitor:Cluster:Redis", redis),
            new("PosMonitor:Cluster:NodeName", "node-under-test"),
            new("PosMonitor:Cluster:KeyPrefix", "pmtest-" + Guid.NewGuid().ToString("N")[..8]),
        ];
    }

    [Fact]
    public async Task A_node_whose_Redis_does_not_answer_is_not_ready_and_says_why()
    {
        // Nothing listens on port 1; the node starts anyway (Redis may come back) but must not take traffic.
        await using var node = new ClusterNode("127.0.0.1:1,connectTimeout=500");
        var response = await node.CreateClient().GetAsync("/readyz");

        Assert.Equal(HttpStatusCode.ServiceUnavailable, response.StatusCode);
        var body = await response.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal(("unready", "node-under-test", "reachable", "unreachable"),
            (body.GetProperty("status").GetString(), body.GetProperty("node").GetString(), body.GetProperty("database").GetString(), body.GetProperty("redis").GetString()));
        Assert.Contains("Redis", body.GetProperty("problem").GetString());
    }

    [Fact]
    public async Task A_lone_cluster_node_with_Redis_is_ready_and_comes_to_lead_detection()
    {
        var redis = Environment.GetEnvironmentVariable("POSMONITOR_TEST_REDIS");
        if (string.IsNullOrEmpty(redis)) Assert.Skip("Needs Redis: set POSMONITOR_TEST_REDIS (e.g. 127.0.0.1:6379)");
        await using var node = new ClusterNode(redis);
        var client = node.CreateClient();

        // The first heartbeat follows the start: wait for this node to take the lease.
        var leadership = node.Services.GetRequiredService<DetectionLeadership>();
        var leads = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        leadership.Changed += now => { if (now) leads.TrySetResult(); };
        if (leadership.Leads) leads.TrySetResult();
        await leads.Task.WaitAsync(TimeSpan.FromSeconds(15));
        var response = await client.GetAsync("/readyz");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var body = await response.Content.ReadFromJsonAsync<JsonElement>();

        Assert.True(body.GetProperty("leadsDetection").GetBoolean(), body.ToString());
        Assert.Equal(("ready", "reachable", "reachable", "node-under-test"),
            (body.GetProperty("status").GetString(), body.GetProperty("database").GetString(), body.GetProperty("redis").GetString(), body.GetProperty("leader").GetString()));
    }

    [Fact]
    public async Task A_single_node_answers_readyz_as_before_without_cluster_fields()
    {
        await using var node = new PosMonitorFactory();
        var body = await node.CreateClient().GetFromJsonAsync<JsonElement>("/readyz");

        Assert.Equal("ready", body.GetProperty("status").GetString());
        Assert.False(body.TryGetProperty("leadsDetection", out _));
    }
}
