using Microsoft.Extensions.DependencyInjection.Extensions;
using PosMonitor.Web.Features.Identity;
using PosMonitor.Web.Features.Incidents;
using PosMonitor.Web.Features.Telemetry;
using PosMonitor.Web.Infrastructure;
using PosMonitor.Web.Infrastructure.Realtime;

namespace PosMonitor.Web.Features.Heatmap;

public static class HeatmapExtensions
{
    /// <summary>The live heatmap, its coalescing publisher, the live hub and the incident reader the live views use.</summary>
    public static IHostApplicationBuilder AddHeatmap(this IHostApplicationBuilder builder)
    {
        var services = builder.Services;
        services.AddValidatedOptions<HeatmapOptions>(HeatmapOptions.Section);
        services.AddSingleton<HeatmapService>();
        services.AddHostedService<HeatmapStartup>();
        services.AddHostedService<HeatmapPublisher>();
        services.AddSingleton<LiveConnections>();
        services.AddHostedService<LiveIncidentForwarder>();
        services.TryAddSingleton<IIncidentReader, FeedIncidentReader>();
        services.AddScoped<PortalViewer>();
        services.AddScoped(DisplayTime.ForReader);
        services.AddSignalR();
        return builder;
    }

    public static IEndpointRouteBuilder MapLive(this IEndpointRouteBuilder app)
    {
        app.MapHeatmapApi();
        app.MapHub<LiveHub>(LiveHub.Path);
        return app;
    }

    /// <summary>Seeds the heatmap from the rollups after the fleet and states are loaded, then follows the feed.</summary>
    private sealed class HeatmapStartup(HeatmapService heatmap, RollupQueries rollups, TelemetryFeed feed, TimeProvider time) : IHostedService
    {
        private IDisposable? _subscription;

        public async Task StartAsync(CancellationToken ct)
        {
            // Subscribe first: requests are not served before every hosted service has started, so nothing is counted twice.
            _subscription = feed.Subscribe(heatmap.Apply);
            var now = time.GetUtcNow();
            heatmap.Seed(await rollups.SalesAndTimeoutsAsync(now.AddMinutes(-HeatmapService.WindowMinutes), now.AddMinutes(10), ct));
        }

        public Task StopAsync(CancellationToken ct)
        {
            _subscription?.Dispose();
            return Task.CompletedTask;
        }
    }
}
