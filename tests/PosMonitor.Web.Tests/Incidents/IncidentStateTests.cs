using PosMonitor.Core.Detection;
using PosMonitor.Core.Incidents;
using PosMonitor.Web.Features.Identity;
using PosMonitor.Web.Features.Incidents;

namespace PosMonitor.Web.Tests.Incidents;

/// <summary>One state for an incident, shared by detection, the ticket and the merchants' notices (incident-state.md).</summary>
public class IncidentStateTests
{
    private static readonly Viewer Staff = new(true, null, false);

    private static FaultNow Failing(TicketHarness h, string id, string rate = "41%") =>
        new(id, h.Clock.GetUtcNow(), new IncidentTitle(ScopeType.Gateway, "gw-unionpay", null, "rate:Gateway", Rate: rate));

    [Fact]
    public async Task Resolving_while_detection_still_sees_the_fault_is_refused_with_its_figure_and_changes_nothing()
    {
        await using var h = await TicketHarness.CreateAsync();
        var incident = await h.DetectAsync(h.GatewayIncident());
        h.Detection.Failing[incident.Id] = Failing(h, incident.Id);

        var outcome = await h.Workflow.ResolveAsync(incident.Id, "alice", overrideReason: null, default);
        var blank = await h.Workflow.ResolveAsync(incident.Id, "alice", overrideReason: "   ", default);
        var plain = await h.Workflow.ActAsync(incident.Id, TicketAction.Resolve, "alice", default);

        Assert.Equal(Refusal.StillFailing, outcome.Transition.Refusal);
        Assert.Equal("Gateway gw-unionpay: 41% of sales time out at the gateway stage", outcome.StillFailing!.Figure.ToString());
        Assert.Equal(Refusal.StillFailing, blank.Transition.Refusal);
        Assert.Equal(Refusal.StillFailing, plain.Refusal);
        Assert.Equal(TicketStatus.Open, (await h.Tickets.GetAsync(incident.Id, default))!.Status);
        Assert.Null((await h.Incidents.GetAsync(incident.Id, Staff, default))!.ResolvedAt);
        Assert.Empty(h.Detection.ResolvedByHandCalls);
        Assert.DoesNotContain(await h.Notices.ForIncidentAsync(incident.Id), n => n.Kind == NoticeKinds.Resolved);
    }

    [Fact]
    public async Task An_override_resolves_the_incident_itself_and_merchants_hear_resolved_only_when_detection_confirms_it()
    {
        await using var h = await TicketHarness.CreateAsync();
        var incident = await h.DetectAsync(h.GatewayIncident());
        h.Detection.Failing[incident.Id] = Failing(h, incident.Id);
        var published = new List<(IncidentChangeKind Kind, Incident Incident)>();
        using var _ = h.Feed.Subscribe((k, i) => published.Add((k, i)));
        h.Clock.Advance(TimeSpan.FromMinutes(4));

        var outcome = await h.Workflow.ResolveAsync(incident.Id, "alice", "UnionPay confirmed their fix at 03:10", default);

        var now = h.Clock.GetUtcNow();
        Assert.True(outcome.Transition.Allowed);
        // The incident itself is resolved: the dashboard, the wall and the queue read the same state.
        Assert.Equal(now, (await h.Incidents.GetAsync(incident.Id, Staff, default))!.ResolvedAt);
        Assert.Empty(await h.Incidents.ListAsync(Staff, IncidentStatus.Open, null, 10, default));
        Assert.Equal(TicketStatus.Resolved, (await h.Tickets.GetAsync(incident.Id, default))!.Status);
        Assert.Equal([(incident.Id, now)], h.Detection.ResolvedByHandCalls);
        var change = Assert.Single(published);
        Assert.Equal(now, change.Incident.ResolvedAt);
        var note = Assert.Single(await h.Tickets.NotesAsync(incident.Id, default), n => n.Kind == NoteKinds.Override);
        Assert.Equal("Gateway gw-unionpay: 41% of sales time out at the gateway stage\nUnionPay confirmed their fix at 03:10", note.Text);
        Assert.Equal("resolved_by_hand", (await h.Incidents.EventsAsync(incident.Id, default))[^1].Kind);
        Assert.DoesNotContain(await h.Notices.ForIncidentAsync(incident.Id), n => n.Kind == NoticeKinds.Resolved);

        h.Clock.Advance(TimeSpan.FromMinutes(4));
        await h.DetectAsync(incident with { ResolvedAt = now }, IncidentChangeKind.Resolved); // detection: the minutes since are clean

        Assert.Equal(2, (await h.Notices.ForIncidentAsync(incident.Id)).Count(n => n.Kind == NoticeKinds.Resolved));
        Assert.Equal(now, (await h.Tickets.GetAsync(incident.Id, default))!.ResolvedAt);
    }

