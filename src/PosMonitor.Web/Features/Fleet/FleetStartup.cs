using PosMonitor.Web.Infrastructure.Observability;

namespace PosMonitor.Web.Features.Fleet;

/// <summary>Loads the fleet into <see cref="FleetCache"/> before ingestion, detection and the pages look terminals up in it.</summary>
public sealed class FleetStartup(FleetCache fleet, ILogger<FleetStartup> logger) : IHostedService
{
    public Task StartAsync(CancellationToken ct) => logger.TimeStepAsync("fleet", () => fleet.ReloadAsync(ct));

    public Task StopAsync(CancellationToken ct) => Task.CompletedTask;
}
