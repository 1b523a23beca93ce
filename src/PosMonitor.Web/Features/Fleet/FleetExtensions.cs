namespace PosMonitor.Web.Features.Fleet;

public static class FleetExtensions
{
    public static IHostApplicationBuilder AddFleet(this IHostApplicationBuilder builder)
    {
        builder.Services.AddSingleton<FleetRepository>();
        builder.Services.AddSingleton<FleetChanges>();
        builder.Services.AddSingleton<FleetCache>();
        builder.Services.AddHostedService<FleetStartup>();
        return builder;
    }
}
