using System.Net;
using Bunit;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using PosMonitor.Web.Features.Audit;
using PosMonitor.Web.Features.Detection;
using PosMonitor.Web.Features.Feedback;
using PosMonitor.Web.Features.Fleet;
using PosMonitor.Web.Features.Heatmap;
using PosMonitor.Web.Features.Identity;
using PosMonitor.Web.Features.Incidents;
using PosMonitor.Web.Features.Portal;
using PosMonitor.Web.Features.Runbooks;
using PosMonitor.Web.Features.Telemetry;
using PosMonitor.Web.Features.Terminals;
using PosMonitor.Web.Infrastructure.Time;
using PosMonitor.Web.Tests.Detection;
using PosMonitor.Web.Tests.Infrastructure;
using static PosMonitor.Web.Tests.Telemetry.TelemetryJson;

namespace PosMonitor.Web.Tests.Terminals;

/// <summary>
/// The terminal page over the running portal (API, writer, rollups, detection on a fake clock): a printer state the
/// terminal reports is a device notice, with since when, and no incident, until the terminal says ok again.
/// </summary>
public sealed class TerminalPageDeviceNoticeTests : BunitTest, IAsyncLifetime
{
    private readonly DeviceNoticePortal _portal = new();

    public async ValueTask InitializeAsync()
    {
        AddAuthorization().SetAuthorized(Identity.PortalFactory.Operator).SetRoles(Roles.Operator);
        // Staff read the operations centre's zone; the test fleet's shops are in Shanghai (UTC+8).
        Services.AddScoped(_ => new DisplayTime(TimeZoneInfo.FindSystemTimeZoneById("Asia/Shanghai")));
        await _portal.StartAsync(this);
    }

    public new async ValueTask DisposeAsync()
    {
        await base.DisposeAsync();
        await _portal.DisposeAsync();
    }

    [Fact]
    public async Task Paper_out_shows_a_notice_with_since_when_and_no_incident_and_ok_clears_it()
    {
        // Past detection's warm-up (5 min) with the printer ok, so detection is judging when the paper runs out.
        for (var i = 0; i < 7; i++) await _portal.HeartbeatAsync("T-000001", "ok");
        var page = Render<TerminalPage>(p => p.Add(x => x.Id, "T-000001"));
        page.WaitForAssertion(() => Assert.Contains("no printer or scanner faults", page.Find("[data-testid=device-history]").TextContent));
        Assert.Empty(page.FindAll("[data-testid=device-notice]"));

        // From 09:07 UTC, 17:07 in Shanghai, for four heartbeats: within a paper change's routine.
        for (var i = 0; i < 4; i++) await _portal.HeartbeatAsync("T-000001", "paper_out");

        page.WaitForAssertion(() =>
        {
            var notice = page.Find("[data-testid=device-notice]");
            Assert.Equal("printer_paper_out", notice.GetAttribute("data-state"));
            Assert.Contains("Printer out of paper", notice.TextContent);
            Assert.Equal("since 17:07", page.Find("[data-testid=device-notice-since]").TextContent);
            Assert.Contains("not an incident yet", page.Find("[data-testid=device-notice-incident]").TextContent);
            Assert.Contains("Printer out of paper 17:07–now", page.Find("[data-testid=device-history]").TextContent);
        });
        Assert.Empty(await _portal.Services.GetRequiredService<IncidentRepository>().OpenAsync(CancellationToken.None));
        Assert.Contains("No incidents name this terminal", page.Markup);

        await _portal.HeartbeatAsync("T-000001", "ok");

        page.WaitForAssertion(() =>
        {
            Assert.Empty(page.FindAll("[data-testid=device-notice]"));
            // Which printer state an ended episode was is not kept in the rollups: it is a printer fault.
            Assert.Contains("Printer fault 17:07–17:11", page.Find("[data-testid=device-history]").TextContent);
        });
        Assert.Empty(await _portal.Services.GetRequiredService<IncidentRepository>().OpenAsync(CancellationToken.None));
    }

    [Fact]
    public async Task Paper_out_that_outlasts_a_paper_change_opens_an_incident_and_the_notice_says_so()
    {
        for (var i = 0; i < 7; i++) await _portal.HeartbeatAsync("T-000001", "ok");
        var page = Render<TerminalPage>(p => p.Add(x => x.Id, "T-000001"));

        // Past DevicePersistence (10 min): no longer routine.
        for (var i = 0; i < 12; i++) await _portal.HeartbeatAsync("T-000001", "paper_out");

        var incident = Assert.Single(await _portal.Services.GetRequiredService<IncidentRepository>().OpenAsync(CancellationToken.None));
        Assert.Equal(Core.Incidents.Cause.Hardware, incident.Cause);
        page.WaitForAssertion(() =>
        {
            Assert.Equal("since 17:07", page.Find("[data-testid=device-notice-since]").TextContent);
            Assert.Contains("an incident is open", page.Find("[data-testid=device-notice-incident]").TextContent);
        });
    }
}

