using System.Threading.Channels;
using PosMonitor.Core.Detection;
using PosMonitor.Core.Incidents;
using PosMonitor.Web.Features.Incidents;

namespace PosMonitor.Web.Features.Notifications;

/// <summary>
/// Forwards incident openings and resolutions from <see cref="IncidentFeed"/> into the outbox. Feed
/// subscribers run on detection's thread, so the handler only hands the event to a queue; a
/// background loop writes the outbox rows.
/// </summary>
public sealed class IncidentNotifications(IncidentFeed feed, Notifier notifier, TimeProvider time, ILogger<IncidentNotifications> logger) : BackgroundService
{
    private readonly Channel<NotificationMessage> _queue = Channel.CreateUnbounded<NotificationMessage>(new UnboundedChannelOptions { SingleReader = true });
    private IDisposable? _subscription;

    // Subscribed before ExecuteAsync, which .NET runs on a background thread: no early incident slips past.
    public override Task StartAsync(CancellationToken ct)
    {
        // This node's changes only: another node's are notified there, once.
        _subscription = feed.SubscribeOwn(OnIncident);
        return base.StartAsync(ct);
    }

    public override async Task StopAsync(CancellationToken ct)
    {
        _subscription?.Dispose();
        await base.StopAsync(ct);
    }

    public void OnIncident(IncidentChangeKind kind, Incident incident)
    {
        if (NotificationEvents.Of(kind) is { } @event)
            _queue.Writer.TryWrite(NotificationMessage.From(@event, incident, time.GetUtcNow()));
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        try
        {
            await foreach (var message in _queue.Reader.ReadAllAsync(stoppingToken))
                await WriteAsync(message, stoppingToken);
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            // Shutting down: write what was already handed over, so nothing raised before the stop is dropped.
            while (_queue.Reader.TryRead(out var message)) await WriteAsync(message, CancellationToken.None);
        }
    }

    private async Task WriteAsync(NotificationMessage message, CancellationToken ct)
    {
        try
        {
            await notifier.EnqueueAsync(message, ct);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            logger.LogError(e, "Could not queue the {Event} notification of {Incident}", message.Event, message.IncidentId);
        }
    }
}
