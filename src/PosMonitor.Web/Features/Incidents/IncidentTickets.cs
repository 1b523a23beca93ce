using PosMonitor.Core.Detection;
using PosMonitor.Core.Incidents;
using PosMonitor.Core.Telemetry;
using PosMonitor.Web.Features.Fleet;
using PosMonitor.Web.Features.Identity;
using PosMonitor.Web.Features.Runbooks;
using PosMonitor.Web.Features.Telemetry;
using PosMonitor.Web.Infrastructure.Realtime;

namespace PosMonitor.Web.Features.Incidents;

/// <summary>The outcome of an agent's resolve: the transition, and detection's figure when it refused because the fault still shows.</summary>
public sealed record ResolveOutcome(Transition Transition, FaultNow? StillFailing = null);

/// <summary>
/// Support's work on incidents: a ticket for every incident (with the runbook version current when it opened), the
/// lifecycle actions agents take (published on <see cref="IncidentActions"/>) and what merchants are told at each phase. The
/// incident has one state (incident-state.md): an agent's resolve or reopen changes the incident itself, as detection's
/// do, and detection's resolve or reopen moves the ticket. Pages and jobs call this; it raises <see cref="Changed"/>.
/// </summary>
public sealed class IncidentTickets(
    TicketRepository tickets, IncidentRepository incidents, RunbookRepository runbooks, MerchantNoticeRepository notices,
    IncidentActions actions, IncidentFeed feed, FleetCache fleet, IIncidentWatch watch, MerchantMessages messages, TimeProvider time,
    ILogger<IncidentTickets> logger)
{
    public const string Detection = "detection";

    private readonly FeedSubscribers<string> _changed = new(logger);

    /// <summary>
    /// Calls <paramref name="onChanged"/> with the incident id after any change to a ticket ("" after escalations), on
    /// the thread that made it, in the culture it subscribed in.
    /// </summary>
    public IDisposable SubscribeChanges(Action<string> onChanged) => _changed.Add(onChanged);

    /// <summary>As <see cref="SubscribeChanges"/>, for changes made on this node only (the relay to the other nodes).</summary>
    public IDisposable SubscribeOwnChanges(Action<string> onChanged) => _changed.AddOwn(onChanged);

    /// <summary>Another node changed the ticket (or merchant notices) of this incident (PosMonitor:Cluster): this node's pages reload.</summary>
    public void ChangedOnPeer(string incidentId) => _changed.PublishFromPeer(incidentId);

    /// <summary>Creates the ticket of a newly seen incident, and tells its merchants.</summary>
    public async Task OnOpenedAsync(Incident incident, bool manual, CancellationToken ct)
    {
        var runbook = await runbooks.CurrentVersionAsync(incident.RunbookId, ct);
        await tickets.EnsureAsync(incident.Id, incident.RunbookId, runbook?.Version ?? 0, manual, time.GetUtcNow(), ct);
        await NoticeAsync(incident, NoticeKinds.Opened, ct);
        _changed.Publish(incident.Id);
    }

    /// <summary>Merchants that joined a running incident are told too.</summary>
    public async Task OnUpdatedAsync(Incident incident, CancellationToken ct)
    {
        var ticket = await tickets.GetAsync(incident.Id, ct);
        if (ticket is null)
        {
            // Opened before this process subscribed (or before tickets existed): adopt it now.
            await OnOpenedAsync(incident, manual: false, ct);
            return;
        }
        if (incident.ResolvedAt is null && ticket.Status != TicketStatus.Resolved) await NoticeAsync(incident, NoticeKinds.Opened, ct);
        _changed.Publish(incident.Id);
    }

    /// <summary>
    /// Detection saw the signal return to normal, or confirmed an agent's resolve made over its warning: the ticket
    /// resolves (unless an agent did already) and the merchants are told, once.
    /// </summary>
    public async Task OnResolvedAsync(Incident incident, CancellationToken ct)
    {
        if (await tickets.GetAsync(incident.Id, ct) is null) await OnOpenedAsync(incident, manual: false, ct);
        await tickets.TransitionAsync(incident.Id, TicketAction.Resolve, Detection, time.GetUtcNow(), ct);
        await NoticeAsync(incident, NoticeKinds.Resolved, ct);
        _changed.Publish(incident.Id);
    }

    /// <summary>The fault was there again after a resolve: the ticket reopens and the merchants hear the problem is not over.</summary>
    public async Task OnReopenedAsync(Incident incident, CancellationToken ct)
    {
        if (await tickets.GetAsync(incident.Id, ct) is null) await OnOpenedAsync(incident, manual: false, ct);
        await tickets.TransitionAsync(incident.Id, TicketAction.Reopen, Detection, time.GetUtcNow(), ct);
        await NoticeAsync(incident, NoticeKinds.Reopened, ct);
        _changed.Publish(incident.Id);
    }

    /// <summary>An agent's lifecycle action; refused transitions change nothing and say why.</summary>
    public async Task<Transition> ActAsync(string incidentId, TicketAction action, string by, CancellationToken ct) => action switch
    {
        TicketAction.Resolve => (await ResolveAsync(incidentId, by, null, ct)).Transition,
        TicketAction.Reopen => await ReopenAsync(incidentId, by, ct),
        _ => await MoveAsync(incidentId, action, by, ct),
    };

    /// <summary>
    /// An agent resolves the incident. While detection still sees the fault this is refused with its figure, unless
    /// <paramref name="overrideReason"/> says why to resolve anyway; then the merchants hear "resolved" only once detection
    /// confirms it, and a fault still there reopens the incident by itself.
    /// </summary>
    public async Task<ResolveOutcome> ResolveAsync(string incidentId, string by, string? overrideReason, CancellationToken ct)
    {
        var outcome = await watch.BetweenRunsAsync(incidentId, async fault =>
        {
            var ticket = await tickets.GetAsync(incidentId, ct) ?? throw new KeyNotFoundException($"There is no ticket for incident {incidentId}.");
            var rule = IncidentLifecycle.Resolve(ticket.Status, fault is not null, overrideReason);
            if (!rule.Allowed) return new ResolveOutcome(rule, rule.Refusal == Refusal.StillFailing ? fault : null);
            var now = time.GetUtcNow();
            var t = await tickets.TransitionAsync(incidentId, TicketAction.Resolve, by, now, ct);
            if (!t.Allowed) return new ResolveOutcome(t);
            if (fault is not null)
                await tickets.AddNoteAsync(incidentId, NoteKinds.Override, $"{fault.Figure}\n{overrideReason!.Trim()}", by, now, ct);
            if (await incidents.GetAsync(incidentId, AllMerchants, ct) is { } incident)
            {
                if (incident.ResolvedAt is null)
                {
                    incident = incident with { ResolvedAt = now, UpdatedAt = now };
                    await incidents.SaveByHandAsync(new IncidentChange(IncidentChangeKind.Resolved, incident), fleet.Current, ct);
                    watch.ResolvedByHand(incidentId, now);
                    // An update, not detection's Resolved: the fault's end is still detection's to see (OpenIncidents, pages and
                    // the hub read ResolvedAt; the ticket feeder tells no one).
                    feed.Publish(IncidentChangeKind.Updated, incident);
                }
                // Over detection's warning, merchants are told once detection confirms the fault has gone (OnResolvedAsync).
                if (fault is null) await NoticeAsync(incident, NoticeKinds.Resolved, ct);
                await actions.PublishAsync(new IncidentResolvedByAgent(incident, by, now), ct);
            }
            return new ResolveOutcome(t);
        }, ct);
        if (outcome.Transition.Allowed) _changed.Publish(incidentId);
        return outcome;
    }

    /// <summary>An agent reopens a resolved incident: the incident is open again for detection too, and merchants hear it is not over.</summary>
    private async Task<Transition> ReopenAsync(string incidentId, string by, CancellationToken ct)
    {
        var t = await watch.BetweenRunsAsync(incidentId, async _ =>
        {
            var now = time.GetUtcNow();
            var t = await tickets.TransitionAsync(incidentId, TicketAction.Reopen, by, now, ct);
            if (t.Allowed && await incidents.GetAsync(incidentId, AllMerchants, ct) is { ResolvedAt: not null } incident)
            {
                incident = incident with { ResolvedAt = null, UpdatedAt = now };
                await incidents.SaveByHandAsync(new IncidentChange(IncidentChangeKind.Reopened, incident), fleet.Current, ct);
                await NoticeAsync(incident, NoticeKinds.Reopened, ct);
                feed.Publish(IncidentChangeKind.Reopened, incident);
            }
            return t;
        }, ct);
        if (t.Allowed) _changed.Publish(incidentId);
        return t;
    }

    private async Task<Transition> MoveAsync(string incidentId, TicketAction action, string by, CancellationToken ct)
    {
        var t = await tickets.TransitionAsync(incidentId, action, by, time.GetUtcNow(), ct);
        if (!t.Allowed) return t;
        await PhaseNoticeAsync(incidentId, ct);
        _changed.Publish(incidentId);
        return t;
    }

    public async Task AssignAsync(string incidentId, string? assignee, string by, CancellationToken ct)
    {
        await tickets.AssignAsync(incidentId, string.IsNullOrWhiteSpace(assignee) ? null : CardData.Mask(assignee.Trim()), by, time.GetUtcNow(), ct);
        _changed.Publish(incidentId);
    }

    public async Task TickAsync(string incidentId, int step, string by, CancellationToken ct)
    {
        await tickets.MarkStepAsync(incidentId, step, true, null, by, time.GetUtcNow(), ct);
        _changed.Publish(incidentId);
    }

    public async Task SkipAsync(string incidentId, int step, string reason, string by, CancellationToken ct)
    {
        await tickets.MarkStepAsync(incidentId, step, false, CardData.Mask(reason), by, time.GetUtcNow(), ct);
        _changed.Publish(incidentId);
    }

    public async Task UntickAsync(string incidentId, int step, string by, CancellationToken ct)
    {
        await tickets.UnmarkStepAsync(incidentId, step, by, time.GetUtcNow(), ct);
        _changed.Publish(incidentId);
    }

    public async Task AddNoteAsync(string incidentId, string text, string by, CancellationToken ct)
    {
        if (string.IsNullOrWhiteSpace(text)) return;
        // What agents type is where a card number read out by a merchant would land: stored masked.
        await tickets.AddNoteAsync(incidentId, NoteKinds.Note, CardData.Mask(text.Trim()), by, time.GetUtcNow(), ct);
        _changed.Publish(incidentId);
    }

    /// <summary>The root cause the agent found: merchants hear the cause is identified.</summary>
    public async Task ConfirmCauseAsync(string incidentId, Cause cause, string? note, string by, CancellationToken ct)
    {
        await tickets.ConfirmCauseAsync(incidentId, cause, CardData.MaskOptional(note), by, time.GetUtcNow(), ct);
        await PhaseNoticeAsync(incidentId, ct);
        _changed.Publish(incidentId);
    }

    public async Task SaveReviewAsync(string incidentId, PostIncidentReview review, string by, CancellationToken ct)
    {
        review = new PostIncidentReview(CardData.Mask(review.Summary), CardData.Mask(review.Impact), CardData.Mask(review.FollowUps));
        await tickets.SaveReviewAsync(incidentId, review, by, time.GetUtcNow(), ct);
        _changed.Publish(incidentId);
    }

    /// <summary>An incident an agent opens by hand (a merchant's call, a provider's warning): stored, published, ticketed.</summary>
    public async Task<Incident> CreateManualAsync(string title, Cause cause, Severity severity, ScopeType scope, string scopeId,
        IReadOnlyList<string> merchantIds, string by, CancellationToken ct)
    {
        var now = time.GetUtcNow();
        var current = fleet.Current;
        title = CardData.Mask(title);
        scopeId = CardData.Mask(scopeId);
        var incident = new Incident
        {
            Id = $"man-{now:yyyyMMddHHmmss}-{Random.Shared.Next(0x1000, 0xFFFF):x4}",
            ScopeType = scope, ScopeId = scopeId.Trim(), Cause = cause, Severity = severity, OpenedAt = now, UpdatedAt = now,
            RunbookId = Causes.DefaultRunbookId(cause), Title = title.Trim(), Evidence = [EvidencePhrase.OpenedByHand.Write(by)],
            AffectedMerchantIds = merchantIds, AffectedMerchants = merchantIds.Count,
            AffectedTerminalIds = [.. current.Terminals.Values.Where(t => merchantIds.Contains(t.MerchantId)).Select(t => t.Id)],
        };
        incident = incident with { AffectedTerminals = incident.AffectedTerminalIds.Count };
        await incidents.SaveAsync([new IncidentChange(IncidentChangeKind.Opened, incident)], current, ct);
        await OnOpenedAsync(incident, manual: true, ct);
        await tickets.AddNoteAsync(incident.Id, NoteKinds.Note, title.Trim(), by, now, ct);
        feed.Publish(IncidentChangeKind.Opened, incident);
        return incident;
    }

    private static readonly Viewer AllMerchants = new(true, null, false);

    /// <summary>After an acknowledgement, mitigation or a confirmed cause: the merchants hear the phase it reached.</summary>
    private async Task PhaseNoticeAsync(string incidentId, CancellationToken ct)
    {
        var ticket = await tickets.GetAsync(incidentId, ct);
        if (ticket is null || await incidents.GetAsync(incidentId, AllMerchants, ct) is not { ResolvedAt: null } incident) return;
        var kind = IncidentLifecycle.PhaseOf(ticket.Status, ticket.ConfirmedCause is not null) switch
        {
            MerchantPhase.Identified => NoticeKinds.Identified,
            MerchantPhase.Monitoring => NoticeKinds.Monitoring,
            _ => null,
        };
        if (kind is not null) await NoticeAsync(incident, kind, ct);
    }

    /// <summary>
    /// Posts a notice of <paramref name="kind"/> to each affected merchant, once per merchant and round (the opening one
    /// once for good: a merchant joining a reopened incident hears how it stands in it).
    /// </summary>
    private async Task NoticeAsync(Incident incident, string kind, CancellationToken ct)
    {
        if (incident.AffectedMerchantIds.Count == 0) return;
        var ticket = await tickets.GetAsync(incident.Id, ct);
        var runbook = ticket is { RunbookVersion: > 0 }
            ? await runbooks.GetVersionAsync(ticket.RunbookId, ticket.RunbookVersion, ct)
            : await runbooks.CurrentVersionAsync(incident.RunbookId, ct);
        if (runbook is null) return;
        var phase = kind == NoticeKinds.Resolved ? MerchantPhase.Resolved
            : IncidentLifecycle.PhaseOf(ticket?.Status ?? TicketStatus.Open, ticket?.ConfirmedCause is not null);
        var round = kind == NoticeKinds.Opened ? 0 : await incidents.ReopenCountAsync(incident.Id, ct);
        var now = time.GetUtcNow();
        var list = incident.AffectedMerchantIds
            .Select(m => new NoticeToPost(m, incident.Id, kind, messages.Notice(kind, incident, runbook, m, phase), round))
            .ToList();
        var added = await notices.AddAsync(list, now, ct);
        if (added > 0) await tickets.AddNoteAsync(incident.Id, NoteKinds.Notice, $"{kind}:{added}", "system", now, ct);
    }

    /// <summary>Escalations changed some tickets: pages reload.</summary>
    public void NotifyEscalated() => _changed.Publish("");

    internal void LogFailure(Exception e, string incidentId) => logger.LogError(e, "Could not update the ticket of incident {Incident}", incidentId);
}
