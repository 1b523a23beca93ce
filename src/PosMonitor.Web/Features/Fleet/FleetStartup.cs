namespace PosMonitor.Web.Features.Fleet;

/// <summary>Loads the fleet into <see cref="FleetCache"/> before ingestion, detection and the pages look terminals up in it.</summary>
public sealed class FleetStartup(FleetCache fleet) : IHostedService
{
    public Task StartAsync(CancellationToken ct) => fleet.ReloadAsync(ct);

    public Task StopAsync(CancellationToken ct) => Task.CompletedTask;
}
