namespace PosMonitor.Web.Features.Incidents;

public static class IncidentsExtensions
{
    public static IHostApplicationBuilder AddIncidents(this IHostApplicationBuilder builder)
    {
        builder.Services.AddSingleton<IncidentFeed>();
        builder.Services.AddSingleton<IncidentRepository>();
        return builder;
    }
}
