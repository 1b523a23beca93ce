using PosMonitor.Web.Features.Heatmap;
using PosMonitor.Web.Features.Identity;

namespace PosMonitor.Web.Infrastructure.Realtime;

/// <summary>
/// Hub group names. A connection joins only the groups of its own scope: the platform scope for
/// viewers who see every merchant, its merchant's scope otherwise; the server decides, never the client.
/// </summary>
public static class LiveGroups
{
    public static string? ScopeOf(Viewer viewer) =>
        viewer.SeesEveryMerchant ? HeatmapService.AllMerchants : viewer.MerchantId;

    public static string Heatmap(HeatmapBy by, string scope) => $"heatmap:{HeatmapDimensions.Name(by)}:{scope}";

    public static string Incidents(string scope) => $"incidents:{scope}";
}
