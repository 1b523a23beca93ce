namespace PosMonitor.Web.Features.Identity;

/// <summary>Marker for the sign-in and account strings (IdentityStrings.resx, IdentityStrings.zh-CN.resx).</summary>
public sealed class IdentityStrings;
