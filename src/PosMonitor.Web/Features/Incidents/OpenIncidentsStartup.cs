using PosMonitor.Core.Detection;

namespace PosMonitor.Web.Features.Incidents;

/// <summary>Fills <see cref="OpenIncidents"/> from the store at start; from then on it follows the feed.</summary>
public sealed class OpenIncidentsStartup(OpenIncidents incidents, IncidentRepository store) : IHostedService
{
    public async Task StartAsync(CancellationToken ct)
    {
        foreach (var incident in await store.OpenAsync(ct)) incidents.OnChange(IncidentChangeKind.Opened, incident);
    }

    public Task StopAsync(CancellationToken ct) => Task.CompletedTask;
}
