namespace PosMonitor.Web.Features.Incidents;

/// <summary>Marker for the incidents feature's strings (IncidentStrings.resx, IncidentStrings.zh-CN.resx).</summary>
public sealed class IncidentStrings;
