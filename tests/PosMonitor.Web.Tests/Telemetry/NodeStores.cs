using Microsoft.Extensions.Options;
using PosMonitor.Web.Features.Telemetry;
using PosMonitor.Web.Infrastructure.Cluster;
using PosMonitor.Web.Tests.Infrastructure;

namespace PosMonitor.Web.Tests.Telemetry;

/// <summary>A cluster node's telemetry store on a shared test database, as each node of PosMonitor:Cluster has its own.</summary>
internal static class NodeStores
{
    public static TelemetryStore Of(TestDatabase database, string node) =>
        new(database.Db, new RecentEventKeys(), Options.Create(new ClusterOptions { Enabled = true, NodeName = node, Redis = "unused" }));
}
