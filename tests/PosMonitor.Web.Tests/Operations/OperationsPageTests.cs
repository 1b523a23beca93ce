using Bunit;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using PosMonitor.Web.Features.Detection;
using PosMonitor.Web.Features.Heatmap;
using PosMonitor.Web.Features.Identity;
using PosMonitor.Web.Features.Incidents;
using PosMonitor.Web.Features.Operations;
using PosMonitor.Web.Features.Telemetry;
using PosMonitor.Web.Tests.Heatmap;
using PosMonitor.Web.Tests.Incidents;
using PosMonitor.Web.Tests.Infrastructure;

namespace PosMonitor.Web.Tests.Operations;

public class OperationsPageTests : BunitTest
{
    private readonly LiveServices _live = new();
    private readonly DetectionStatus _detection = new();
    private TicketHarness? _tickets;
    private TimeProvider? _pageClock;

    public OperationsPageTests()
    {
        // An operator: the dashboard shows every merchant to staff.
        AddAuthorization().SetAuthorized("operator@test.local").SetRoles(Roles.Operator);
        Services.AddAuthenticationCore();
        Services.AddSingleton(_live.Fleet);
        Services.AddSingleton(_live.States);
        Services.AddSingleton(_live.Heatmap);
        Services.AddSingleton<TimeProvider>(_ => _pageClock ?? _live.Time);
        // The ticket store is made per test (it needs a database): resolved when the page first asks for it.
        Services.AddSingleton(_ => _tickets!.Tickets);
        Services.AddSingleton(_ => _tickets!.Workflow);
        Services.AddSingleton<IOptionsMonitor<SlaOptions>>(_ => _tickets!.Sla);
        Services.AddSingleton(Options.Create(new IngestionOptions()));
        Services.AddSingleton<OperationsFigures>();
        Services.AddScoped<OpenIncidentBoard>();
        Services.AddSingleton<IncidentFeed>();
        Services.AddSingleton<IncidentTitleText>();
        Services.AddSingleton<EvidenceText>();
        Services.AddSingleton<IIncidentReader, FeedIncidentReader>();
        Services.AddScoped<PortalViewer>();
        Services.AddSingleton(_detection);
        Renderer.SetRendererInfo(new Microsoft.AspNetCore.Components.RendererInfo("Server", isInteractive: true));
    }

    /// <summary>The dashboard reads support's tickets (acknowledged, owner) from the database.</summary>
    private async Task<TicketHarness> TicketsAsync()
    {
        return _tickets = await TicketHarness.CreateAsync();
    }

    [Fact]
    public async Task A_heatmap_tick_updates_the_headline_figures_and_the_heatmap_without_a_reload()
    {
        await using var tickets = await TicketsAsync();
        var cut = Render<OperationsPage>();
        Assert.Equal("0 / 4", cut.Find("[data-testid=online]").TextContent.Trim());

        _live.Sales("T-000003", _live.Time.GetUtcNow(), 30, timeouts: 6);
        _live.Heatmap.TakeChanges();
        _live.Heatmap.Publish(new HeatmapTick(_live.Time.GetUtcNow(), new HashSet<string> { "T-000003" }, true));

        cut.WaitForAssertion(() =>
        {
            Assert.Equal("1 / 4", cut.Find("[data-testid=online]").TextContent.Trim());
            Assert.Equal("20%", cut.Find("[data-testid=rate-now]").TextContent.Trim());
            Assert.Contains("30 sales · 6 timed out", cut.Find("[data-row=north] .hm-cell:last-child").GetAttribute("data-tip"));
            Assert.Contains("Harbin Bakery", cut.Find("[data-testid=top-merchants]").TextContent);
        });
    }

