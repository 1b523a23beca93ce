using PosMonitor.Core.Detection;
using PosMonitor.Core.Incidents;

namespace PosMonitor.Web.Features.Incidents;

/// <summary>
/// In-process feed of incident changes (from detection and from agents): pages subscribe, and the
/// live hub forwards them as IncidentOpened / IncidentUpdated to the clients that may see them.
/// </summary>
public sealed class IncidentFeed
{
    private readonly List<Action<IncidentChangeKind, Incident>> _subscribers = [];

    public IDisposable Subscribe(Action<IncidentChangeKind, Incident> onChange)
    {
        lock (_subscribers) _subscribers.Add(onChange);
        return new Subscription(() => { lock (_subscribers) _subscribers.Remove(onChange); });
    }

    public void Publish(IncidentChangeKind kind, Incident incident)
    {
        Action<IncidentChangeKind, Incident>[] subscribers;
        lock (_subscribers) subscribers = [.. _subscribers];
        foreach (var s in subscribers) s(kind, incident);
    }

    private sealed class Subscription(Action dispose) : IDisposable
    {
        public void Dispose() => dispose();
    }
}
