using System.Globalization;
using System.Threading.Channels;
using Microsoft.Extensions.Localization;
using PosMonitor.Core.Detection;
using PosMonitor.Core.Incidents;
using PosMonitor.Core.Telemetry;
using PosMonitor.Web.Features.Identity;
using PosMonitor.Web.Features.Notifications;
using PosMonitor.Web.Features.Runbooks;
using PosMonitor.Web.Features.Telemetry;
using PosMonitor.Web.Infrastructure.Realtime;

namespace PosMonitor.Web.Features.Incidents;

/// <summary>
/// Support's work on incidents: a ticket for every incident (with the runbook version current when
/// it opened), the lifecycle actions agents take, merchant notices on open and resolve, and the
/// notifications that go with them. Pages and jobs call this; it raises <see cref="Changed"/>.
/// </summary>
public sealed class IncidentTickets(
    TicketRepository tickets, IncidentRepository incidents, RunbookRepository runbooks, MerchantNoticeRepository notices,
    Notifier notifier, IncidentFeed feed, FleetCache fleet, IStringLocalizer<RunbookStrings> rb, TimeProvider time, ILogger<IncidentTickets> logger)
{
    public const string Detection = "detection";

    private readonly FeedSubscribers<string> _changed = new(logger);

    /// <summary>
    /// Calls <paramref name="onChanged"/> with the incident id after any change to a ticket ("" after escalations), on
    /// the thread that made it, in the culture it subscribed in.
    /// </summary>
    public IDisposable SubscribeChanges(Action<string> onChanged) => _changed.Add(onChanged);

    /// <summary>Creates the ticket of a newly seen incident, and tells its merchants.</summary>
    public async Task OnOpenedAsync(Incident incident, bool manual, CancellationToken ct)
    {
        var runbook = await runbooks.CurrentVersionAsync(incident.RunbookId, ct);
        await tickets.EnsureAsync(incident.Id, incident.RunbookId, runbook?.Version ?? 0, manual, time.GetUtcNow(), ct);
        await NoticeAsync(incident, runbook, NoticeKinds.Opened, TicketStatus.Open, ct);
        _changed.Publish(incident.Id);
    }

    /// <summary>Merchants that joined a growing incident are told too.</summary>
    public async Task OnUpdatedAsync(Incident incident, CancellationToken ct)
    {
        var ticket = await tickets.GetAsync(incident.Id, ct);
        if (ticket is null)
        {
            // Opened before this process subscribed (or before tickets existed): adopt it now.
            await OnOpenedAsync(incident, manual: false, ct);
            return;
        }
        if (ticket.Status != TicketStatus.Resolved)
            await NoticeAsync(incident, await runbooks.GetVersionAsync(ticket.RunbookId, ticket.RunbookVersion, ct), NoticeKinds.Opened, ticket.Status, ct);
        _changed.Publish(incident.Id);
    }

    /// <summary>Detection saw the signal return to normal: the ticket resolves, unless an agent did already.</summary>
    public async Task OnResolvedAsync(Incident incident, CancellationToken ct)
    {
        if (await tickets.GetAsync(incident.Id, ct) is null) await OnOpenedAsync(incident, manual: false, ct);
        var t = await tickets.TransitionAsync(incident.Id, TicketAction.Resolve, Detection, time.GetUtcNow(), ct);
        if (t.Allowed) await TellResolvedAsync(incident, ct);
        _changed.Publish(incident.Id);
    }

    /// <summary>An agent's lifecycle action; refused transitions change nothing and say why.</summary>
    public async Task<Transition> ActAsync(string incidentId, TicketAction action, string by, CancellationToken ct)
    {
        var t = await tickets.TransitionAsync(incidentId, action, by, time.GetUtcNow(), ct);
        if (t.Allowed && t.To == TicketStatus.Resolved && await incidents.GetAsync(incidentId, AllMerchants, ct) is { } incident)
        {
            await TellResolvedAsync(incident, ct);
            await notifier.EnqueueAsync(NotificationMessage.From(NotificationEvents.Resolved, incident with { ResolvedAt = time.GetUtcNow() },
                time.GetUtcNow(), note: by), ct);
        }
        if (t.Allowed) _changed.Publish(incidentId);
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

    public async Task ConfirmCauseAsync(string incidentId, Cause cause, string? note, string by, CancellationToken ct)
    {
        await tickets.ConfirmCauseAsync(incidentId, cause, CardData.MaskOptional(note), by, time.GetUtcNow(), ct);
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

    private async Task TellResolvedAsync(Incident incident, CancellationToken ct)
    {
        var ticket = await tickets.GetAsync(incident.Id, ct);
        var runbook = ticket is null ? null : await runbooks.GetVersionAsync(ticket.RunbookId, ticket.RunbookVersion, ct);
        await NoticeAsync(incident, runbook, NoticeKinds.Resolved, TicketStatus.Resolved, ct);
    }

    /// <summary>Posts the runbook's merchant message, filled in for each affected merchant, once per kind.</summary>
    private async Task NoticeAsync(Incident incident, Runbook? runbook, string kind, TicketStatus status, CancellationToken ct)
    {
        if (runbook is null || incident.AffectedMerchantIds.Count == 0) return;
        var now = time.GetUtcNow();
        var list = incident.AffectedMerchantIds
            .Select(m => (m, incident.Id, kind, new LocalizedText(Fill(runbook, incident, m, status, "en"), Fill(runbook, incident, m, status, "zh-CN"))))
            .ToList();
        var added = await notices.AddAsync(list, now, ct);
        if (added > 0) await tickets.AddNoteAsync(incident.Id, NoteKinds.Notice, $"{kind}:{added}", "system", now, ct);
    }

    private string Fill(Runbook runbook, Incident incident, string merchantId, TicketStatus status, string language)
    {
        var culture = CultureInfo.GetCultureInfo(language);
        var previous = CultureInfo.CurrentUICulture;
        CultureInfo.CurrentUICulture = culture;
        try
        {
            var merchant = fleet.Current.Merchants.TryGetValue(merchantId, out var m) ? m : null;
            var zone = TimeZoneOf(merchant?.TimeZone);
            var values = new Dictionary<string, string>
            {
                ["merchant"] = merchant?.Name ?? merchantId,
                ["cause"] = rb[$"Cause_{Causes.Name(incident.Cause)}"],
                ["openedAt"] = TimeZoneInfo.ConvertTime(incident.OpenedAt, zone).ToString("yyyy-MM-dd HH:mm", CultureInfo.InvariantCulture),
                ["resolvedAt"] = TimeZoneInfo.ConvertTime(time.GetUtcNow(), zone).ToString("yyyy-MM-dd HH:mm", CultureInfo.InvariantCulture),
                ["status"] = rb[$"Status_{IncidentLifecycle.Name(status)}"],
                ["workaround"] = status == TicketStatus.Resolved ? "—" : runbook.Content.Workaround.For(culture),
                ["incident"] = incident.Id,
            };
            return MerchantTemplate.Fill(runbook.Content.MerchantTemplate.For(culture), values);
        }
        finally
        {
            CultureInfo.CurrentUICulture = previous;
        }
    }

    private static TimeZoneInfo TimeZoneOf(string? id)
    {
        try { return id is null ? TimeZoneInfo.Utc : TimeZoneInfo.FindSystemTimeZoneById(id); }
        catch (TimeZoneNotFoundException) { return TimeZoneInfo.Utc; }
    }

    /// <summary>Escalations changed some tickets: pages reload.</summary>
    public void NotifyEscalated() => _changed.Publish("");

    internal void LogFailure(Exception e, string incidentId) => logger.LogError(e, "Could not update the ticket of incident {Incident}", incidentId);
}

/// <summary>
/// Feeds <see cref="IncidentTickets"/> from <see cref="IncidentFeed"/>. The feed's subscribers run
/// on detection's thread, so the handler only queues; this loop does the database work.
/// </summary>
public sealed class IncidentTicketsFeeder(IncidentFeed feed, IncidentTickets tickets) : BackgroundService
{
    private readonly Channel<(IncidentChangeKind Kind, Incident Incident)> _queue =
        Channel.CreateUnbounded<(IncidentChangeKind, Incident)>(new UnboundedChannelOptions { SingleReader = true });
    private IDisposable? _subscription;

    public override Task StartAsync(CancellationToken ct)
    {
        _subscription = feed.Subscribe((kind, incident) => _queue.Writer.TryWrite((kind, incident)));
        return base.StartAsync(ct);
    }

    public override async Task StopAsync(CancellationToken ct)
    {
        _subscription?.Dispose();
        await base.StopAsync(ct);
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        try
        {
            await foreach (var (kind, incident) in _queue.Reader.ReadAllAsync(stoppingToken))
                await HandleAsync(kind, incident, stoppingToken);
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            while (_queue.Reader.TryRead(out var item)) await HandleAsync(item.Kind, item.Incident, CancellationToken.None);
        }
    }

    /// <summary>Manual incidents are ticketed by whoever created them; their feed echo only confirms it.</summary>
    public async Task HandleAsync(IncidentChangeKind kind, Incident incident, CancellationToken ct)
    {
        try
        {
            switch (kind)
            {
                case IncidentChangeKind.Opened: await tickets.OnOpenedAsync(incident, incident.Id.StartsWith("man-", StringComparison.Ordinal), ct); break;
                case IncidentChangeKind.Updated: await tickets.OnUpdatedAsync(incident, ct); break;
                default: await tickets.OnResolvedAsync(incident, ct); break;
            }
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            tickets.LogFailure(e, incident.Id);
        }
    }
}
