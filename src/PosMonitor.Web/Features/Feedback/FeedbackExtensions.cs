using PosMonitor.Web.Features.Incidents;
using PosMonitor.Web.Features.Portal;

namespace PosMonitor.Web.Features.Feedback;

public static class FeedbackExtensions
{
    /// <summary>Merchant portal and feedback: both serve merchant owners from the same per-merchant view.</summary>
    public static IHostApplicationBuilder AddFeedback(this IHostApplicationBuilder builder)
    {
        builder.Services.AddSingleton<MerchantPortal>();
        builder.Services.AddSingleton<OpenIncidents>();
        builder.Services.AddSingleton<FeedbackRepository>();
        builder.Services.AddScoped<FeedbackService>();
        builder.Services.AddHostedService<OpenIncidentsStartup>();
        return builder;
    }

    /// <summary>Fills <see cref="OpenIncidents"/> from the store at start; from then on it follows the feed.</summary>
    private sealed class OpenIncidentsStartup(OpenIncidents incidents, IncidentRepository store) : IHostedService
    {
        public async Task StartAsync(CancellationToken ct)
        {
            foreach (var incident in await store.OpenAsync(ct)) incidents.OnChange(Core.Detection.IncidentChangeKind.Opened, incident);
        }

        public Task StopAsync(CancellationToken ct) => Task.CompletedTask;
    }
}
