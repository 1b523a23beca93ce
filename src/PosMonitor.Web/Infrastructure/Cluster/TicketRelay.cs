using System.Text;
using PosMonitor.Web.Features.Incidents;

namespace PosMonitor.Web.Infrastructure.Cluster;

/// <summary>
/// Ticket and merchant-notice changes between nodes: the incident id crosses (empty after escalations), and this node's
/// pages reload what changed from the database.
/// </summary>
public sealed class TicketRelay(ClusterBus bus, IncidentTickets tickets) : IHostedService
{
    public const string Topic = "tickets";
    private IDisposable? _own, _peers;

    public async Task StartAsync(CancellationToken ct)
    {
        _own = tickets.SubscribeOwnChanges(id => bus.Publish(Topic, Encoding.UTF8.GetBytes(id)));
        _peers = await bus.SubscribeAsync(Topic, message =>
        {
            tickets.ChangedOnPeer(Encoding.UTF8.GetString(message.Span));
            return Task.CompletedTask;
        });
    }

    public Task StopAsync(CancellationToken ct)
    {
        _own?.Dispose();
        _peers?.Dispose();
        return Task.CompletedTask;
    }
}
