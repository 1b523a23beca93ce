namespace PosMonitor.Web.Features.Admin;

/// <summary>Marker for the admin pages' strings (AdminStrings.resx, AdminStrings.zh-CN.resx).</summary>
public sealed class AdminStrings;
