namespace PosMonitor.Web.Features.Wall;

/// <summary>Marker for the wall display's strings (WallStrings.resx, WallStrings.zh-CN.resx).</summary>
public sealed class WallStrings;
