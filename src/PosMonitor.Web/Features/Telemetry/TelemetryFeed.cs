using System.Threading.Channels;
using PosMonitor.Core.Rollups;

namespace PosMonitor.Web.Features.Telemetry;

/// <summary>
/// In-process feed of committed rollup changes: the live heatmap, dashboard and hub subscribe
/// here instead of polling the database. Subscribers run on the feed's own loop, not on the
/// ingestion writer's, so a slow subscriber never delays a commit; when several commits wait,
/// they are merged and delivered as one change.
/// </summary>
public sealed class TelemetryFeed : IDisposable
{
    private readonly List<Action<RollupDelta>> _subscribers = [];
    private readonly Channel<RollupDelta> _waiting = Channel.CreateUnbounded<RollupDelta>(new UnboundedChannelOptions { SingleReader = true });
    private readonly ILogger<TelemetryFeed> _logger;
    private readonly Task _loop;

    public TelemetryFeed(ILogger<TelemetryFeed> logger)
    {
        _logger = logger;
        _loop = Task.Run(DispatchAsync);
    }

    public IDisposable Subscribe(Action<RollupDelta> onCommitted)
    {
        lock (_subscribers) _subscribers.Add(onCommitted);
        return new Subscription(() => { lock (_subscribers) _subscribers.Remove(onCommitted); });
    }

    /// <summary>Hands a committed change to the feed's loop; returns at once. The delta must not change afterwards.</summary>
    public void Publish(RollupDelta delta) => _waiting.Writer.TryWrite(delta);

    private async Task DispatchAsync()
    {
        while (await _waiting.Reader.WaitToReadAsync())
        {
            if (!_waiting.Reader.TryRead(out var delta)) continue;
            if (_waiting.Reader.TryRead(out var next))
            {
                // Behind: fold everything waiting into one change (a copy; published deltas are shared).
                var merged = new RollupDelta();
                merged.MergeFrom(delta);
                do merged.MergeFrom(next); while (_waiting.Reader.TryRead(out next));
                delta = merged;
            }
            Action<RollupDelta>[] subscribers;
            lock (_subscribers) subscribers = [.. _subscribers];
            foreach (var s in subscribers)
            {
                try
                {
                    s(delta);
                }
                catch (Exception e)
                {
                    // One broken view must not starve the others (or the heatmap) of later changes.
                    _logger.LogError(e, "A telemetry feed subscriber failed");
                }
            }
        }
    }

    public void Dispose()
    {
        _waiting.Writer.TryComplete();
        _loop.Wait(TimeSpan.FromSeconds(5));
    }

    private sealed class Subscription(Action dispose) : IDisposable
    {
        public void Dispose() => dispose();
    }
}
