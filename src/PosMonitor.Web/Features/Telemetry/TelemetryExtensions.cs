using System.Globalization;
using System.Security.Claims;
using System.Threading.RateLimiting;
using Microsoft.AspNetCore.RateLimiting;
using Microsoft.Extensions.Options;
using PosMonitor.Web.Features.Identity;
using PosMonitor.Web.Infrastructure;
using PosMonitor.Web.Infrastructure.Cluster;
using PosMonitor.Web.Infrastructure.Scheduling;

namespace PosMonitor.Web.Features.Telemetry;

public static class TelemetryExtensions
{
    public static IHostApplicationBuilder AddTelemetry(this IHostApplicationBuilder builder)
    {
        var services = builder.Services;
        services.AddValidatedOptions<IngestionOptions>(IngestionOptions.Section);
        services.AddSingleton<IngestionQueue>();
        services.AddSingleton<TelemetryFleetCheck>();
        services.AddSingleton<TelemetryStore>();
        services.AddSingleton<RecentEventKeys>();
        services.AddSingleton<TerminalStateCache>();
        services.AddSingleton<TelemetryFeed>();
        services.AddSingleton<IngestionMetrics>();
        services.AddSingleton<RollupQueries>();
        services.AddSingleton<RollupAdoption>();
        services.AddHostedService<TelemetryStartup>();
        services.AddHostedService<IngestionWriter>();
        services.AddJob<PruneTelemetryJob>(TimeSpan.FromHours(1));
        // Several nodes: the leader folds what a node that is gone left unwritten (a single node does at its start).
        if (ClusterExtensions.IsEnabled(builder.Configuration)) services.AddJob<AdoptRollupsJob>(AdoptRollupsJob.Interval);

        services.AddRateLimiter(limiter =>
        {
            limiter.AddPolicy(TelemetryApi.RateLimitPolicy, http =>
            {
                var perSecond = http.RequestServices.GetRequiredService<IOptions<IngestionOptions>>().Value.RequestsPerSecondPerKey;
                var key = http.User.FindFirstValue(PosClaims.KeyId) ?? "anonymous";
                var bucket = new TokenBucketRateLimiterOptions
                {
                    TokenLimit = perSecond,
                    TokensPerPeriod = perSecond,
                    ReplenishmentPeriod = TimeSpan.FromSeconds(1),
                    QueueLimit = 0,
                    AutoReplenishment = true,
                };
                // Several nodes (PosMonitor:Cluster) count a key's requests together; this node's bucket is the fallback.
                return http.RequestServices.GetService<SharedRateLimits>() is { } shared
                    ? shared.Partition(key, perSecond, () => new TokenBucketRateLimiter(bucket))
                    : RateLimitPartition.GetTokenBucketLimiter(key, _ => bucket);
            });
            limiter.OnRejected = async (context, ct) =>
            {
                var http = context.HttpContext;
                var retryAfter = context.Lease.TryGetMetadata(MetadataName.RetryAfter, out var wait)
                    ? Math.Max(1, (int)Math.Ceiling(wait.TotalSeconds))
                    : http.RequestServices.GetRequiredService<IOptions<IngestionOptions>>().Value.RetryAfterSeconds;
                http.RequestServices.GetRequiredService<IngestionMetrics>().Refused(StatusCodes.Status429TooManyRequests);
                http.Response.StatusCode = StatusCodes.Status429TooManyRequests;
                http.Response.Headers.RetryAfter = retryAfter.ToString(CultureInfo.InvariantCulture);
                await http.RequestServices.GetRequiredService<IProblemDetailsService>().WriteAsync(new ProblemDetailsContext
                {
                    HttpContext = http,
                    ProblemDetails =
                    {
                        Status = StatusCodes.Status429TooManyRequests,
                        Title = "This API key is over its rate",
                        Detail = "Nothing of this request was stored; send it again after Retry-After seconds.",
                    },
                });
            };
        });
        return builder;
    }
}
