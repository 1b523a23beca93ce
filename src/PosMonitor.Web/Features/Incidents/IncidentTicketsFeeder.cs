using System.Threading.Channels;
using PosMonitor.Core.Detection;
using PosMonitor.Core.Incidents;

namespace PosMonitor.Web.Features.Incidents;

/// <summary>
/// Feeds <see cref="IncidentTickets"/> from <see cref="IncidentFeed"/>. The feed's subscribers run
/// on detection's thread, so the handler only queues; this loop does the database work.
/// </summary>
public sealed class IncidentTicketsFeeder(IncidentFeed feed, IncidentTickets tickets) : BackgroundService
{
    private readonly Channel<(IncidentChangeKind Kind, Incident Incident)> _queue =
        Channel.CreateUnbounded<(IncidentChangeKind, Incident)>(new UnboundedChannelOptions { SingleReader = true });
    private IDisposable? _subscription;

    public override Task StartAsync(CancellationToken ct)
    {
        // This node's changes only: another node's are ticketed there, once.
        _subscription = feed.SubscribeOwn((kind, incident) => _queue.Writer.TryWrite((kind, incident)));
        return base.StartAsync(ct);
    }

    public override async Task StopAsync(CancellationToken ct)
    {
        _subscription?.Dispose();
        await base.StopAsync(ct);
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        try
        {
            await foreach (var (kind, incident) in _queue.Reader.ReadAllAsync(stoppingToken))
                await HandleAsync(kind, incident, stoppingToken);
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            while (_queue.Reader.TryRead(out var item)) await HandleAsync(item.Kind, item.Incident, CancellationToken.None);
        }
    }

    /// <summary>Manual incidents are ticketed by whoever created them; their feed echo only confirms it.</summary>
    public async Task HandleAsync(IncidentChangeKind kind, Incident incident, CancellationToken ct)
    {
        try
        {
            switch (kind)
            {
                case IncidentChangeKind.Opened: await tickets.OnOpenedAsync(incident, incident.Id.StartsWith("man-", StringComparison.Ordinal), ct); break;
                case IncidentChangeKind.Updated: await tickets.OnUpdatedAsync(incident, ct); break;
                case IncidentChangeKind.Reopened: await tickets.OnReopenedAsync(incident, ct); break;
                default: await tickets.OnResolvedAsync(incident, ct); break;
            }
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            tickets.LogFailure(e, incident.Id);
        }
    }
}
