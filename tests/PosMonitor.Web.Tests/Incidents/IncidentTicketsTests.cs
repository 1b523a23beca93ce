using PosMonitor.Core.Detection;
using PosMonitor.Core.Incidents;
using PosMonitor.Web.Features.Incidents;
using PosMonitor.Web.Features.Notifications;
using PosMonitor.Web.Features.Runbooks;
using PosMonitor.Web.Infrastructure.Data;
using PosMonitor.Web.Tests.Infrastructure;

namespace PosMonitor.Web.Tests.Incidents;

public class IncidentTicketsTests
{
    [Theory]
    [MemberData(nameof(TestDatabase.Providers), MemberType = typeof(TestDatabase))]
    public async Task An_opened_incident_gets_a_ticket_on_the_runbook_version_current_then_and_keeps_it(DatabaseProvider provider)
    {
        await using var h = await TicketHarness.CreateAsync(provider);
        var incident = await h.DetectAsync(h.GatewayIncident());
        var v1 = (await h.Runbooks.CurrentVersionAsync("rb-gateway-degradation"))!;

        await h.Runbooks.SaveAsync(v1.Content with { Steps = [.. v1.Steps.Take(2)] }, 1, "editor", "shorter");
        var ticket = (await h.Tickets.GetAsync(incident.Id, default))!;
        var kept = (await h.Runbooks.GetVersionAsync(ticket.RunbookId, ticket.RunbookVersion))!;

        Assert.Equal(TicketStatus.Open, ticket.Status);
        Assert.Equal(1, ticket.RunbookVersion);
        Assert.Equal(v1.Steps.Count, kept.Steps.Count);
        Assert.Equal(2, (await h.Runbooks.CurrentVersionAsync("rb-gateway-degradation"))!.Version);
    }

    [Fact]
    public async Task Affected_merchants_are_told_on_open_and_on_resolve_with_the_filled_template_once_each()
    {
        await using var h = await TicketHarness.CreateAsync();
        var incident = await h.DetectAsync(h.GatewayIncident());
        await h.DetectAsync(incident with { AffectedTerminals = 4 }, IncidentChangeKind.Updated);

        var opened = await h.Notices.ForMerchantAsync("m-0001");
        h.Clock.Advance(TimeSpan.FromMinutes(20));
        await h.DetectAsync(incident with { ResolvedAt = h.Clock.GetUtcNow() }, IncidentChangeKind.Resolved);
        var all = await h.Notices.ForMerchantAsync("m-0001");

        var notice = Assert.Single(opened);
        Assert.Equal(NoticeKinds.Opened, notice.Kind);
        Assert.Contains("Dear Lotus Noodle House", notice.Text.En);
        Assert.Contains("Payment gateway", notice.Text.En);
        Assert.Contains("inc-000042", notice.Text.En);
        Assert.Contains("支付网关", notice.Text.Zh);
        Assert.Contains("March 14, 2026 11:52", notice.Text.En); // opened 03:52 UTC, shown in Asia/Shanghai, as each language writes dates
        Assert.Contains("2026年3月14日 11:52", notice.Text.Zh);
        Assert.DoesNotContain("{", notice.Text.En);
        Assert.Equal([NoticeKinds.Resolved, NoticeKinds.Opened], all.Select(n => n.Kind));
        Assert.StartsWith("Resolved (inc-000042)", all[0].Text.En);
        Assert.Equal(2, (await h.Notices.ForMerchantAsync("m-0002")).Count);
        Assert.Equal(TicketStatus.Resolved, (await h.Tickets.GetAsync(incident.Id, default))!.Status);
    }

