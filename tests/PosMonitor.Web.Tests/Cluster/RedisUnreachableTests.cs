using System.Net;
using Microsoft.Extensions.DependencyInjection;
using PosMonitor.Web.Features.Heatmap;
using PosMonitor.Web.Tests.Infrastructure;
using PosMonitor.Web.Tests.Telemetry;
using StackExchange.Redis;

namespace PosMonitor.Web.Tests.Cluster;

/// <summary>A clustered node whose Redis cannot be reached (nothing listens on its port): Redis is never the system of record.</summary>
public sealed class RedisUnreachableFactory : PosMonitorFactory
{
    protected override IEnumerable<KeyValuePair<string, string?>> Settings =>
    [
        new("PosMonitor:Cluster:Enabled", "true"),
        new("PosMonitor:Cluster:NodeName", "alone"),
        new("PosMonitor:Cluster:Redis", "127.0.0.1:1,connectTimeout=300"),
        new("PosMonitor:Cluster:KeyPrefix", "posmonitor-unreachable"),
    ];
}

public class RedisUnreachableTests(RedisUnreachableFactory factory) : IClassFixture<RedisUnreachableFactory>
{
    [Fact]
    public async Task Telemetry_is_stored_and_acknowledged_and_this_nodes_pages_follow_it_while_Redis_is_unreachable()
    {
        await factory.PutFleetAsync(TestFleet.Small());
        Assert.False(factory.Services.GetRequiredService<IConnectionMultiplexer>().IsConnected);
        var ticked = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        using var subscription = factory.Services.GetRequiredService<HeatmapService>().Subscribe(tick =>
        {
            if (tick.ChangedTerminals.Contains("T-000001")) ticked.TrySetResult();
        });

        // The per-key limit falls back to this node's own bucket.
        for (var i = 0; i < 3; i++)
        {
            var response = await factory.AdminClient().PostAsync("/api/v1/telemetry", TelemetryJson.Content(TelemetryJson.Body(
                transactions: [TelemetryJson.Sale(TelemetryJson.UniqueId("alone"), "T-000001", DateTimeOffset.UtcNow, "timeout", "gateway")])));
            Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
        }

        await ticked.Task.WaitAsync(TimeSpan.FromSeconds(10));
    }
}
