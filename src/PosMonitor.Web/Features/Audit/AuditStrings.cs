namespace PosMonitor.Web.Features.Audit;

/// <summary>Marker for the audit log strings (AuditStrings.resx, AuditStrings.zh-CN.resx).</summary>
public sealed class AuditStrings;
