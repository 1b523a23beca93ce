using Microsoft.Extensions.Options;
using PosMonitor.Web.Features.Heatmap;
using PosMonitor.Web.Features.Identity;
using PosMonitor.Web.Infrastructure.Cluster;

namespace PosMonitor.Web.Infrastructure.Realtime;

/// <summary>
/// Hub group names. A connection joins only the groups of its own scope: the platform scope for
/// viewers who see every merchant, its merchant's scope otherwise; the server decides, never the client.
/// </summary>
/// <remarks>
/// With several nodes every node's feeds carry every node's changes (the cluster relays), so each node forwards them to
/// its own connections: the group names carry the node's name, and the backplane, which delivers a group message to
/// that group's members on every node, never hands a client the same change once per node.
/// </remarks>
public sealed class LiveGroups(IOptions<ClusterOptions> cluster)
{
    private readonly string _node = cluster.Value.Enabled ? "@" + cluster.Value.ResolvedNodeName : "";

    public static string? ScopeOf(Viewer viewer) =>
        viewer.SeesEveryMerchant ? HeatmapService.AllMerchants : viewer.MerchantId;

    public string Heatmap(HeatmapBy by, string scope) => $"heatmap:{HeatmapDimensions.Name(by)}:{scope}{_node}";

    public string Incidents(string scope) => $"incidents:{scope}{_node}";
}
