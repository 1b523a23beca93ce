using Microsoft.AspNetCore.Components;
using Microsoft.AspNetCore.Components.Authorization;
using Microsoft.Extensions.Localization;
using MudBlazor;
using PosMonitor.Core.Detection;
using PosMonitor.Core.Incidents;
using PosMonitor.Web.Features.Fleet;
using PosMonitor.Web.Features.Identity;
using PosMonitor.Web.Features.Runbooks;
using PosMonitor.Web.Features.Telemetry;
using PosMonitor.Web.Infrastructure.Time;

namespace PosMonitor.Web.Features.Incidents;

public partial class IncidentPage
{
    /// <summary>The chart shows this much before the incident opened, and after it resolved.</summary>
    private static readonly TimeSpan ChartMargin = TimeSpan.FromMinutes(30);
    private static readonly TimeSpan ChartMax = TimeSpan.FromHours(3);
    /// <summary>New rollups arrive every second; the chart and impact follow at most this often.</summary>
    private static readonly TimeSpan TelemetryRefresh = TimeSpan.FromSeconds(20);

    [Parameter] public string Id { get; set; } = "";

    [Inject] private IncidentRepository Incidents { get; set; } = default!;
    [Inject] private TicketRepository Tickets { get; set; } = default!;
    [Inject] private IncidentTickets Workflow { get; set; } = default!;
    [Inject] private RunbookRepository Runbooks { get; set; } = default!;
    [Inject] private MerchantNoticeRepository Notices { get; set; } = default!;
    [Inject] private IncidentQueries Queries { get; set; } = default!;
    [Inject] private IncidentFeed Feed { get; set; } = default!;
    [Inject] private TelemetryFeed Telemetry { get; set; } = default!;
    [Inject] private FleetCache Fleet { get; set; } = default!;
    [Inject] private PortalViewer Viewer { get; set; } = default!;
    [Inject] private AuthenticationStateProvider Authentication { get; set; } = default!;
    [Inject] private TimeProvider Time { get; set; } = default!;
    [Inject] private DisplayTime Clock { get; set; } = default!;
    [Inject] private ISnackbar Snackbar { get; set; } = default!;
    [Inject] private IStringLocalizer<IncidentStrings> L { get; set; } = default!;
    [Inject] private IStringLocalizer<RunbookStrings> RL { get; set; } = default!;

    private Incident? _incident;
    private Ticket? _ticket;
    private Runbook? _runbook;
    private IReadOnlyList<StepMark> _marks = [];
    private IReadOnlyList<IncidentEvent> _events = [];
    private IReadOnlyList<TicketNote> _notes = [];
    private IReadOnlyList<MerchantNotice> _notices = [];
    private BusinessImpact? _impact;
    private string[] _chartLabels = [];
    private List<ChartSeries<double>> _chartSeries = [];
    private readonly ChartOptions _chartOptions = new() { ShowLegend = false, ShowToolTips = true };
    private bool _loaded;
    private string? _assignee, _note, _confirmNote, _reviewSummary, _reviewImpact, _reviewFollowUps, _overrideReason;
    /// <summary>Detection's figure when a resolve was refused because it still sees the fault; the warning shows while set.</summary>
    private FaultNow? _stillFailing;
    private Cause _confirmCause;
    private string _me = Agent.Anonymous;
    private Viewer _viewer = Identity.Viewer.Nobody;
    private List<BreadcrumbItem> _crumbs = [];
    private IDisposable? _feedSubscription, _telemetrySubscription, _ticketSubscription;
    private long _lastTelemetryRefresh;
    private DateTimeOffset? _telemetryResolvedAt;

    private TicketStatus Status => _ticket?.Status ?? (_incident?.ResolvedAt is null ? TicketStatus.Open : TicketStatus.Resolved);