    [Fact]
    public async Task Agents_move_the_ticket_through_its_lifecycle_and_refused_moves_change_nothing()
    {
        await using var h = await TicketHarness.CreateAsync(notifications: new NotificationOptions
        {
            Channels = [new NotificationChannelOptions { Name = "ops", Url = "http://127.0.0.1:9/hook" }],
        });
        var incident = await h.DetectAsync(h.GatewayIncident());

        h.Clock.Advance(TimeSpan.FromMinutes(3));
        var ack = await h.Workflow.ActAsync(incident.Id, TicketAction.Acknowledge, "alice", default);
        var again = await h.Workflow.ActAsync(incident.Id, TicketAction.Acknowledge, "bob", default);
        var reopen = await h.Workflow.ActAsync(incident.Id, TicketAction.Reopen, "bob", default);
        h.Clock.Advance(TimeSpan.FromMinutes(7));
        var mitigate = await h.Workflow.ActAsync(incident.Id, TicketAction.Mitigate, "alice", default);
        var resolve = await h.Workflow.ActAsync(incident.Id, TicketAction.Resolve, "alice", default);
        var ackResolved = await h.Workflow.ActAsync(incident.Id, TicketAction.Acknowledge, "bob", default);
        var ticket = (await h.Tickets.GetAsync(incident.Id, default))!;

        Assert.True(ack.Allowed);
        Assert.Equal(Refusal.AlreadyAcknowledged, again.Refusal);
        Assert.Equal(Refusal.NotResolved, reopen.Refusal);
        Assert.True(mitigate.Allowed);
        Assert.True(resolve.Allowed);
        Assert.Equal(Refusal.ResolvedReopenFirst, ackResolved.Refusal);
        Assert.Equal(TicketStatus.Resolved, ticket.Status);
        Assert.Equal("alice", ticket.AcknowledgedBy);
        Assert.Equal(incident.OpenedAt.AddMinutes(3), ticket.AcknowledgedAt);
        Assert.Equal(incident.OpenedAt.AddMinutes(10), ticket.ResolvedAt);
        var notes = await h.Tickets.NotesAsync(incident.Id, default);
        Assert.Equal(["acknowledged", "mitigated", "resolved"], notes.Where(n => n.Kind == NoteKinds.Status).Select(n => n.Text));
        Assert.Contains(await h.Notices.ForMerchantAsync("m-0002"), n => n.Kind == NoticeKinds.Resolved);
        var outbox = await h.Notifications.Outbox.PageAsync(new GridQuery(null, null, false, 0, 10), null, default);
        Assert.Contains(outbox.Items, r => r.Event == NotificationEvents.Resolved);

        var reopened = await h.Workflow.ActAsync(incident.Id, TicketAction.Reopen, "bob", default);
        Assert.True(reopened.Allowed);
        var after = (await h.Tickets.GetAsync(incident.Id, default))!;
        Assert.Equal(TicketStatus.Open, after.Status);
        Assert.Null(after.ResolvedAt);
        Assert.Equal(incident.OpenedAt.AddMinutes(3), after.AcknowledgedAt); // the first acknowledgement still counts for MTTA
    }

    [Fact]
    public async Task Ticking_and_skipping_steps_records_who_and_when_and_a_skip_needs_a_reason()
    {
        await using var h = await TicketHarness.CreateAsync();
        var incident = await h.DetectAsync(h.GatewayIncident());

        await h.Workflow.TickAsync(incident.Id, 0, "alice", default);
        h.Clock.Advance(TimeSpan.FromMinutes(4));
        await h.Workflow.SkipAsync(incident.Id, 2, "contract has no second gateway", "bob", default);
        await Assert.ThrowsAsync<ArgumentException>(() => h.Workflow.SkipAsync(incident.Id, 1, "  ", "bob", default));
        await h.Workflow.TickAsync(incident.Id, 3, "alice", default);
        await h.Workflow.UntickAsync(incident.Id, 3, "alice", default);
        var marks = await h.Tickets.StepsAsync(incident.Id, default);

        Assert.Equal([0, 2], marks.Select(m => m.Index));
        Assert.True(marks[0].Done);
        Assert.Equal("alice", marks[0].By);
        Assert.Equal(incident.OpenedAt, marks[0].At);
        Assert.False(marks[1].Done);
        Assert.Equal("contract has no second gateway", marks[1].Reason);
        Assert.Equal(incident.OpenedAt.AddMinutes(4), marks[1].At);
        Assert.Equal(["1:done", "3:skipped:contract has no second gateway", "4:done", "4:undone"],
            (await h.Tickets.NotesAsync(incident.Id, default)).Where(n => n.Kind == NoteKinds.Step).Select(n => n.Text));
    }

