namespace PosMonitor.Web.Features.Telemetry;

/// <summary>Marker for the telemetry feature's strings (TelemetryStrings.resx, TelemetryStrings.zh-CN.resx).</summary>
public sealed class TelemetryStrings;
