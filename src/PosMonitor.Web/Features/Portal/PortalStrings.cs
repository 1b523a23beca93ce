namespace PosMonitor.Web.Features.Portal;

/// <summary>Marker for the merchant portal's strings (PortalStrings.resx, PortalStrings.zh-CN.resx).</summary>
public sealed class PortalStrings;
