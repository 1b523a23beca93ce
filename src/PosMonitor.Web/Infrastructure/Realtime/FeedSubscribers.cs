using System.Globalization;

namespace PosMonitor.Web.Infrastructure.Realtime;

/// <summary>
/// The subscribers of an in-process feed (heatmap ticks, incident changes, committed telemetry, ticket changes).
/// Each callback runs in the culture it subscribed in. A page subscribes from its circuit, which renders in the
/// reader's language, but the feed calls back on its own thread (a loop, a Quartz job, another user's request), and
/// Blazor renders in the calling thread's culture: a Chinese dashboard turned English at its first live update.
/// A subscriber that throws is logged; the others, and the publisher, carry on (one broken view must not starve the
/// rest, nor fail the detection run or the request that published).
/// With several nodes (PosMonitor:Cluster) a feed also carries what other nodes published (<see cref="PublishFromPeer"/>):
/// views see everything; side effects that must happen once in the cluster (tickets, notifications) and the relay to the
/// other nodes subscribe with <see cref="AddOwn"/> and see only what this node published.
/// </summary>
public sealed class FeedSubscribers<T>(ILogger logger)
{
    private readonly List<Entry> _entries = [];

    /// <summary>Adds a callback, to run in the current culture and UI culture; dispose the result to remove it.</summary>
    public IDisposable Add(Action<T> callback) => Add(callback, ownOnly: false);

    /// <summary>As <see cref="Add"/>, for values published on this node only (not those another node published).</summary>
    public IDisposable AddOwn(Action<T> callback) => Add(callback, ownOnly: true);

    private IDisposable Add(Action<T> callback, bool ownOnly)
    {
        var entry = new Entry(callback, CultureInfo.CurrentCulture, CultureInfo.CurrentUICulture, ownOnly);
        lock (_entries) _entries.Add(entry);
        return new Subscription(this, entry);
    }

    public int Count
    {
        get { lock (_entries) return _entries.Count; }
    }

    /// <summary>A value of this node: every subscriber sees it.</summary>
    public void Publish(T value) => Publish(value, fromPeer: false);

    /// <summary>A value another node published: the subscribers added with <see cref="AddOwn"/> do not see it.</summary>
    public void PublishFromPeer(T value) => Publish(value, fromPeer: true);

    private void Publish(T value, bool fromPeer)
    {
        Entry[] entries;
        lock (_entries)
        {
            if (_entries.Count == 0) return;
            entries = fromPeer ? [.. _entries.Where(e => !e.OwnOnly)] : [.. _entries];
        }
        var (culture, uiCulture) = (CultureInfo.CurrentCulture, CultureInfo.CurrentUICulture);
        foreach (var e in entries)
        {
            // Set on this thread (an async-local), so work the callback posts to its circuit's dispatcher carries it too.
            CultureInfo.CurrentCulture = e.Culture;
            CultureInfo.CurrentUICulture = e.UiCulture;
            try
            {
                e.Callback(value);
            }
            catch (Exception ex)
            {
                logger.LogError(ex, "A subscriber of the {Feed} feed failed", typeof(T).Name);
            }
            finally
            {
                CultureInfo.CurrentCulture = culture;
                CultureInfo.CurrentUICulture = uiCulture;
            }
        }
    }

    private void Remove(Entry entry)
    {
        lock (_entries) _entries.Remove(entry);
    }

    // A class, not a record: the same callback subscribed twice is two subscriptions, removed one at a time.
    private sealed class Entry(Action<T> callback, CultureInfo culture, CultureInfo uiCulture, bool ownOnly)
    {
        public bool OwnOnly { get; } = ownOnly;
        public Action<T> Callback { get; } = callback;
        public CultureInfo Culture { get; } = culture;
        public CultureInfo UiCulture { get; } = uiCulture;
    }

    private sealed class Subscription(FeedSubscribers<T> owner, Entry entry) : IDisposable
    {
        public void Dispose() => owner.Remove(entry);
    }
}
