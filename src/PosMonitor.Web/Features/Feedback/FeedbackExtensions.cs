using PosMonitor.Web.Features.Portal;

namespace PosMonitor.Web.Features.Feedback;

public static class FeedbackExtensions
{
    /// <summary>Merchant portal and feedback: both serve merchant owners from the same per-merchant view.</summary>
    public static IHostApplicationBuilder AddFeedback(this IHostApplicationBuilder builder)
    {
        builder.Services.AddSingleton<MerchantPortal>();
        builder.Services.AddSingleton<FeedbackRepository>();
        builder.Services.AddScoped<FeedbackService>();
        return builder;
    }
}
