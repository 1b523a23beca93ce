using Microsoft.AspNetCore.Components.Server.Circuits;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;
using OpenTelemetry.Metrics;
using OpenTelemetry.Trace;
using PosMonitor.Web.Features.Identity;
using PosMonitor.Web.Features.Incidents;
using PosMonitor.Web.Features.Telemetry;
using PosMonitor.Web.Infrastructure.Data;
using PosMonitor.Web.Infrastructure.Realtime;

namespace PosMonitor.Web.Infrastructure.Observability;

public static class ObservabilityExtensions
{
    public const string MetricsPath = "/metrics";

    /// <summary>
    /// PosMonitor's meter, ASP.NET Core's and the runtime's, exported for Prometheus at <see cref="MetricsPath"/>;
    /// traces (the ingestion request and detection tick spans with ASP.NET Core's) only when an OTLP collector is
    /// configured (<c>OTEL_EXPORTER_OTLP_ENDPOINT</c>), so without one the hot path starts no activity at all.
    /// </summary>
    public static IHostApplicationBuilder AddObservability(this IHostApplicationBuilder builder)
    {
        var services = builder.Services;
        services.AddOptions<MetricsOptions>().BindConfiguration(MetricsOptions.Section).ValidateOnStart();
        services.AddSingleton<IValidateOptions<MetricsOptions>, MetricsOptions.Validator>();
        services.AddSingleton<PosMonitorMetrics>();
        services.TryAddEnumerable(ServiceDescriptor.Scoped<CircuitHandler, CircuitMetrics>());

        var telemetry = services.AddOpenTelemetry().WithMetrics(metrics => metrics
            .AddMeter(PosMonitorMetrics.Name)
            .AddAspNetCoreInstrumentation()
            .AddRuntimeInstrumentation()
            // No scrape cache: a scrape sees every count made before it; Prometheus asks every 15 s or so, a cache saves nothing.
            .AddPrometheusExporter(o => o.ScrapeResponseCacheDurationMilliseconds = 0));
        if (!string.IsNullOrEmpty(builder.Configuration["OTEL_EXPORTER_OTLP_ENDPOINT"]))
            telemetry.WithTracing(tracing => tracing
                .AddSource(PosMonitorMetrics.Name)
                .AddAspNetCoreInstrumentation(o => o.Filter = http => !http.Request.Path.StartsWithSegments(MetricsPath))
                .AddOtlpExporter());

        services.AddAuthorizationBuilder().AddPolicy(ApiPolicies.Metrics, p => p
            .AddAuthenticationSchemes(ApiKeyAuthenticationHandler.SchemeName)
            .RequireAssertion(c => c.User.HasClaim(PosClaims.Scope, Scopes.Metrics) || c.User.HasClaim(PosClaims.Scope, Scopes.Admin)
                || (c.Resource is HttpContext http
                    && http.RequestServices.GetRequiredService<IOptions<MetricsOptions>>().Value.Allows(http.Connection.RemoteIpAddress))));
        return builder;
    }

    /// <summary><c>/metrics</c> for a <c>metrics</c> (or <c>admin</c>) key or an allowed network; anyone else gets 401 or 403.</summary>
    public static WebApplication MapObservability(this WebApplication app)
    {
        var services = app.Services;
        var startup = services.GetRequiredService<ILoggerFactory>().CreateLogger(typeof(Startup));
        app.Lifetime.ApplicationStarted.Register(startup.LogStarted);
        services.GetRequiredService<PosMonitorMetrics>().Observe(
            services.GetRequiredService<IngestionQueue>(),
            services.GetRequiredService<IOptions<IngestionOptions>>().Value.QueueCapacityEvents,
            services.GetRequiredService<OpenIncidents>(),
            services.GetRequiredService<LiveConnections>(),
            services.GetRequiredService<Db>().Provider == DatabaseProvider.Sqlite);
        app.MapPrometheusScrapingEndpoint(MetricsPath).RequireAuthorization(ApiPolicies.Metrics);
        return app;
    }
}
