using PosMonitor.Web.Infrastructure.Observability;

namespace PosMonitor.Web.Features.Telemetry;

/// <summary>Loads the terminal states before the writer takes the first request (it needs each terminal's previous heartbeat).</summary>
public sealed class TelemetryStartup(TerminalStateCache states, ILogger<TelemetryStartup> logger) : IHostedService
{
    public Task StartAsync(CancellationToken ct) => logger.TimeStepAsync("terminal states", () => states.LoadAsync(ct));

    public Task StopAsync(CancellationToken ct) => Task.CompletedTask;
}
