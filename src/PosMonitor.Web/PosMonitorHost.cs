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

/// <summary>The portal's composition: one line per feature, in the order they depend on each other.</summary>
public static class PosMonitorHost
{
    public static WebApplicationBuilder AddPosMonitor(this WebApplicationBuilder builder)
    {
        // A build output (not a publish) run as `dotnet PosMonitor.Web.dll` outside Development, as the browser
        // tests do in Testing, finds wwwroot and package assets (MudBlazor, blazor.web.js) only through the
        // build's static web assets manifest; a published app has them in its own wwwroot and needs nothing.
        if (builder.Environment.IsEnvironment("Testing")) builder.WebHost.UseStaticWebAssets();
        builder.Services.AddSingleton(TimeProvider.System);
        builder.Services.AddProblemDetails();
        builder.AddApiDocument();
        builder.AddForwardedHeaders();
        builder.AddPosMonitorData();
        builder.AddCluster();
        builder.AddObservability();
        builder.Services.AddHostedService<Startup>();
        builder.AddPosMonitorLocalization();
        builder.AddPosMonitorIdentity();
        builder.AddDisplayTime();
        builder.AddScheduling();
        builder.AddFleet();
        builder.AddTelemetry();
        builder.AddIncidents();
        builder.AddDetection();
        builder.AddHeatmap();
        builder.AddRealtime();
        builder.AddOperations();
        builder.AddTerminals();
        builder.AddFeedback();
        builder.AddRunbooks();
        builder.AddNotifications();
        builder.AddIncidentTickets();
        builder.AddClusterFeeds();
        builder.AddDemo();

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
