namespace PosMonitor.Web.Features.Heatmap;

/// <summary>Marker for the heatmap's strings (HeatmapStrings.resx, HeatmapStrings.zh-CN.resx).</summary>
public sealed class HeatmapStrings;
