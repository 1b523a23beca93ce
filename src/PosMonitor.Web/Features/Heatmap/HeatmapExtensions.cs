using PosMonitor.Web.Infrastructure;
using PosMonitor.Web.Infrastructure.Realtime;

namespace PosMonitor.Web.Features.Heatmap;

public static class HeatmapExtensions
{
    /// <summary>The live heatmap, its coalescing publisher and the live hub.</summary>
    public static IHostApplicationBuilder AddHeatmap(this IHostApplicationBuilder builder)
    {
        var services = builder.Services;
        services.AddValidatedOptions<HeatmapOptions>(HeatmapOptions.Section);
        services.AddSingleton<HeatmapService>();
        services.AddHostedService<HeatmapStartup>();
        services.AddHostedService<HeatmapPublisher>();
        services.AddSingleton<LiveConnections>();
        services.AddHostedService<LiveIncidentForwarder>();
        services.AddSignalR();
        return builder;
    }

    public static IEndpointRouteBuilder MapLive(this IEndpointRouteBuilder app)
    {
        app.MapHeatmapApi();
        app.MapHub<LiveHub>(LiveHub.Path);
        return app;
    }
}
