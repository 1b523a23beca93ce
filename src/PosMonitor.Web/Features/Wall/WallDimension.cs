using PosMonitor.Core.Incidents;
using PosMonitor.Web.Features.Heatmap;

namespace PosMonitor.Web.Features.Wall;

/// <summary>
/// Which rows the wall's heatmap shows. A fault confined to one gateway spreads thinly over every
/// region and reads as diffuse colour in the region view, while the gateway view shows it as one
/// loud row; so the wall shows the dimension of the worst open incident's scope, and with nothing
/// open (or a platform-wide incident, which every view shows alike) takes the views in turn.
/// </summary>
public static class WallDimension
{
    /// <summary>The views taken in turn when no incident says which to show; one per rotation of the wall's panels.</summary>
    public static IReadOnlyList<HeatmapBy> Cycle { get; } = [HeatmapBy.Region, HeatmapBy.Gateway, HeatmapBy.Firmware];

    /// <summary>Length of one rotation of the wall's panels (app.css, wall-rotate), so the view changes while the heatmap is off screen.</summary>
    public static readonly TimeSpan Rotation = TimeSpan.FromSeconds(45);

    public static (HeatmapBy By, Incident? Because) For(IEnumerable<Incident> open, DateTimeOffset now)
    {
        var worst = open.Where(i => HeatmapMark.ByOf(i.ScopeType) is not null)
            .OrderBy(i => i.Severity).ThenByDescending(i => i.OpenedAt).FirstOrDefault();
        // A terminal's fault shows in its merchant's row (the wall has no terminal rows).
        if (worst is not null) return (HeatmapMark.ByOf(worst.ScopeType) is HeatmapBy.Terminal ? HeatmapBy.Merchant : HeatmapMark.ByOf(worst.ScopeType)!.Value, worst);
        var turn = now.ToUnixTimeMilliseconds() / (long)Rotation.TotalMilliseconds;
        return (Cycle[(int)(turn % Cycle.Count)], null);
    }
}