/// <summary>
/// The portal with detection on a fake clock (<see cref="DetectionFactory"/>) and the small test fleet, its services
/// handed to a bUnit context, so a page renders over what the API stored and follows its live feeds.
/// </summary>
internal sealed class DeviceNoticePortal : IAsyncDisposable
{
    private readonly DetectionFactory _factory = new();
    private IServiceScope? _scope;
    private int _next;

    public Microsoft.Extensions.Time.Testing.FakeTimeProvider Clock => _factory.Clock;

    public IServiceProvider Services => _factory.Services;

    /// <summary>Registers the portal's services in <paramref name="context"/>: after its own registrations, before rendering.</summary>
    public async Task StartAsync(BunitContext context)
    {
        await _factory.PutFleetAsync(TestFleet.Small());
        _scope = _factory.Services.CreateScope();
        var s = _factory.Services;
        context.Services.AddAuthenticationCore();
        context.Services.AddSingleton<TimeProvider>(_factory.Clock);
        context.Services.AddSingleton(s.GetRequiredService<FleetCache>());
        context.Services.AddSingleton(s.GetRequiredService<TerminalStateCache>());
        context.Services.AddSingleton(s.GetRequiredService<RollupQueries>());
        context.Services.AddSingleton(s.GetRequiredService<TerminalQueries>());
        context.Services.AddSingleton(s.GetRequiredService<IIncidentReader>());
        context.Services.AddSingleton(s.GetRequiredService<IncidentTitleText>());
        context.Services.AddSingleton(s.GetRequiredService<IncidentFeed>());
        context.Services.AddSingleton(s.GetRequiredService<MerchantNoticeRepository>());
        // The portal page tells the incidents' phases with the ticket, runbook and message services.
        context.Services.AddSingleton(s.GetRequiredService<TicketRepository>());
        context.Services.AddSingleton(s.GetRequiredService<RunbookRepository>());
        context.Services.AddSingleton(s.GetRequiredService<MerchantMessages>());
        context.Services.AddSingleton(s.GetRequiredService<IncidentTickets>());
        context.Services.AddSingleton(s.GetRequiredService<IncidentRepository>());
        context.Services.AddSingleton(s.GetRequiredService<MerchantPortal>());
        context.Services.AddSingleton(s.GetRequiredService<HeatmapService>());
        context.Services.AddSingleton(s.GetRequiredService<TelemetryFeed>());
        context.Services.AddSingleton(s.GetRequiredService<IOptions<IngestionOptions>>());
        context.Services.AddSingleton(_scope.ServiceProvider.GetRequiredService<AuditLog>());
        context.Services.AddSingleton(_scope.ServiceProvider.GetRequiredService<FeedbackService>());
        context.Services.AddScoped<PortalViewer>();
        context.Renderer.SetRendererInfo(new Microsoft.AspNetCore.Components.RendererInfo("Server", isInteractive: true));
    }

    /// <summary>
    /// One heartbeat from <paramref name="terminalId"/> now, through the API, folded into the rollups and delivered to the
    /// feed; detection runs once; the heatmap ticks as its publisher does after a batch (the pages reload on that tick);
    /// then a minute passes.
    /// </summary>
    public async Task HeartbeatAsync(string terminalId, string printer)
    {
        var at = _factory.Clock.GetUtcNow();
        var response = await _factory.AdminClient().PostAsync("/api/v1/telemetry",
            Content(Body(heartbeats: [Heartbeat($"hb-{_next++}", terminalId, at, printer: printer)])));
        Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
        await _factory.RollupsCaughtUpAsync();
        await _factory.Services.GetRequiredService<TelemetryFeed>().DeliveredAsync();
        await _factory.Services.GetRequiredService<DetectionRunner>().RunAsync(CancellationToken.None);
        _factory.Services.GetRequiredService<HeatmapService>().Publish(new HeatmapTick(at, new HashSet<string> { terminalId }, false));
        _factory.Clock.Advance(TimeSpan.FromMinutes(1));
    }

    public async ValueTask DisposeAsync()
    {
        _scope?.Dispose();
        await _factory.DisposeAsync();
    }
}
