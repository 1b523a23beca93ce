using PosMonitor.Core.Detection;
using PosMonitor.Web.Infrastructure.Observability;

namespace PosMonitor.Web.Features.Incidents;

/// <summary>Fills <see cref="OpenIncidents"/> from the store at start; from then on it follows the feed.</summary>
public sealed class OpenIncidentsStartup(OpenIncidents incidents, IncidentRepository store, ILogger<OpenIncidentsStartup> logger) : IHostedService
{
    public async Task StartAsync(CancellationToken ct)
    {
        foreach (var incident in await logger.TimeStepAsync("open incidents", () => store.OpenAsync(ct))) incidents.OnChange(IncidentChangeKind.Opened, incident);
    }

    public Task StopAsync(CancellationToken ct) => Task.CompletedTask;
}
