namespace PosMonitor.Web.Features.Fleet;

/// <summary>Marker for the fleet feature's strings (FleetStrings.resx, FleetStrings.zh-CN.resx).</summary>
public sealed class FleetStrings;
