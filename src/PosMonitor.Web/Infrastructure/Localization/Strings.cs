namespace PosMonitor.Web.Infrastructure.Localization;

/// <summary>Marker for the portal's shared strings (Strings.resx, Strings.zh-CN.resx).</summary>
public sealed class Strings;
