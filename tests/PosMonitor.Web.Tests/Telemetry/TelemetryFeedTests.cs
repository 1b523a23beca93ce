using Microsoft.Extensions.Logging.Abstractions;
using PosMonitor.Core.Rollups;
using PosMonitor.Web.Features.Telemetry;

namespace PosMonitor.Web.Tests.Telemetry;

public class TelemetryFeedTests
{
    [Fact]
    public async Task Delivered_completes_only_after_subscribers_saw_every_change_published_before_it()
    {
        using var feed = new TelemetryFeed(NullLogger<TelemetryFeed>.Instance);
        using var gate = new SemaphoreSlim(0);
        var entered = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var seen = 0;
        using var _ = feed.Subscribe(delta =>
        {
            entered.TrySetResult();
            gate.Wait();
            Interlocked.Add(ref seen, delta.States.Count);
        });
        feed.Publish(Delta("T-1"));
        feed.Publish(Delta("T-2"));
        var delivered = feed.DeliveredAsync();
        // What the subscriber had counted when it completed: a completion before the second change was seen reads less than 2.
        var seenWhenDelivered = delivered.ContinueWith(_ => Volatile.Read(ref seen));

        await entered.Task.WaitAsync(TimeSpan.FromSeconds(10));
        Assert.False(delivered.IsCompleted); // the subscriber is still busy with the first change
        gate.Release(2);
        Assert.Equal(2, await seenWhenDelivered.WaitAsync(TimeSpan.FromSeconds(10)));
        Assert.True(feed.DeliveredAsync().IsCompleted);
    }

    [Fact]
    public async Task A_failing_subscriber_does_not_stop_the_others()
    {
        using var feed = new TelemetryFeed(NullLogger<TelemetryFeed>.Instance);
        var seen = 0;
        using var broken = feed.Subscribe(_ => throw new InvalidOperationException("broken view"));
        using var working = feed.Subscribe(_ => Interlocked.Increment(ref seen));
        feed.Publish(Delta("T-1"));
        await feed.DeliveredAsync().WaitAsync(TimeSpan.FromSeconds(10));
        feed.Publish(Delta("T-2"));
        await feed.DeliveredAsync().WaitAsync(TimeSpan.FromSeconds(10));
        Assert.Equal(2, Volatile.Read(ref seen));
    }

    private static RollupDelta Delta(string terminal)
    {
        var delta = new RollupDelta();
        delta.States[terminal] = new TerminalState { TerminalId = terminal };
        return delta;
    }
}
