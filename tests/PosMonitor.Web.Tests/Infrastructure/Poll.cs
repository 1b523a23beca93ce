namespace PosMonitor.Web.Tests.Infrastructure;

/// <summary>
/// Waits for a state the code under test raises no signal for (a row written behind the 202, the queue's depth, what
/// the portal's own once-a-second check finds): reads it again every 20 ms until it holds, as bUnit's WaitForAssertion
/// does, and fails naming what never came. Where the code does offer a signal (a feed callback,
/// <c>TelemetryFeed.DeliveredAsync</c>, a TaskCompletionSource) a test waits on that instead.
/// </summary>
public static class Poll
{
    private static readonly TimeSpan Interval = TimeSpan.FromMilliseconds(20);
    private static readonly TimeSpan DefaultTimeout = TimeSpan.FromSeconds(30);

    /// <summary>Reads until <paramref name="done"/> holds and returns the value that did.</summary>
    public static async Task<T> UntilAsync<T>(Func<Task<T>> read, Func<T, bool> done, string what, TimeSpan? timeout = null)
    {
        var deadline = DateTime.UtcNow + (timeout ?? DefaultTimeout);
        while (true)
        {
            var value = await read();
            if (done(value)) return value;
            if (DateTime.UtcNow > deadline) throw new TimeoutException($"{what}: not so after {(timeout ?? DefaultTimeout).TotalSeconds:0} s (last read: {value})");
            await Task.Delay(Interval);
        }
    }

    public static Task UntilAsync(Func<Task<bool>> condition, string what, TimeSpan? timeout = null) =>
        UntilAsync(condition, holds => holds, what, timeout);

    public static Task UntilAsync(Func<bool> condition, string what, TimeSpan? timeout = null) =>
        UntilAsync(() => Task.FromResult(condition()), holds => holds, what, timeout);
}
