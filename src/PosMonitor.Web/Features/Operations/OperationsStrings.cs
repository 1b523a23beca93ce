namespace PosMonitor.Web.Features.Operations;

/// <summary>Marker for the dashboard's strings (OperationsStrings.resx, OperationsStrings.zh-CN.resx).</summary>
public sealed class OperationsStrings;
