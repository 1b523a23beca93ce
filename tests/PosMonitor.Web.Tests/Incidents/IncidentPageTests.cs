using System.Globalization;
using Bunit;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;
using PosMonitor.Core.Detection;
using PosMonitor.Core.Incidents;
using PosMonitor.Web.Features.Identity;
using PosMonitor.Web.Infrastructure.Time;
using PosMonitor.Web.Features.Incidents;
using PosMonitor.Web.Features.Telemetry;
using PosMonitor.Web.Tests.Infrastructure;

namespace PosMonitor.Web.Tests.Incidents;

/// <summary>The incident page over the real workflow and database: forms, and resolving while detection sees the fault.</summary>
public class IncidentPageTests : BunitTest
{
    private async Task<(TicketHarness H, Incident Incident)> SetUpAsync()
    {
        var h = await TicketHarness.CreateAsync();
        var incident = await h.DetectAsync(h.GatewayIncident() with { Title = "Gateway gw-unionpay: 41% of sales time out at the gateway stage" });
        Services.AddSingleton(h.Incidents);
        Services.AddSingleton(h.Tickets);
        Services.AddSingleton(h.Workflow);
        Services.AddSingleton(h.Runbooks);
        Services.AddSingleton(h.Notices);
        Services.AddSingleton(new IncidentQueries(h.Database.Db, new DetectionSettings()));
        Services.AddSingleton(h.Feed);
        Services.AddSingleton(new TelemetryFeed(NullLogger<TelemetryFeed>.Instance));
        Services.AddSingleton(h.Cache);
        Services.AddSingleton<TimeProvider>(h.Clock);
        Services.AddSingleton<IncidentTitleText>();
        Services.AddSingleton<EvidenceText>();
        Services.AddScoped<PortalViewer>();
        Services.AddSingleton<Features.Runbooks.RunbookMarkdown>();
        AddAuthorization().SetAuthorized("alice").SetRoles(Roles.SupportAgent);
        Renderer.SetRendererInfo(new Microsoft.AspNetCore.Components.RendererInfo("Server", isInteractive: true));
        return (h, incident);
    }

    private IRenderedComponent<IncidentPage> Open(Incident incident)
    {
        var page = Render<IncidentPage>(p => p.Add(x => x.Id, incident.Id));
        page.WaitForElement(".incident-title");
        return page;
    }

    [Theory]
    [InlineData("en", "March 14, 2026 03:52", "March 14 03:52:00")]
    [InlineData("zh-CN", "2026年3月14日 03:52", "3月14日 03:52:00")]
    public async Task The_opening_and_the_timeline_are_dated_as_the_reader_s_culture_writes_dates(string culture, string opened, string firstEvent)
    {
        using var _ = CultureScope.Use(CultureInfo.GetCultureInfo(culture));
        Services.AddScoped(services => new DisplayTime(TimeZoneInfo.Utc, services.GetRequiredService<TimeProvider>()));
        var (h, incident) = await SetUpAsync();
        await using var __ = h;
        h.Clock.Advance(TimeSpan.FromDays(1)); // read a day later, so the timeline names the day too

        var page = Open(incident);

        Assert.Contains(opened, page.Markup);
        Assert.Contains(firstEvent, page.Find(".incident-timeline").TextContent);
        Assert.DoesNotContain("2026-03-14", page.Markup);
        Assert.DoesNotContain("3/14/2026", page.Markup);
    }

    [Theory]
    [InlineData("en", "Called UnionPay: their P1 ticket is 778")]
    [InlineData("zh-CN", "已致电银联：对方 P1 工单号 778")]
    public async Task A_typed_note_is_added_by_the_first_click_without_leaving_the_field(string culture, string text)
    {
        using var _ = CultureScope.Use(CultureInfo.GetCultureInfo(culture));
        var (h, incident) = await SetUpAsync();
        await using var __ = h;
        var page = Open(incident);

        page.Find(".note-text input").Input(text); // typing only: no change event, no blur
        page.Find("button.add-note").Click();

        page.WaitForAssertion(() => Assert.Contains(text, page.Find(".incident-timeline").TextContent));
        Assert.Contains(await h.Tickets.NotesAsync(incident.Id, default), n => n.Kind == NoteKinds.Note && n.Text == text && n.Author == "alice");
        page.WaitForAssertion(() => Assert.Equal("", page.Find(".note-text input").GetAttribute("value") ?? ""));
    }

    [Fact]
    public async Task Enter_in_the_note_field_adds_the_note()
    {
        var (h, incident) = await SetUpAsync();
        await using var _ = h;
        var page = Open(incident);

        page.Find(".note-text input").Input("routing moved to the backup gateway");
        page.Find("form:has(.note-text)").Submit(); // what Enter does in a one-field form

        page.WaitForAssertion(() => Assert.Contains("routing moved to the backup gateway", page.Find(".incident-timeline").TextContent));
    }

    [Theory]
    [InlineData("en")]
    [InlineData("zh-CN")]
    public async Task A_typed_review_is_saved_by_the_first_click(string culture)
    {
        using var _ = CultureScope.Use(CultureInfo.GetCultureInfo(culture));
        var (h, incident) = await SetUpAsync();
        await using var __ = h;
        await h.Workflow.ResolveAsync(incident.Id, "alice", null, default);
        var page = Open(incident);

        page.Find(".review-summary textarea").Input("UnionPay's acquirer link dropped; failover took 20 minutes");
        page.Find("button.save-review").Click();

        page.WaitForAssertion(() => Assert.Equal("UnionPay's acquirer link dropped; failover took 20 minutes",
            h.Tickets.GetAsync(incident.Id, default).Result!.Review?.Summary));
    }

    [Theory]
    [InlineData("en", "Detection still sees the fault: Gateway gw-unionpay: 41% of sales time out at the gateway stage", "Resolved over detection's warning")]
    [InlineData("zh-CN", "检测仍发现故障：网关 gw-unionpay：41% 的交易在支付网关环节超时", "不顾检测警告强制解决")]
    public async Task Resolving_while_detection_sees_the_fault_warns_with_its_figure_and_resolves_only_with_a_reason(string culture, string warning, string note)
    {
        using var _ = CultureScope.Use(CultureInfo.GetCultureInfo(culture));
        var (h, incident) = await SetUpAsync();
        await using var __ = h;
        h.Detection.Failing[incident.Id] = new FaultNow(incident.Id, h.Clock.GetUtcNow(),
            new IncidentTitle(ScopeType.Gateway, "gw-unionpay", null, "rate:Gateway", Rate: "41%"));
        var page = Open(incident);

        page.Find("button.action-resolve").Click();

        page.WaitForAssertion(() => Assert.Contains(warning, page.Find(".still-failing").TextContent));
        Assert.NotNull(page.Find(".status-open"));
        Assert.True(page.Find("button.resolve-anyway").HasAttribute("disabled"));
        page.Find(".override-reason input").Input("UnionPay confirmed the fix at 03:10");
        page.Find("button.resolve-anyway").Click();

        page.WaitForElement(".status-resolved");
        Assert.Empty(page.FindAll(".still-failing"));
        Assert.Contains(note, page.Find(".incident-timeline").TextContent);
        Assert.Contains("UnionPay confirmed the fix at 03:10", page.Find(".incident-timeline").TextContent);
        Assert.Equal(TicketStatus.Resolved, (await h.Tickets.GetAsync(incident.Id, default))!.Status);
    }
}
