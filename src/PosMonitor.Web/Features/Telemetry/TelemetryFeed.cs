using System.Threading.Channels;
using PosMonitor.Core.Rollups;
using PosMonitor.Web.Infrastructure.Realtime;

namespace PosMonitor.Web.Features.Telemetry;

/// <summary>
/// In-process feed of committed rollup changes: the live heatmap, dashboard and hub subscribe
/// here instead of polling the database. Subscribers run on the feed's own loop, not on the
/// ingestion writer's, so a slow subscriber never delays a commit; when several commits wait,
/// they are merged and delivered as one change.
/// </summary>
public sealed class TelemetryFeed : IDisposable
{
    private readonly FeedSubscribers<RollupDelta> _subscribers;
    private readonly FeedSubscribers<RollupDelta> _own;
    private readonly Channel<(long Sequence, RollupDelta Delta)> _waiting = Channel.CreateUnbounded<(long, RollupDelta)>(new UnboundedChannelOptions { SingleReader = true });
    private readonly List<(long Sequence, TaskCompletionSource Done)> _waiters = [];
    private long _published;
    private long _delivered;
    private readonly Task _loop;

    public TelemetryFeed(ILogger<TelemetryFeed> logger)
    {
        _subscribers = new(logger);
        _own = new(logger);
        _loop = Task.Run(DispatchAsync);
    }

    /// <summary>Calls <paramref name="onCommitted"/> with committed changes, on the feed's loop, in the culture it subscribed in.</summary>
    public IDisposable Subscribe(Action<RollupDelta> onCommitted) => _subscribers.Add(onCommitted);

    /// <summary>
    /// Calls <paramref name="onCommitted"/> with each change committed on this node (not those of other nodes), at once on
    /// the thread that publishes it (the writer's fold): the callback must only hand the change on, as the relay to the
    /// other nodes does (PosMonitor:Cluster).
    /// </summary>
    public IDisposable SubscribeOwn(Action<RollupDelta> onCommitted) => _own.Add(onCommitted);

    /// <summary>Hands a committed change to the feed's loop; returns at once. The delta must not change afterwards.</summary>
    public void Publish(RollupDelta delta) => Publish(Reserve(), delta);

    /// <summary>
    /// A change another node committed (PosMonitor:Cluster), for this node's subscribers; the delta must not change afterwards.
    /// It takes no place: <see cref="DeliveredAsync"/> is about this node's commits.
    /// </summary>
    public void PublishFromPeer(RollupDelta delta) => _waiting.Writer.TryWrite((NoPlace, delta));

    private const long NoPlace = 0;

    /// <summary>
    /// Takes the next place in the feed for a change still being computed: from now on
    /// <see cref="DeliveredAsync"/> waits for it. Places must be published in the order they were taken.
    /// </summary>
    public long Reserve()
    {
        lock (_waiters) return ++_published;
    }

    /// <summary>Publishes the change of a place taken with <see cref="Reserve"/> (an empty change just moves the feed on).</summary>
    public void Publish(long sequence, RollupDelta delta)
    {
        if (!delta.IsEmpty) _own.Publish(delta);
        _waiting.Writer.TryWrite((sequence, delta));
    }

    /// <summary>
    /// Completes once every change published before the call has reached the subscribers: detection
    /// waits for it, so a run sees every commit acknowledged before it started (as a replay does).
    /// </summary>
    public Task DeliveredAsync()
    {
        lock (_waiters)
        {
            if (_delivered >= _published) return Task.CompletedTask;
            var done = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            _waiters.Add((_published, done));
            return done.Task;
        }
    }

    private async Task DispatchAsync()
    {
        while (await _waiting.Reader.WaitToReadAsync())
        {
            if (!_waiting.Reader.TryRead(out var item)) continue;
            var (sequence, delta) = item;
            if (_waiting.Reader.TryRead(out var next))
            {
                // Behind: fold everything waiting into one change (a copy; published deltas are shared).
                var merged = new RollupDelta();
                merged.MergeFrom(delta);
                do
                {
                    merged.MergeFrom(next.Delta);
                    if (next.Sequence != NoPlace) sequence = next.Sequence;
                }
                while (_waiting.Reader.TryRead(out next));
                delta = merged;
            }
            if (!delta.IsEmpty) _subscribers.Publish(delta);
            if (sequence == NoPlace) continue;
            lock (_waiters)
            {
                _delivered = sequence;
                foreach (var w in _waiters.Where(w => w.Sequence <= sequence)) w.Done.TrySetResult();
                _waiters.RemoveAll(w => w.Sequence <= sequence);
            }
        }
        lock (_waiters)
        {
            foreach (var w in _waiters) w.Done.TrySetResult();
            _waiters.Clear();
        }
    }

    public void Dispose()
    {
        _waiting.Writer.TryComplete();
        _loop.Wait(TimeSpan.FromSeconds(5));
    }
}