    protected override async Task OnInitializedAsync()
    {
        _me = await Agent.NameAsync(Authentication);
        _viewer = await Viewer.GetAsync();
        _feedSubscription = Feed.Subscribe(OnIncident);
        _telemetrySubscription = Telemetry.Subscribe(_ => OnTelemetry());
        _ticketSubscription = Workflow.SubscribeChanges(OnTicketChanged);
    }

    protected override async Task OnParametersSetAsync()
    {
        await LoadAsync(resetForms: true);
        _crumbs = [new(L["AllIncidents"], "/incidents"), new(Id, null, disabled: true)];
        _loaded = true;
    }

    private async Task LoadAsync(bool resetForms)
    {
        _incident = await Incidents.GetAsync(Id, _viewer, default);
        if (_incident is null) return;
        _ticket = await Tickets.GetAsync(Id, default);
        _runbook = _ticket is { RunbookVersion: > 0 }
            ? await Runbooks.GetVersionAsync(_ticket.RunbookId, _ticket.RunbookVersion, default)
            : await Runbooks.CurrentVersionAsync(_incident.RunbookId, default);
        _marks = await Tickets.StepsAsync(Id, default);
        _events = await Incidents.EventsAsync(Id, default);
        _notes = await Tickets.NotesAsync(Id, default);
        _notices = await Notices.ForIncidentAsync(Id, default);
        if (resetForms)
        {
            _assignee = _ticket?.Assignee;
            _confirmCause = _ticket?.ConfirmedCause ?? _incident.Cause;
            _confirmNote = _ticket?.ConfirmedNote;
            _reviewSummary = _ticket?.Review?.Summary;
            _reviewImpact = _ticket?.Review?.Impact;
            _reviewFollowUps = _ticket?.Review?.FollowUps;
        }
        // The chart and impact follow telemetry (OnTelemetry). An incident's updates (every few seconds for a wide one at
        // 200,000 terminals) and the agent's own actions reload them only when due, or when their window changed.
        if (resetForms || ResolvedAt != _telemetryResolvedAt || Time.GetElapsedTime(_lastTelemetryRefresh) >= TelemetryRefresh)
            await LoadTelemetryAsync();
    }

    private DateTimeOffset? ResolvedAt => _ticket?.ResolvedAt ?? _incident?.ResolvedAt;

    private async Task LoadTelemetryAsync()
    {
        if (_incident is null) return;
        _telemetryResolvedAt = ResolvedAt;
        var end = ResolvedAt is { } r ? r + ChartMargin : Time.GetUtcNow();
        var start = _incident.OpenedAt - ChartMargin;
        if (end - start > ChartMax) start = end - ChartMax;
        var minutes = await Queries.ScopeRateAsync(_incident.ScopeType, _incident.ScopeId, start, end, default);
        _chartLabels = [.. minutes.Select((m, i) => i % 10 == 0 ? Clock.Format(m.Minute, "HH:mm") : "")];
        _chartSeries = [new ChartSeries<double> { Name = L["ChartSeries"], Data = minutes.Select(m => Math.Round(m.Rate * 100, 1)).ToArray() }];
        _lastTelemetryRefresh = Time.GetTimestamp();
        // The impact prices failed sales by a week of each affected terminal's rows: on an incident's first view that can
        // take seconds (a chain's hundreds of terminals), so it fills in once read instead of holding the page up.
        var impact = Queries.ImpactAsync(_incident, ResolvedAt ?? Time.GetUtcNow(), default);
        _ = InvokeAsync(async () =>
        {
            _impact = await impact;
            StateHasChanged();
        });
    }

    private void OnIncident(IncidentChangeKind kind, Incident incident)
    {
        if (incident.Id == Id) _ = InvokeAsync(async () => { await LoadAsync(resetForms: false); StateHasChanged(); });
    }

    private void OnTicketChanged(string incidentId)
    {
        if (incidentId == Id || incidentId == "") _ = InvokeAsync(async () => { await LoadAsync(resetForms: false); StateHasChanged(); });
    }

