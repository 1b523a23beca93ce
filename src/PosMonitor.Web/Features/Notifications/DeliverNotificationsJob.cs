using PosMonitor.Web.Infrastructure.Observability;
using Quartz;

namespace PosMonitor.Web.Features.Notifications;

/// <summary>Delivers due notifications every few seconds (PosMonitor:Notifications:PollSeconds).</summary>
[DisallowConcurrentExecution]
public sealed class DeliverNotificationsJob(NotificationDelivery delivery, NotificationOutbox outbox, PosMonitorMetrics metrics) : IJob
{
    public async Task Execute(IJobExecutionContext context)
    {
        // Drain what is due, batch after batch, so a burst does not wait a poll interval per batch.
        while (!context.CancellationToken.IsCancellationRequested && await delivery.DeliverDueAsync(context.CancellationToken) > 0) { }
        // What is left after the drain: rows waiting for their next attempt, or that could not be sent at all.
        metrics.OutboxDepth(await outbox.DepthAsync(context.CancellationToken));
    }
}