    [Fact]
    public async Task While_detection_only_learns_the_page_says_until_when_and_then_stops_saying_it()
    {
        await using var tickets = await TicketsAsync();
        var now = _live.Time.GetUtcNow();
        _detection.LearningUntil = now.AddMinutes(7);
        var cut = Render<OperationsPage>();
        var notice = cut.Find("[data-testid=detection-learning]").TextContent;
        Assert.Contains("learning", notice);
        Assert.Contains(now.AddMinutes(7).ToString("HH:mm", System.Globalization.CultureInfo.InvariantCulture), notice);

        _detection.LearningUntil = null; // the next run found it warm
        _live.Heatmap.Publish(new HeatmapTick(now, new HashSet<string>(), true));
        cut.WaitForAssertion(() => Assert.Empty(cut.FindAll("[data-testid=detection-learning]")));
    }

    [Fact]
    public async Task An_opened_incident_appears_in_the_list_and_the_count_at_once()
    {
        await using var tickets = await TicketsAsync();
        var cut = Render<OperationsPage>();

        Services.GetRequiredService<IncidentFeed>().Publish(Core.Detection.IncidentChangeKind.Opened, GatewayIncident("inc-000001", _live.Time.GetUtcNow()) with
        {
            AffectedMerchants = 2, AffectedTerminals = 3,
        });

        cut.WaitForAssertion(() =>
        {
            Assert.Equal("1", cut.Find("[data-testid=open-incidents]").TextContent.Trim());
            Assert.Contains("Gateway gw-unionpay: 38% of sales time out", cut.Find("[data-testid=incident-list]").TextContent);
        });
    }

    [Fact]
    public async Task The_incident_list_says_whether_it_is_acknowledged_who_owns_it_and_the_time_left()
    {
        await using var h = await TicketsAsync();
        _pageClock = h.Clock; // the incident's SLA runs on the harness's clock
        var incident = await h.DetectAsync(h.GatewayIncident());
        await h.Workflow.AssignAsync(incident.Id, "bob", "alice", default);
        var cut = Render<OperationsPage>();

        Services.GetRequiredService<IncidentFeed>().Publish(Core.Detection.IncidentChangeKind.Opened, incident);
        cut.WaitForAssertion(() =>
        {
            var ticket = cut.Find("[data-testid=incident-ticket]").TextContent;
            Assert.Contains("not acknowledged", ticket);
            Assert.Contains("owner: bob", ticket);
            Assert.Contains("Acknowledge within", ticket);
        });

        await h.Workflow.ActAsync(incident.Id, Core.Incidents.TicketAction.Acknowledge, "alice", default);
        cut.WaitForAssertion(() =>
        {
            var ticket = cut.Find("[data-testid=incident-ticket]").TextContent;
            Assert.Contains("acknowledged by alice", ticket);
            Assert.Contains("Resolve within", ticket);
        });
    }

    [Theory]
    // The culture's month and day, not its numeric short date (11/24/2026, 2026/11/24).
    [InlineData("zh-CN", "11月24日")]
    [InlineData("en", "November 24")]
    public async Task An_incident_opened_on_an_earlier_day_shows_its_date_in_the_readers_culture(string culture, string date)
    {
        await using var tickets = await TicketsAsync();
        using var scope = CultureScope.Use(System.Globalization.CultureInfo.GetCultureInfo(culture));
        var cut = Render<OperationsPage>();

        Services.GetRequiredService<IncidentFeed>().Publish(Core.Detection.IncidentChangeKind.Opened, GatewayIncident("inc-000002", _live.Time.GetUtcNow().AddDays(-1)));

        cut.WaitForAssertion(() => Assert.Contains(date, cut.Find("[data-testid=incident-list]").TextContent));
    }

    /// <summary>A gateway incident as the page lists it, opened at <paramref name="openedAt"/>.</summary>
    private static Core.Incidents.Incident GatewayIncident(string id, DateTimeOffset openedAt) =>
        TestIncidents.Of(id, Core.Incidents.ScopeType.Gateway, "gw-unionpay", Core.Incidents.Cause.Gateway, Core.Incidents.Severity.Critical, openedAt,
            "rb-gateway-degradation", "Gateway gw-unionpay: 38% of sales time out");
}
