using Microsoft.Extensions.Options;
using PosMonitor.Web.Features.Incidents;
using PosMonitor.Web.Infrastructure;
using PosMonitor.Web.Infrastructure.Scheduling;

namespace PosMonitor.Web.Features.Notifications;

public static class NotificationsExtensions
{
    public static IHostApplicationBuilder AddNotifications(this IHostApplicationBuilder builder)
    {
        var section = builder.Configuration.GetSection(NotificationOptions.Section);
        builder.Services.AddValidatedOptions<NotificationOptions>(NotificationOptions.Section);
        builder.Services.AddHttpClient(NotificationSender.HttpClientName, c => c.DefaultRequestHeaders.UserAgent.ParseAdd("PosMonitor-Notifications/1.0"));
        builder.Services.AddSingleton<NotificationOutbox>();
        builder.Services.AddSingleton<NotificationFormats>();
        builder.Services.AddSingleton<NotificationSender>();
        builder.Services.AddSingleton<NotificationDelivery>();
        builder.Services.AddSingleton<Notifier>();
        builder.Services.AddSingleton<IIncidentActionHandler>(sp => sp.GetRequiredService<Notifier>());
        builder.Services.AddHostedService<IncidentNotifications>();
        var poll = section.GetValue(nameof(NotificationOptions.PollSeconds), new NotificationOptions().PollSeconds);
        builder.Services.AddJob<DeliverNotificationsJob>(TimeSpan.FromSeconds(Math.Max(1, poll)));
        return builder;
    }
}
