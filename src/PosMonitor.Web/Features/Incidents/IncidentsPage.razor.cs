using System.Text.Json;
using Microsoft.AspNetCore.Components;
using Microsoft.Extensions.Localization;
using Microsoft.JSInterop;
using PosMonitor.Core.Detection;
using PosMonitor.Core.Incidents;
using PosMonitor.Web.Features.Identity;
using PosMonitor.Web.Features.Runbooks;

namespace PosMonitor.Web.Features.Incidents;

/// <summary>The filters of the queue; a saved view is a named one of these.</summary>
public sealed record QueueFilter(string Status = "active", string Severity = "", string Cause = "", string Scope = "",
    string Merchant = "", string Assignee = "", string Sort = "sla");

public sealed record SavedView(string Name, QueueFilter Filter);

/// <summary>A row of the queue: the incident and support's ticket (absent for incidents older than tickets).</summary>
public sealed record QueueRow(Incident Incident, Ticket? Ticket, DateTimeOffset SlaDue)
{
    public TicketStatus Status => Ticket?.Status ?? (Incident.ResolvedAt is null ? TicketStatus.Open : TicketStatus.Resolved);
}

public partial class IncidentsPage
{
    private const string ViewsKey = "posmonitor.incidentViews";
    private static readonly TimeSpan ResolvedShownFor = TimeSpan.FromDays(7);

    [Inject] private IncidentRepository Incidents { get; set; } = default!;
    [Inject] private TicketRepository Tickets { get; set; } = default!;
    [Inject] private IncidentTickets Workflow { get; set; } = default!;
    [Inject] private IncidentFeed Feed { get; set; } = default!;
    [Inject] private PortalViewer Viewer { get; set; } = default!;
    [Inject] private Microsoft.Extensions.Options.IOptionsMonitor<SlaOptions> Sla { get; set; } = default!;
    [Inject] private TimeProvider Time { get; set; } = default!;
    [Inject] private IJSRuntime JS { get; set; } = default!;
    [Inject] private IStringLocalizer<IncidentStrings> L { get; set; } = default!;
    [Inject] private IStringLocalizer<RunbookStrings> RL { get; set; } = default!;

    private List<QueueRow>? _rows;
    private HashSet<string>? _merchantIncidents;
    private QueueFilter _filter = new();
    private List<SavedView> _views = [];
    private string? _viewName;
    private IDisposable? _feedSubscription, _ticketSubscription;
    private ITimer? _clock;
    private Viewer _viewer = Identity.Viewer.Nobody;

    private DateTimeOffset Now => Time.GetUtcNow();

    protected override async Task OnInitializedAsync()
    {
        _viewer = await Viewer.GetAsync();
        _feedSubscription = Feed.Subscribe(OnIncident);
        _ticketSubscription = Workflow.SubscribeChanges(OnTicketChanged);
        // The SLA countdowns move with the clock, not with data: re-render every 15 s; no query is made.
        _clock = Time.CreateTimer(_ => InvokeAsync(StateHasChanged), null, TimeSpan.FromSeconds(15), TimeSpan.FromSeconds(15));
        await LoadAsync();
    }

    protected override async Task OnAfterRenderAsync(bool firstRender)
    {
        if (!firstRender) return;
        try
        {
            var json = await JS.InvokeAsync<string?>("localStorage.getItem", ViewsKey);
            _views = string.IsNullOrEmpty(json) ? [] : JsonSerializer.Deserialize<List<SavedView>>(json) ?? [];
            StateHasChanged();
        }
        catch (JSException) { /* storage blocked: no saved views */ }
    }

    private void OnIncident(IncidentChangeKind kind, Incident incident) => _ = InvokeAsync(LoadAsync);

    private void OnTicketChanged(string incidentId) => _ = InvokeAsync(LoadAsync);

