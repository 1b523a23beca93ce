using System.Collections.Concurrent;
using Microsoft.AspNetCore.Components;
using Microsoft.AspNetCore.Components.Authorization;
using PosMonitor.Core.Detection;
using PosMonitor.Core.Incidents;
using PosMonitor.Core.Rollups;
using PosMonitor.Web.Features.Feedback;
using PosMonitor.Web.Features.Identity;
using PosMonitor.Web.Features.Incidents;
using PosMonitor.Web.Features.Runbooks;
using PosMonitor.Web.Features.Telemetry;
using PosMonitor.Web.Infrastructure.Time;

namespace PosMonitor.Web.Features.Portal;

public partial class MyPortalPage
{
    [CascadingParameter] private Task<AuthenticationState> AuthState { get; set; } = default!;
    [Inject] private MerchantPortal Portal { get; set; } = default!;
    [Inject] private FeedbackService Feedback { get; set; } = default!;
    [Inject] private TelemetryFeed Telemetry { get; set; } = default!;
    [Inject] private IncidentFeed IncidentFeed { get; set; } = default!;
    [Inject] private TimeProvider Time { get; set; } = default!;
    [Inject] private DisplayTime Clock { get; set; } = default!;

    private string _merchantId = "";
    private Viewer _viewer = Viewer.Nobody;
    private string? _merchantName, _reported, _reportedTerminal;
    // When the shop is closed now (its opening hours say so): the time it opens, in its own zone.
    private TimeOnly? _opensAt;
    private HashSet<string> _mine = [];
    private IReadOnlyList<MyTerminal> _terminals = [];
    // Incidents touching this merchant as they open and change while the page is open, as the owner reads them. The
    // stored list starts from the incidents store and then follows the feed.
    private readonly Dictionary<string, MerchantIncidentView> _views = [];
    // The incidents touching this merchant, by id, as last seen: noted on the feed's thread the moment one arrives, so a
    // ticket change (the ticket feeder's, posted after it stored the merchants' notice) can be matched without the dispatcher.
    private readonly ConcurrentDictionary<string, Incident> _touching = new();
    // What the operations centre told this merchant (the runbook's merchant template, on open and resolve).
    private IReadOnlyList<MerchantNotice> _notices = [];
    [Inject] private IIncidentReader StoredIncidents { get; set; } = default!;
    [Inject] private MerchantNoticeRepository Notices { get; set; } = default!;
    [Inject] private TicketRepository Tickets { get; set; } = default!;
    [Inject] private RunbookRepository Runbooks { get; set; } = default!;
    [Inject] private MerchantMessages Messages { get; set; } = default!;
    [Inject] private IncidentTickets Workflow { get; set; } = default!;
    [Inject] private IncidentRepository IncidentStore { get; set; } = default!;
    private IDisposable? _telemetrySubscription, _incidentSubscription, _ticketSubscription;
    private int _reloadPending;
    private bool _reporting;

    protected override async Task OnInitializedAsync()
    {
        var viewer = _viewer = Viewer.From((await AuthState).User);
        _merchantId = viewer.MerchantId ?? "";
        _merchantName = Portal.MerchantName(_merchantId);
        _mine = [.. Portal.TerminalsOf(_merchantId).Select(t => t.Id)];
        _terminals = await Portal.TerminalsAsync(_merchantId, CancellationToken.None);
        _opensAt = Portal.OpensAt(_merchantId);
        foreach (var open in await StoredIncidents.OpenAsync(viewer, CancellationToken.None))
        {
            _touching[open.Id] = open;
            _views[open.Id] = await ViewAsync(open);
        }
        _notices = await Notices.ForMerchantAsync(_merchantId, CancellationToken.None);
        _telemetrySubscription = Telemetry.Subscribe(OnTelemetry);
        _incidentSubscription = IncidentFeed.Subscribe(OnIncident);
        _ticketSubscription = Workflow.SubscribeChanges(OnTicketChanged);
    }

    // The ticket moved (an agent acknowledged, mitigated, confirmed a cause; or the ticket feeder handled an incident's
    // change and posted its notice): the phase and the notices follow.
    private void OnTicketChanged(string incidentId)
    {
        if (!_touching.TryGetValue(incidentId, out var incident)) return;
        _ = InvokeAsync(async () =>
        {
            _views[incidentId] = await ViewAsync(incident);
            _notices = await Notices.ForMerchantAsync(_merchantId, CancellationToken.None);
            StateHasChanged();
        });
    }

