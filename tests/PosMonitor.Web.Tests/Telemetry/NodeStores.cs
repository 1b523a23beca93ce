using Microsoft.Extensions.Options;
using PosMonitor.Web.Features.Fleet;
using PosMonitor.Web.Features.Telemetry;
using PosMonitor.Web.Infrastructure.Cluster;
using PosMonitor.Web.Tests.Infrastructure;

namespace PosMonitor.Web.Tests.Telemetry;

/// <summary>A cluster node's telemetry store on a shared test database, as each node of PosMonitor:Cluster has its own.</summary>
internal static class NodeStores
{
    /// <param name="fleet">The fleet its scope totals are kept by; without one the store writes none.</param>
    public static TelemetryStore Of(TestDatabase database, string node, FleetCache? fleet = null) =>
        new(database.Db, new RecentEventKeys(), Options.Create(new ClusterOptions { Enabled = true, NodeName = node, Redis = "unused" }), fleet);
}
