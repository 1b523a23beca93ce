using Microsoft.Extensions.Options;
using PosMonitor.Web.Infrastructure.Observability;
using PosMonitor.Web.Infrastructure.Realtime;

namespace PosMonitor.Web.Features.Notifications;

/// <summary>
/// Delivers due outbox rows: each is claimed with a lease, sent, then marked delivered or given its
/// next attempt after an exponential backoff (base × 2^(attempts−1), capped). Receivers are
/// independent: rows go out in parallel, and one slow receiver only delays its own rows.
/// </summary>
public sealed class NotificationDelivery(NotificationOutbox outbox, NotificationSender sender, IOptionsMonitor<NotificationOptions> options,
    TimeProvider time, PosMonitorMetrics metrics, ILogger<NotificationDelivery> logger)
{
    private const int BatchSize = 50;

    private readonly FeedSubscribers<bool> _changed = new(logger);

    /// <summary>Calls <paramref name="onChanged"/> after a batch changed some rows (the admin page reloads), in the culture it subscribed in.</summary>
    public IDisposable SubscribeChanges(Action onChanged) => _changed.Add(_ => onChanged());

    public static TimeSpan Backoff(int attempts, NotificationOptions o)
    {
        var seconds = o.RetryBaseSeconds * Math.Pow(2, Math.Max(0, attempts - 1));
        return TimeSpan.FromSeconds(Math.Min(seconds, o.RetryMaxSeconds));
    }

    /// <summary>Sends what is due now; returns how many rows were attempted.</summary>
    public async Task<int> DeliverDueAsync(CancellationToken ct)
    {
        var o = options.CurrentValue;
        var now = time.GetUtcNow();
        // The lease outlasts any one attempt, so a row is never sent twice at once, and returns after a crash.
        var lease = now + TimeSpan.FromSeconds(Math.Max(60, o.TimeoutSeconds * 3));
        var due = await outbox.ClaimDueAsync(now, lease, BatchSize, ct);
        if (due.Count == 0) return 0;

        await Parallel.ForEachAsync(due, new ParallelOptions { MaxDegreeOfParallelism = Math.Max(1, o.Parallelism), CancellationToken = ct },
            async (item, token) =>
            {
                var attempts = item.Attempts + 1;
                try
                {
                    await sender.SendAsync(item, token);
                    await outbox.MarkDeliveredAsync(item.Id, attempts, time.GetUtcNow(), CancellationToken.None);
                    metrics.NotificationDelivered(NotificationOutbox.KindName(item.Kind));
                }
                catch (NotificationDeliveryException e)
                {
                    var at = time.GetUtcNow();
                    DateTimeOffset? next = attempts >= o.MaxAttempts ? null : at + Backoff(attempts, o);
                    logger.LogWarning("Notification {Id} to {Channel} failed (attempt {Attempts}): {Error}", item.Id, item.Channel, attempts, e.Message);
                    await outbox.MarkFailedAsync(item.Id, attempts, at, e.Message, next, CancellationToken.None);
                    metrics.NotificationFailed(NotificationOutbox.KindName(item.Kind), abandoned: next is null);
                }
            });
        _changed.Publish(true);
        return due.Count;
    }
}
