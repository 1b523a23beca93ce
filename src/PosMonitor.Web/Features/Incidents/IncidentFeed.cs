using PosMonitor.Core.Detection;
using PosMonitor.Core.Incidents;
using PosMonitor.Web.Infrastructure.Realtime;

namespace PosMonitor.Web.Features.Incidents;

/// <summary>
/// In-process feed of incident changes (from detection and from agents): pages subscribe, and the
/// live hub forwards them as IncidentOpened / IncidentUpdated to the clients that may see them.
/// </summary>
public sealed class IncidentFeed(ILogger<IncidentFeed> logger)
{
    private readonly FeedSubscribers<(IncidentChangeKind Kind, Incident Incident)> _subscribers = new(logger);

    /// <summary>Calls <paramref name="onChange"/> with every change, in the culture it subscribed in.</summary>
    public IDisposable Subscribe(Action<IncidentChangeKind, Incident> onChange) => _subscribers.Add(c => onChange(c.Kind, c.Incident));

    /// <summary>
    /// As <see cref="Subscribe"/>, for changes made on this node only: what must happen once in a cluster (tickets,
    /// notifications) and the relay to the other nodes subscribe here.
    /// </summary>
    public IDisposable SubscribeOwn(Action<IncidentChangeKind, Incident> onChange) => _subscribers.AddOwn(c => onChange(c.Kind, c.Incident));

    public void Publish(IncidentChangeKind kind, Incident incident) => _subscribers.Publish((kind, incident));

    /// <summary>A change another node made (PosMonitor:Cluster), for this node's views.</summary>
    public void PublishFromPeer(IncidentChangeKind kind, Incident incident) => _subscribers.PublishFromPeer((kind, incident));
}