    [Fact]
    public async Task Detection_reopening_a_resolved_incident_reopens_its_ticket_tells_every_merchant_and_MTTR_counts_the_final_resolve()
    {
        await using var h = await TicketHarness.CreateAsync();
        var start = h.Clock.GetUtcNow();
        var first = h.GatewayIncident() with
        {
            AffectedMerchantIds = ["m-0001"], AffectedMerchants = 1, AffectedTerminalIds = ["T-000001", "T-000002"], AffectedTerminals = 2,
        };
        var incident = await h.DetectAsync(first);
        h.Detection.Failing[incident.Id] = Failing(h, incident.Id);
        h.Clock.Advance(TimeSpan.FromMinutes(4));
        await h.Workflow.ResolveAsync(incident.Id, "alice", "looked fine on the provider's status page", default);

        h.Clock.Advance(TimeSpan.FromMinutes(1));
        var reopened = await h.DetectAsync(first with { Title = "Gateway gw-unionpay: 52% of sales time out at the gateway stage", UpdatedAt = h.Clock.GetUtcNow() },
            IncidentChangeKind.Reopened);
        var ticket = (await h.Tickets.GetAsync(incident.Id, default))!;
        Assert.Equal(TicketStatus.Open, ticket.Status);
        Assert.Null(ticket.ResolvedAt);
        Assert.Null((await h.Incidents.GetAsync(incident.Id, Staff, default))!.ResolvedAt);
        Assert.Contains(await h.Incidents.EventsAsync(incident.Id, default), e => e.Kind == "reopened");
        var told = Assert.Single(await h.Notices.ForMerchantAsync("m-0001"), n => n.Kind == NoticeKinds.Reopened);
        Assert.Contains("the problem is not over", told.Text.En);
        Assert.Contains("UnionPay", told.Text.En);
        Assert.Contains("T-000001, T-000002", told.Text.En);
        Assert.Contains("问题尚未结束", told.Text.Zh);

        // A merchant joining the running incident is told, once.
        h.Clock.Advance(TimeSpan.FromMinutes(2));
        var grown = reopened with { AffectedMerchantIds = ["m-0001", "m-0002"], AffectedMerchants = 2, AffectedTerminalIds = ["T-000001", "T-000002", "T-000004"], AffectedTerminals = 3 };
        await h.DetectAsync(grown, IncidentChangeKind.Updated);
        await h.DetectAsync(grown, IncidentChangeKind.Updated);
        var joined = Assert.Single(await h.Notices.ForMerchantAsync("m-0002"));
        Assert.Equal(NoticeKinds.Opened, joined.Kind);
        Assert.Contains("T-000004", joined.Text.En);

        h.Clock.Advance(TimeSpan.FromMinutes(23));
        await h.DetectAsync(grown with { ResolvedAt = h.Clock.GetUtcNow() }, IncidentChangeKind.Resolved);

        Assert.Equal(TicketStatus.Resolved, (await h.Tickets.GetAsync(incident.Id, default))!.Status);
        Assert.Equal(start.AddMinutes(30), (await h.Tickets.GetAsync(incident.Id, default))!.ResolvedAt);
        Assert.Single(await h.Notices.ForMerchantAsync("m-0002"), n => n.Kind == NoticeKinds.Resolved);
        // m-0001 was never told "resolved" while the fault ran: once now, after the reopening.
        Assert.Equal([NoticeKinds.Resolved, NoticeKinds.Reopened, NoticeKinds.Opened], (await h.Notices.ForMerchantAsync("m-0001")).Select(n => n.Kind));
        var figures = ResponseFigures.By(await h.Tickets.OpenedBetweenAsync(start.AddHours(-1), start.AddHours(1), default), r => "all");
        Assert.Equal(30, Assert.Single(figures).Mttr);
    }