    private void OnTelemetry()
    {
        if (Status == TicketStatus.Resolved || Time.GetElapsedTime(_lastTelemetryRefresh) < TelemetryRefresh) return;
        _lastTelemetryRefresh = Time.GetTimestamp();
        _ = InvokeAsync(async () => { await LoadTelemetryAsync(); StateHasChanged(); });
    }

    private IEnumerable<TicketAction> Actions() =>
        Enum.GetValues<TicketAction>().Where(a => IncidentLifecycle.Apply(Status, a).Allowed);

    private static Color ActionColour(TicketAction a) => a switch
    {
        TicketAction.Acknowledge => Color.Warning,
        TicketAction.Mitigate => Color.Info,
        TicketAction.Resolve => Color.Success,
        _ => Color.Default,
    };

    private async Task ActAsync(TicketAction action)
    {
        if (_ticket is null && _incident is not null) await Workflow.OnOpenedAsync(_incident, manual: false, default);
        if (action == TicketAction.Resolve)
        {
            await ResolveAsync(null);
            return;
        }
        _stillFailing = null;
        var t = await Workflow.ActAsync(Id, action, _me, default);
        if (!t.Allowed) Snackbar.Add(L[$"Refused_{t.Refusal}"], MudBlazor.Severity.Error);
        await LoadAsync(resetForms: false);
    }

    /// <summary>Resolves; while detection still sees the fault, the warning asks for a reason instead.</summary>
    private async Task ResolveAsync(string? overrideReason)
    {
        var outcome = await Workflow.ResolveAsync(Id, _me, overrideReason, default);
        _stillFailing = outcome.StillFailing;
        if (outcome.Transition.Allowed) _overrideReason = null;
        else if (outcome.StillFailing is null) Snackbar.Add(L[$"Refused_{outcome.Transition.Refusal}"], MudBlazor.Severity.Error);
        await LoadAsync(resetForms: false);
    }

    private async Task ResolveAnywayAsync()
    {
        if (!string.IsNullOrWhiteSpace(_overrideReason)) await ResolveAsync(_overrideReason);
    }

    private void KeepOpen()
    {
        _stillFailing = null;
        _overrideReason = null;
    }

    private async Task TickAsync(int step) { await Workflow.TickAsync(Id, step, _me, default); await LoadAsync(false); }

    private async Task SkipAsync((int Step, string Reason) skip) { await Workflow.SkipAsync(Id, skip.Step, skip.Reason, _me, default); await LoadAsync(false); }

    private async Task UndoAsync(int step) { await Workflow.UntickAsync(Id, step, _me, default); await LoadAsync(false); }

    private async Task AssignAsync() { await Workflow.AssignAsync(Id, _assignee, _me, default); await LoadAsync(false); }

    private async Task AssignToMeAsync()
    {
        _assignee = _me;
        await AssignAsync();
    }

    private async Task AddNoteAsync()
    {
        if (string.IsNullOrWhiteSpace(_note)) return;
        await Workflow.AddNoteAsync(Id, _note, _me, default);
        _note = null;
        await LoadAsync(false);
    }

    private async Task ConfirmCauseAsync() { await Workflow.ConfirmCauseAsync(Id, _confirmCause, _confirmNote, _me, default); await LoadAsync(false); }

    private async Task SaveReviewAsync()
    {
        if (string.IsNullOrWhiteSpace(_reviewSummary)) return;
        await Workflow.SaveReviewAsync(Id, new PostIncidentReview(_reviewSummary ?? "", _reviewImpact ?? "", _reviewFollowUps ?? ""), _me, default);
        await LoadAsync(false);
    }

    private string MerchantName(string id) => Fleet.Current.Merchants.TryGetValue(id, out var m) ? $"{m.Name} ({id})" : id;

    public void Dispose()
    {
        _feedSubscription?.Dispose();
        _telemetrySubscription?.Dispose();
        _ticketSubscription?.Dispose();
    }
}
