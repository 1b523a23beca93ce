using PosMonitor.Core.Incidents;
using PosMonitor.Web.Features.Notifications;

namespace PosMonitor.Web.Tests.Infrastructure;

/// <summary>Notification messages for tests, about <see cref="TestIncidents.NotifiedGateway"/> unless a test names its own incident.</summary>
public static class TestNotifications
{
    public static NotificationMessage Opened(DateTimeOffset at, Incident? incident = null) =>
        NotificationMessage.From(NotificationEvents.Opened, incident ?? TestIncidents.NotifiedGateway(), at);

    public static NotificationMessage Escalated(DateTimeOffset at, int level) =>
        NotificationMessage.From(NotificationEvents.Escalated, TestIncidents.NotifiedGateway(), at, level: level);
}
