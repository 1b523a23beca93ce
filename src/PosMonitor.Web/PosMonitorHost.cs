using MudBlazor.Services;
using PosMonitor.Web.Components;
using PosMonitor.Web.Features.Demo;
using PosMonitor.Web.Features.Detection;
using PosMonitor.Web.Features.Feedback;
using PosMonitor.Web.Features.Fleet;
using PosMonitor.Web.Features.Heatmap;
using PosMonitor.Web.Features.Incidents;
using PosMonitor.Web.Features.Identity;
using PosMonitor.Web.Features.Notifications;
using PosMonitor.Web.Features.Operations;
using PosMonitor.Web.Features.Runbooks;
using PosMonitor.Web.Features.Terminals;
using PosMonitor.Web.Features.Telemetry;
using PosMonitor.Web.Infrastructure.Scheduling;
using PosMonitor.Web.Infrastructure;
using PosMonitor.Web.Infrastructure.Api;
using PosMonitor.Web.Infrastructure.Cluster;
using PosMonitor.Web.Infrastructure.Data;
using PosMonitor.Web.Infrastructure.Localization;
using PosMonitor.Web.Infrastructure.Observability;
using PosMonitor.Web.Infrastructure.Realtime;
using PosMonitor.Web.Infrastructure.Security;
using PosMonitor.Web.Infrastructure.Time;

namespace PosMonitor.Web;

/// <summary>
/// The portal's composition, read top to bottom as the data flows: the plumbing every feature uses, then the pipeline
/// (telemetry → <c>IngestionQueue</c> → <c>IngestionWriter</c> → <c>TelemetryFeed</c> → <c>LiveMinuteWindow</c> →
/// <c>DetectionRunner</c> → <c>IncidentFeed</c> → notifier and outbox, tickets), then the pages and the hub that read it.
/// </summary>
/// <remarks>
/// This order is the hosted services' start order: .NET starts them one after another as registered, serves requests only
/// once all have started, and stops them in reverse. So the fleet and the writer are ready before anything reads rollups,
/// every subscriber follows its feed before the first request (Quartz's jobs first run one interval after start), and the
/// demo's traffic starts last and stops first. Each service, at start and at stop: README.md here, "Hosted services";
/// HostedServiceOrderTests holds the order.
/// </remarks>
public static class PosMonitorHost
{
    public static WebApplicationBuilder AddPosMonitor(this WebApplicationBuilder builder)
    {
        // A build output (not a publish) run as `dotnet PosMonitor.Web.dll` outside Development, as the browser
        // tests do in Testing, finds wwwroot and package assets (MudBlazor, blazor.web.js) only through the
        // build's static web assets manifest; a published app has them in its own wwwroot and needs nothing.
        if (builder.Environment.IsEnvironment("Testing")) builder.WebHost.UseStaticWebAssets();

        // Plumbing.
        builder.Services.AddSingleton(TimeProvider.System);
        builder.Services.AddProblemDetails();
        builder.AddApiDocument();
        builder.AddForwardedHeaders();
        builder.AddPosMonitorData();                    // SqliteCheckpointer
        builder.AddCluster();                           // clustered only: ClusterHeartbeat (node row, detection lease), Redis, shared keys
        builder.AddObservability();
        builder.Services.AddHostedService<Startup>();   // migrations, bootstrap key and users
        builder.AddPosMonitorLocalization();
        builder.AddPosMonitorIdentity();
        builder.AddDisplayTime();
        builder.AddScheduling();                        // Quartz: jobs run from here on, each first one interval after start

        // The pipeline.
        builder.AddFleet();                             // FleetCache, loaded before any event is checked against it
        builder.AddTelemetry();                         // TelemetryApi → IngestionQueue → IngestionWriter → TelemetryFeed
        builder.AddDetection();                         // TelemetryFeed → LiveMinuteWindow → DetectionRunner (DetectIncidentsJob)
        builder.AddIncidents();                         // → IncidentFeed, IncidentRepository, OpenIncidents
        builder.AddRunbooks();                          // what tickets, notices and notifications cite
        builder.AddNotifications();                     // IncidentFeed, IncidentActions → Notifier → NotificationOutbox → DeliverNotificationsJob
        builder.AddIncidentTickets();                   // IncidentFeed → IncidentTickets: tickets, merchant notices, escalation

        // Pages and hub, reading the feeds above.
        builder.AddHeatmap();                           // TelemetryFeed → HeatmapService → HeatmapPublisher → pages, LiveHub
        builder.AddOperations();
        builder.AddTerminals();
        builder.AddFeedback();
        builder.AddRealtime();                          // SignalR, /hubs/live and its forwarders (Redis backplane when clustered)
        builder.AddClusterFeeds();                      // clustered only: the feeds above relayed between nodes over Redis
        builder.AddDemo();                              // last: its traffic starts once everything above follows its feed

        builder.Services.AddRazorComponents().AddInteractiveServerComponents();
        builder.Services.AddMudServices();
        return builder;
    }

    public static WebApplication MapPosMonitor(this WebApplication app)
    {
        // First: behind a known TLS proxy everything after sees the client's address and https (PosMonitor:Proxy).
        app.UseForwardedHeaders();
        if (!app.Environment.IsDevelopment())
        {
            app.UseExceptionHandler("/Error", createScopeForErrors: true);
            app.UseHsts();
        }
        app.UseSecurityHeaders();
        app.UseStatusCodePagesWithReExecute("/not-found", createScopeForStatusCodePages: true);
        app.UseApiProblemAnswers();
        app.UseRequestLocalization();
        app.UsePosMonitorIdentity();
        app.UseApiUnmatchedRoutes();
        app.UseAuthorization();
        app.UseRateLimiter();
        app.UseAntiforgery();

        app.MapHealthEndpoints();
        app.MapObservability();
        app.MapCultureEndpoint();
        app.MapFleetApi();
        app.MapApiKeysApi();
        app.MapAccountApi();
        app.MapTelemetryApi();
        app.MapIncidentsApi();
        app.MapHeatmapApi();
        app.MapRealtime();
        app.MapFeedbackApi();
        app.MapApiDocument();

        app.MapStaticAssets().AllowAnonymous();
        // Our own CSP (SecurityHeaders) already says frame-ancestors 'none'; Blazor's would be a second header.
        app.MapRazorComponents<App>().AddInteractiveServerRenderMode(o => o.ContentSecurityFrameAncestorsPolicy = null).RequireCircuitAuthorization();
        return app;
    }

    /// <summary><c>PosMonitor.Web migrate</c>: apply migrations and exit, for operators who migrate before deploying.</summary>
    public static int RunMigrateCommand(this WebApplication app)
    {
        // Migrating is how an operator sets up a database, so a missing SQLite file is created here.
        app.Services.GetRequiredService<Db>().EnsureExists(create: true);
        var migrator = app.Services.GetRequiredService<Migrator>();
        migrator.Migrate();
        Console.WriteLine($"Database is up to date ({app.Services.GetRequiredService<Db>().Provider}).");
        return 0;
    }
}