    [Fact]
    public async Task An_agent_s_reopen_reopens_the_incident_for_everyone()
    {
        await using var h = await TicketHarness.CreateAsync();
        var incident = await h.DetectAsync(h.GatewayIncident());
        await h.Workflow.ResolveAsync(incident.Id, "alice", null, default);
        var published = new List<IncidentChangeKind>();
        using var _ = h.Feed.Subscribe((k, i) => published.Add(k));

        var t = await h.Workflow.ActAsync(incident.Id, TicketAction.Reopen, "bob", default);

        Assert.True(t.Allowed);
        Assert.Null((await h.Incidents.GetAsync(incident.Id, Staff, default))!.ResolvedAt);
        Assert.Equal([IncidentChangeKind.Reopened], published);
        Assert.Equal(["opened", "resolved_by_hand", "reopened_by_hand"], (await h.Incidents.EventsAsync(incident.Id, default)).Select(e => e.Kind));
        Assert.Single(await h.Notices.ForMerchantAsync("m-0001"), n => n.Kind == NoticeKinds.Reopened);
    }

    [Fact]
    public async Task Merchants_are_told_each_phase_with_the_provider_their_terminals_and_one_piece_of_advice()
    {
        await using var h = await TicketHarness.CreateAsync();
        var incident = await h.DetectAsync(h.GatewayIncident());
        await h.Workflow.ActAsync(incident.Id, TicketAction.Acknowledge, "alice", default);
        await h.Workflow.ConfirmCauseAsync(incident.Id, Cause.Gateway, "UnionPay acquirer link", "alice", default);
        await h.Workflow.ActAsync(incident.Id, TicketAction.Mitigate, "alice", default);
        await h.Workflow.ResolveAsync(incident.Id, "alice", null, default);

        var notices = (await h.Notices.ForMerchantAsync("m-0001")).Reverse().ToList();

        Assert.Equal([NoticeKinds.Opened, NoticeKinds.Identified, NoticeKinds.Monitoring, NoticeKinds.Resolved], notices.Select(n => n.Kind));
        var advice = "tell customers that UnionPay payments are failing right now and ask them to pay another way";
        Assert.Contains("Cause: Payment gateway (UnionPay). Status: Investigating.", notices[0].Text.En);
        Assert.Contains("your terminals T-000001, T-000002", notices[0].Text.En);
        Assert.Contains(advice, notices[0].Text.En);
        Assert.Contains("Payments through UnionPay are slow or failing", notices[1].Text.En);
        Assert.Contains(advice, notices[1].Text.En);
        Assert.Contains(advice, notices[2].Text.En);
        Assert.Contains("通过 UnionPay 的支付响应缓慢或失败", notices[1].Text.Zh);
        Assert.All(notices, n => Assert.DoesNotContain("{", n.Text.En + n.Text.Zh));
        var resolved = notices[3].Text.En;
        Assert.Contains("take payments normally again", resolved);
        Assert.DoesNotContain("—", resolved);
        Assert.DoesNotContain("when it is resolved", resolved);
        Assert.DoesNotContain("What to do now", resolved);

        // The portal's banner gives the same advice as the notices.
        var runbook = await h.Runbooks.CurrentVersionAsync("rb-gateway-degradation");
        MerchantIncidentView view;
        using (Infrastructure.CultureScope.UseUi("en")) view = h.Messages.View(incident, null, runbook, "m-0001");
        Assert.StartsWith(advice, view.Advice);
        Assert.Equal(["T-000001", "T-000002"], view.Terminals);
        Assert.Equal("Payments through UnionPay are slow or failing. Other payment methods work.", view.Problem);
    }
}