    [Fact]
    public async Task An_unacknowledged_incident_escalates_once_per_level_on_time_and_stops_when_acknowledged()
    {
        await using var h = await TicketHarness.CreateAsync(notifications: new NotificationOptions
        {
            Channels = [new NotificationChannelOptions { Name = "mail", Kind = ChannelKind.Email, Smtp = new SmtpChannelOptions { Host = "127.0.0.1", To = ["noc@acquirer.example"] } }],
        });
        var incident = await h.DetectAsync(h.GatewayIncident()); // critical: acknowledge within 5 min

        h.Clock.Advance(TimeSpan.FromMinutes(5) - TimeSpan.FromSeconds(1));
        var early = await h.Escalation.RunAsync(default);
        h.Clock.Advance(TimeSpan.FromSeconds(1));
        var first = await h.Escalation.RunAsync(default);
        var repeat = await h.Escalation.RunAsync(default);
        h.Clock.Advance(TimeSpan.FromMinutes(5));
        var second = await h.Escalation.RunAsync(default);
        await h.Workflow.ActAsync(incident.Id, TicketAction.Acknowledge, "alice", default);
        h.Clock.Advance(TimeSpan.FromMinutes(30));
        var afterAck = await h.Escalation.RunAsync(default);

        Assert.Equal([0, 1, 0, 1, 0], new[] { early, first, repeat, second, afterAck });
        Assert.Equal(2, (await h.Tickets.GetAsync(incident.Id, default))!.EscalationLevel);
        var escalations = (await h.Tickets.NotesAsync(incident.Id, default)).Where(n => n.Kind == NoteKinds.Escalation).ToList();
        Assert.Equal(2, escalations.Count);
        Assert.StartsWith("1:", escalations[0].Text);
        Assert.Contains("Gateway liaison", escalations[0].Text);
        // The chat contact is named with its host only: the webhook's address is its secret, and every agent reads the timeline.
        Assert.Contains("hooks.slack.com/…", escalations[0].Text);
        Assert.DoesNotContain("hooks.slack.com/services", escalations[0].Text);
        Assert.StartsWith("2:", escalations[1].Text);
        Assert.Equal(incident.OpenedAt.AddMinutes(5), escalations[0].At);
        Assert.Equal(incident.OpenedAt.AddMinutes(10), escalations[1].At);
        var outbox = (await h.Notifications.Outbox.PageAsync(new GridQuery(null, null, false, 0, 50), null, default)).Items
            .Where(r => r.Event == NotificationEvents.Escalated).ToList();
        // Level 1: the channel, the e-mail contact and the chat contact; level 2: the channel (its contact is a phone).
        Assert.Equal(3, outbox.Count(r => r.Message.Level == 1));
        Assert.Contains(outbox, r => r.Recipient == "support-lead@acquirer.example");
        Assert.Contains(outbox, r => r.Kind == ChannelKind.Slack && r.Channel == Notifier.ContactChannelName);
        Assert.Equal(1, outbox.Count(r => r.Message.Level == 2));
    }

    [Fact]
    public async Task A_manual_incident_is_stored_published_and_ticketed()
    {
        await using var h = await TicketHarness.CreateAsync();
        var published = new List<Incident>();
        using var _ = h.Feed.Subscribe((k, i) => published.Add(i));

        var incident = await h.Workflow.CreateManualAsync("Merchant reports card reader freezing", Cause.Hardware, Severity.Minor,
            ScopeType.Merchant, "m-0002", ["m-0002"], "alice", default);

        Assert.StartsWith("man-", incident.Id);
        Assert.Equal(["T-000003", "T-000004"], incident.AffectedTerminalIds.Order());
        Assert.NotNull(await h.Incidents.GetAsync(incident.Id, new Features.Identity.Viewer(true, null, false), default));
        var ticket = (await h.Tickets.GetAsync(incident.Id, default))!;
        Assert.True(ticket.Manual);
        Assert.Equal("rb-terminal-hardware", ticket.RunbookId);
        Assert.Single(published);
        Assert.Single(await h.Notices.ForMerchantAsync("m-0002"));
    }

    [Fact]
    public async Task Figures_average_time_to_acknowledge_and_resolve_by_cause()
    {
        await using var h = await TicketHarness.CreateAsync();
        var start = h.Clock.GetUtcNow();
        var a = await h.DetectAsync(h.GatewayIncident());
        var b = await h.DetectAsync(h.GatewayIncident() with { Id = "inc-000043" });
        h.Clock.Advance(TimeSpan.FromMinutes(4));
        await h.Workflow.ActAsync(a.Id, TicketAction.Acknowledge, "alice", default);
        h.Clock.Advance(TimeSpan.FromMinutes(4));
        await h.Workflow.ActAsync(b.Id, TicketAction.Acknowledge, "alice", default);
        h.Clock.Advance(TimeSpan.FromMinutes(22));
        await h.Workflow.ActAsync(a.Id, TicketAction.Resolve, "alice", default);

        var rows = await h.Tickets.OpenedBetweenAsync(start.AddHours(-1), start.AddHours(1), default);
        var figures = ResponseFigures.By(rows, r => Causes.Name(r.Cause));

        var gateway = Assert.Single(figures);
        Assert.Equal(2, gateway.Count);
        Assert.Equal(6, gateway.Mtta);
        Assert.Equal(30, gateway.Mttr);
    }
}
