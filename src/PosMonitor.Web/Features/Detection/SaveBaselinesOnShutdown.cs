namespace PosMonitor.Web.Features.Detection;

/// <summary>Saves the baselines when the host stops (registered after Quartz, so it stops first and the last run finishes under the runner's lock).</summary>
public sealed class SaveBaselinesOnShutdown(DetectionRunner runner) : IHostedService
{
    public Task StartAsync(CancellationToken ct) => Task.CompletedTask;

    public Task StopAsync(CancellationToken ct) => runner.SaveBaselinesAsync(ct);
}