    private async Task LoadAsync()
    {
        var since = Now - ResolvedShownFor;
        var incidents = await Incidents.ListAsync(_viewer, IncidentStatus.All, since, IncidentRepository.MaxListed, default);
        var tickets = (await Tickets.ListAsync(since, default)).ToDictionary(t => t.IncidentId, StringComparer.Ordinal);
        var sla = Sla.CurrentValue;
        _rows = [.. incidents.Select(i =>
        {
            tickets.TryGetValue(i.Id, out var t);
            var due = t?.Status is null or TicketStatus.Open ? sla.AcknowledgeBy(i.Severity, i.OpenedAt) : sla.ResolveBy(i.Severity, i.OpenedAt);
            return new QueueRow(i, t, due);
        })];
        await LoadMerchantFilterAsync();
        StateHasChanged();
    }

    /// <summary>The incidents that affect the merchant typed in the filter (any of its terminals, or its own scope).</summary>
    private async Task LoadMerchantFilterAsync()
    {
        var m = _filter.Merchant.Trim();
        _merchantIncidents = m.Length == 0 ? null
            : (await Incidents.ListAsync(new Viewer(false, m, false), IncidentStatus.All, Now - ResolvedShownFor, IncidentRepository.MaxListed, default))
                .Select(i => i.Id).ToHashSet(StringComparer.Ordinal);
    }

    private IEnumerable<QueueRow> Visible()
    {
        if (_rows is null) return [];
        var f = _filter;
        var rows = _rows.Where(r =>
            (f.Status == "" || (f.Status == "active" ? r.Status != TicketStatus.Resolved : IncidentLifecycle.Name(r.Status) == f.Status))
            && (f.Severity == "" || Causes.Name(r.Incident.Severity) == f.Severity)
            && (f.Cause == "" || Causes.Name(r.Incident.Cause) == f.Cause)
            && (f.Scope == "" || Causes.Name(r.Incident.ScopeType) == f.Scope)
            && (_merchantIncidents is null || _merchantIncidents.Contains(r.Incident.Id)
                || (r.Incident.ScopeType == ScopeType.Merchant && r.Incident.ScopeId == f.Merchant.Trim()))
            && (f.Assignee == "" || (r.Ticket?.Assignee ?? "").Contains(f.Assignee.Trim(), StringComparison.OrdinalIgnoreCase)));
        return f.Sort switch
        {
            "age" => rows.OrderBy(r => r.Incident.OpenedAt),
            "newest" => rows.OrderByDescending(r => r.Incident.OpenedAt),
            // Resolved incidents have no deadline left: they go last.
            _ => rows.OrderBy(r => r.Status == TicketStatus.Resolved).ThenBy(r => r.SlaDue).ThenBy(r => r.Incident.Severity),
        };
    }

    private async Task Set(Func<QueueFilter, QueueFilter> change)
    {
        var merchantBefore = _filter.Merchant;
        _filter = change(_filter);
        if (_filter.Merchant != merchantBefore) await LoadMerchantFilterAsync();
    }

    private async Task Apply(QueueFilter filter)
    {
        _filter = filter;
        await LoadMerchantFilterAsync();
    }

    private async Task SaveViewAsync()
    {
        if (string.IsNullOrWhiteSpace(_viewName)) return;
        _views = [.. _views.Where(v => v.Name != _viewName.Trim()), new SavedView(_viewName.Trim(), _filter)];
        _viewName = null;
        await StoreViewsAsync();
    }

    private async Task DeleteViewAsync(SavedView view)
    {
        _views.Remove(view);
        await StoreViewsAsync();
    }

    private async Task StoreViewsAsync()
    {
        try { await JS.InvokeVoidAsync("localStorage.setItem", ViewsKey, JsonSerializer.Serialize(_views)); }
        catch (JSException) { /* storage blocked: the view lasts for this page only */ }
    }

    public void Dispose()
    {
        _feedSubscription?.Dispose();
        _ticketSubscription?.Dispose();
        _clock?.Dispose();
    }
}
