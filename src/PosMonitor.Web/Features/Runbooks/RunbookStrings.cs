namespace PosMonitor.Web.Features.Runbooks;

/// <summary>Marker for the runbooks feature's strings (RunbookStrings.resx, RunbookStrings.zh-CN.resx).</summary>
public sealed class RunbookStrings;
