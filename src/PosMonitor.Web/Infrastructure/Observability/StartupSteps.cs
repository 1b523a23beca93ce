using System.Diagnostics;

namespace PosMonitor.Web.Infrastructure.Observability;

/// <summary>
/// Logs how long each start-up step took, and when the portal became ready: a start that takes longer than usual
/// shows in the log where the time went (a step reading more rows, a slow disk), not only that it was slow.
/// Each step logs in its own class's category, so it can be turned down or up with that class.
/// </summary>
public static class StartupSteps
{
    public static async Task<T> TimeStepAsync<T>(this ILogger logger, string step, Func<Task<T>> work)
    {
        var start = Stopwatch.GetTimestamp();
        var result = await work();
        logger.StepTook(step, Stopwatch.GetElapsedTime(start));
        return result;
    }

    public static Task TimeStepAsync(this ILogger logger, string step, Func<Task> work) =>
        logger.TimeStepAsync(step, async () => { await work(); return true; });

    public static void StepTook(this ILogger logger, string step, TimeSpan took) =>
        logger.LogInformation("Start-up step {Step} took {Milliseconds} ms", step, (long)took.TotalMilliseconds);

    /// <summary>Once the host has started every service: from then on requests are served and <c>/readyz</c> can answer ready.</summary>
    public static void LogStarted(this ILogger logger)
    {
        using var process = Process.GetCurrentProcess();
        logger.LogInformation("Started, {Seconds:F1} s after the process did", (DateTime.Now - process.StartTime).TotalSeconds);
    }
}
