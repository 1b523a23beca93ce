using Bunit;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;
using PosMonitor.Web.Features.Admin;
using PosMonitor.Web.Infrastructure.Time;
using PosMonitor.Web.Infrastructure.Cluster;
using PosMonitor.Web.Infrastructure.Data;
using PosMonitor.Web.Tests.Infrastructure;

namespace PosMonitor.Web.Tests.Admin;

public class NodesPageTests : BunitTest, IAsyncLifetime
{
    private static readonly DateTimeOffset Now = new(2026, 12, 7, 6, 0, 30, TimeSpan.Zero);
    private readonly FakeTimeProvider _clock = new(Now);
    private TestDatabase? _database;

    public async ValueTask InitializeAsync() => _database = await TestDatabase.CreateAsync(DatabaseProvider.Sqlite);

    public new async ValueTask DisposeAsync()
    {
        await base.DisposeAsync();
        if (_database is not null) await _database.DisposeAsync();
    }

    private ClusterStore Use(ClusterOptions options)
    {
        var store = new ClusterStore(_database!.Db);
        var o = Options.Create(options);
        var leadership = new DetectionLeadership(o, _clock);
        Services.AddSingleton<TimeProvider>(_clock);
        Services.AddSingleton(new ClusterOverview(store, leadership, o, _clock));
        Services.AddScoped(_ => new DisplayTime(TimeZoneInfo.FindSystemTimeZoneById("Asia/Shanghai")));
        return store;
    }

    [Fact]
    public async Task Lists_each_node_with_its_heartbeat_in_the_readers_zone_marks_the_leader_and_a_node_silent_for_three_heartbeats_as_lost()
    {
        var store = Use(new ClusterOptions { Enabled = true, Redis = "localhost", NodeName = "node-a", HeartbeatInterval = TimeSpan.FromSeconds(5) });
        await store.HeartbeatAsync("node-a", Now.AddHours(-1), "1.2.3", Now.AddSeconds(-2), default);
        await store.HeartbeatAsync("node-b", Now.AddHours(-1), "1.2.3", Now.AddSeconds(-4), default);
        await store.HeartbeatAsync("node-c", Now.AddHours(-1), "1.2.3", Now.AddSeconds(-16), default);
        await store.TryAcquireAsync("node-b", Now.AddSeconds(-4), TimeSpan.FromSeconds(20), default);

        var page = Render<NodesPage>();

        page.WaitForAssertion(() =>
        {
            Assert.Equal(["node-a", "node-b", "node-c"], page.FindAll("tr[data-node]").Select(r => r.GetAttribute("data-node")));
            Assert.Single(page.FindAll("tr[data-node='node-b'] [data-test='node-leader']"));
            Assert.Single(page.FindAll("[data-test='node-leader']"));
            Assert.Single(page.FindAll("tr[data-node='node-c'] [data-test='node-lost']"));
            Assert.Single(page.FindAll("[data-test='node-lost']"));
            // 06:00:26 UTC is 14:00:26 in Shanghai.
            Assert.Contains("14:00:26", page.Find("tr[data-node='node-b']").TextContent);
            Assert.Contains("this node", page.Find("tr[data-node='node-a']").TextContent);
        });
    }

    [Fact]
    public void A_single_node_lists_itself_as_the_leader_in_Chinese_for_a_Chinese_reader()
    {
        using var _ = CultureScope.UseUi("zh-CN");
        Use(new ClusterOptions { NodeName = "solo" });

        var page = Render<NodesPage>();

        page.WaitForAssertion(() =>
        {
            Assert.Equal(["solo"], page.FindAll("tr[data-node]").Select(r => r.GetAttribute("data-node")));
            Assert.Contains("主节点", page.Find("tr[data-node='solo'] [data-test='node-leader']").TextContent);
            Assert.Contains("单节点", page.Markup);
        });
    }
}
