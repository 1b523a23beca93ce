using PosMonitor.Web.Infrastructure;

namespace PosMonitor.Web.Features.Heatmap;

public static class HeatmapExtensions
{
    /// <summary>The live heatmap and its coalescing publisher (to the pages and the hub).</summary>
    public static IHostApplicationBuilder AddHeatmap(this IHostApplicationBuilder builder)
    {
        var services = builder.Services;
        services.AddValidatedOptions<HeatmapOptions>(HeatmapOptions.Section);
        services.AddSingleton<HeatmapService>();
        services.AddHostedService<HeatmapStartup>();
        services.AddHostedService<HeatmapPublisher>();
        return builder;
    }
}
