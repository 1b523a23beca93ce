namespace PosMonitor.Web.Features.Incidents;

/// <summary>Marker for incident titles' strings (IncidentTitleStrings.resx, IncidentTitleStrings.zh-CN.resx).</summary>
public sealed class IncidentTitleStrings;
