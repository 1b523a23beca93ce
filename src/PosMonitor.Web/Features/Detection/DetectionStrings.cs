namespace PosMonitor.Web.Features.Detection;

/// <summary>Marker for the detection feature's strings (DetectionStrings.resx, DetectionStrings.zh-CN.resx).</summary>
public sealed class DetectionStrings;
