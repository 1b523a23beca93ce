using PosMonitor.Core.Rollups;

namespace PosMonitor.Web.Features.Telemetry;

/// <summary>
/// In-process feed of committed rollup changes: the live heatmap, dashboard and hub subscribe
/// here instead of polling the database.
/// </summary>
public sealed class TelemetryFeed
{
    private readonly List<Action<RollupDelta>> _subscribers = [];

    public IDisposable Subscribe(Action<RollupDelta> onCommitted)
    {
        lock (_subscribers) _subscribers.Add(onCommitted);
        return new Subscription(() => { lock (_subscribers) _subscribers.Remove(onCommitted); });
    }

    public void Publish(RollupDelta delta)
    {
        Action<RollupDelta>[] subscribers;
        lock (_subscribers) subscribers = [.. _subscribers];
        foreach (var s in subscribers) s(delta);
    }

    private sealed class Subscription(Action dispose) : IDisposable
    {
        public void Dispose() => dispose();
    }
}
