using PosMonitor.Web.Features.Incidents;

namespace PosMonitor.Web.Infrastructure.Cluster;

/// <summary>
/// Ticket and merchant-notice changes between nodes: the incident id crosses (empty after escalations), and this node's
/// pages reload what changed from the database.
/// </summary>
public sealed class TicketRelay(ClusterBus bus, IncidentTickets tickets) : IdRelay(bus, Topic)
{
    public const string Topic = "tickets";

    protected override IDisposable SubscribeOwn(Action<string> send) => tickets.SubscribeOwnChanges(send);

    protected override void OnPeer(string id) => tickets.ChangedOnPeer(id);
}
