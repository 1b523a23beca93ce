using Microsoft.Extensions.DependencyInjection;
using PosMonitor.Core.Incidents;
using PosMonitor.Web.Features.Fleet;
using PosMonitor.Web.Features.Incidents;
using PosMonitor.Web.Features.Telemetry;
using PosMonitor.Web.Tests.Identity;

namespace PosMonitor.Web.Tests.Incidents;

public static class ManualIncidents
{
    /// <summary>An incident an agent opened by hand on merchant m-0001 of the seeded fleet, as the portal's form does.</summary>
    public static async Task<Incident> OpenManualIncidentAsync(this PortalFactory factory, string title,
        Cause cause = Cause.Network, Severity severity = Severity.Major)
    {
        await factory.SeedAsync();
        await factory.Services.GetRequiredService<FleetCache>().ReloadAsync(default);
        return await factory.Services.GetRequiredService<IncidentTickets>().CreateManualAsync(
            title, cause, severity, ScopeType.Merchant, "m-0001", ["m-0001"], "alice", default);
    }
}