    // Runs on the ingestion writer: only note that a reload is due, at most one pending at a time.
    private void OnTelemetry(RollupDelta delta)
    {
        if (!delta.States.Keys.Any(_mine.Contains) || Interlocked.Exchange(ref _reloadPending, 1) == 1) return;
        _ = InvokeAsync(async () =>
        {
            // A timer, not a wait for anything: the state cache is current when the feed calls, and reloading at most
            // every 2 s keeps a busy fleet's telemetry from re-rendering the page on every commit.
            await Task.Delay(TimeSpan.FromSeconds(2), Time);
            Interlocked.Exchange(ref _reloadPending, 0);
            _terminals = await Portal.TerminalsAsync(_merchantId, CancellationToken.None);
            _opensAt = Portal.OpensAt(_merchantId);
            StateHasChanged();
        });
    }

    private void OnIncident(IncidentChangeKind kind, Incident incident)
    {
        var touchesMe = incident.AffectedMerchantIds.Contains(_merchantId)
            || incident.AffectedTerminalIds.Any(_mine.Contains)
            || (incident.ScopeType == ScopeType.Merchant && incident.ScopeId == _merchantId)
            || (incident.ScopeType == ScopeType.Terminal && _mine.Contains(incident.ScopeId));
        if (!touchesMe) return;
        // Noted before anything is queued: the ticket feeder posts this change's notice and then raises a ticket change,
        // which OnTicketChanged now matches and follows with the notices. Had the feeder been quicker still, its notice is
        // stored already and the read below finds it.
        _touching[incident.Id] = incident;
        _ = InvokeAsync(async () =>
        {
            _views[incident.Id] = await ViewAsync(incident);
            _notices = await Notices.ForMerchantAsync(_merchantId, CancellationToken.None);
            StateHasChanged();
        });
    }

    /// <summary>The incident with its ticket's phase and its runbook's advice, as the notices word them.</summary>
    private async Task<MerchantIncidentView> ViewAsync(Incident incident)
    {
        // Lists carry only the counts of what an incident affects; the banner names the owner's own terminals.
        incident = await IncidentStore.GetAsync(incident.Id, _viewer, CancellationToken.None) ?? incident;
        var ticket = await Tickets.GetAsync(incident.Id, CancellationToken.None);
        var runbook = ticket is { RunbookVersion: > 0 }
            ? await Runbooks.GetVersionAsync(ticket.RunbookId, ticket.RunbookVersion, CancellationToken.None)
            : await Runbooks.CurrentVersionAsync(incident.RunbookId, CancellationToken.None);
        return Messages.View(incident, ticket, runbook, _merchantId);
    }

    private async Task ReportTimeoutAsync(string terminalId)
    {
        _reporting = true;
        try
        {
            var result = await Feedback.ReportTimeoutNowAsync((await AuthState).User, terminalId, CancellationToken.None);
            _reportedTerminal = terminalId;
            _reported = result.Merged && result.FirstReported is { } first ? L["Reported_Again", Clock.Time(first)]
                : result.IncidentId is { } incident ? L["Reported_Linked", incident] : L["Reported_New"];
        }
        finally
        {
            _reporting = false;
        }
    }

    /// <summary>A device notice of <paramref name="terminalId"/> outlasted its routine (or sales failed): an incident is open for it.</summary>
    private bool HardwareIncidentOpen(string terminalId) => _views.Values.Select(v => v.Incident).Any(i => i.ResolvedAt is null && i.Cause == Cause.Hardware
        && ((i.ScopeType == ScopeType.Terminal && i.ScopeId == terminalId) || i.AffectedTerminalIds.Contains(terminalId)));

    private string Ago(DateTimeOffset? at)
    {
        if (at is not { } t) return L["Never"];
        var minutes = (int)(Time.GetUtcNow() - t).TotalMinutes;
        return minutes < 1 ? L["JustNow"] : minutes < 120 ? L["MinutesAgo", minutes] : Clock.Moment(t);
    }

    public void Dispose()
    {
        _telemetrySubscription?.Dispose();
        _incidentSubscription?.Dispose();
        _ticketSubscription?.Dispose();
    }
}
