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

    /// <summary>Creates <see cref="OpenIncidents"/> at start, so it hears incidents opened before any page asks.</summary>
    private sealed class OpenIncidentsStartup(OpenIncidents incidents) : IHostedService
    {
        public Task StartAsync(CancellationToken ct) => Task.FromResult(incidents);

        public Task StopAsync(CancellationToken ct) => Task.CompletedTask;
    }
}
