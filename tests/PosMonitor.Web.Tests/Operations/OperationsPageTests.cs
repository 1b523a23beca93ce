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
using PosMonitor.Web.Tests.Infrastructure;

namespace PosMonitor.Web.Tests.Operations;

public class OperationsPageTests : BunitTest
{
    private readonly LiveServices _live = new();
    private readonly DetectionStatus _detection = new();

    public OperationsPageTests()
    {
        // An operator: the dashboard shows every merchant to staff.
        AddAuthorization().SetAuthorized("operator@test.local").SetRoles(Roles.Operator);
        Services.AddAuthenticationCore();
        Services.AddSingleton(_live.Fleet);
        Services.AddSingleton(_live.States);
        Services.AddSingleton(_live.Heatmap);
        Services.AddSingleton<TimeProvider>(_live.Time);
        Services.AddSingleton(Options.Create(new IngestionOptions()));
        Services.AddSingleton<OperationsFigures>();
        Services.AddSingleton<IncidentFeed>();
        Services.AddSingleton<IncidentTitleText>();
        Services.AddSingleton<EvidenceText>();
        Services.AddSingleton<IIncidentReader, FeedIncidentReader>();
        Services.AddScoped<PortalViewer>();
        Services.AddSingleton(_detection);
        Renderer.SetRendererInfo(new Microsoft.AspNetCore.Components.RendererInfo("Server", isInteractive: true));
    }

    [Fact]
    public void A_heatmap_tick_updates_the_headline_figures_and_the_heatmap_without_a_reload()
    {
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
    public void While_detection_only_learns_the_page_says_until_when_and_then_stops_saying_it()
    {
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
    public void An_opened_incident_appears_in_the_list_and_the_count_at_once()
    {
        var cut = Render<OperationsPage>();

        Services.GetRequiredService<IncidentFeed>().Publish(Core.Detection.IncidentChangeKind.Opened, new Core.Incidents.Incident
        {
            Id = "inc-000001", ScopeType = Core.Incidents.ScopeType.Gateway, ScopeId = "gw-unionpay", Cause = Core.Incidents.Cause.Gateway,
            Severity = Core.Incidents.Severity.Critical, OpenedAt = _live.Time.GetUtcNow(), RunbookId = "rb-gateway-degradation",
            Title = "Gateway gw-unionpay: 38% of sales time out", AffectedMerchants = 2, AffectedTerminals = 3,
        });

        cut.WaitForAssertion(() =>
        {
            Assert.Equal("1", cut.Find("[data-testid=open-incidents]").TextContent.Trim());
            Assert.Contains("Gateway gw-unionpay: 38% of sales time out", cut.Find("[data-testid=incident-list]").TextContent);
        });
    }
}
