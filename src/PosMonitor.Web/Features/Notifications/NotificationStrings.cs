namespace PosMonitor.Web.Features.Notifications;

/// <summary>Marker for the notifications feature's strings (NotificationStrings.resx, NotificationStrings.zh-CN.resx).</summary>
public sealed class NotificationStrings;
