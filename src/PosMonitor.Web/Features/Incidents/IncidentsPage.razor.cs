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

    private const int PageSize = 50;
    private List<QueueRow>? _rows;
    private int _total;
    private int _page = 1;
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

    /// <summary>The current page of the queue, filtered, sorted and paged by the database (also when prerendering).</summary>
    private async Task LoadAsync()
    {
        var sla = Sla.CurrentValue;
        var page = await Incidents.QueueAsync(_viewer, _filter, sla, Now - ResolvedShownFor, (_page - 1) * PageSize, PageSize, default);
        if (page.Items.Count == 0 && page.Total > 0 && _page > 1)
        {
            // The page emptied under us (incidents resolved past the window): show the last one there is.
            _page = (page.Total + PageSize - 1) / PageSize;
            page = await Incidents.QueueAsync(_viewer, _filter, sla, Now - ResolvedShownFor, (_page - 1) * PageSize, PageSize, default);
        }
        var tickets = await Tickets.ForIncidentsAsync([.. page.Items.Select(i => i.Id)], default);
        _total = page.Total;
        _rows = [.. page.Items.Select(i =>
        {
            var t = tickets.GetValueOrDefault(i.Id);
            var due = t?.Status is null or TicketStatus.Open ? sla.AcknowledgeBy(i.Severity, i.OpenedAt) : sla.ResolveBy(i.Severity, i.OpenedAt);
            return new QueueRow(i, t, due);
        })];
        StateHasChanged();
    }

    private int PageCount => Math.Max(1, (_total + PageSize - 1) / PageSize);

    private async Task GoToPage(int page)
    {
        _page = page;
        await LoadAsync();
    }

    private async Task Set(Func<QueueFilter, QueueFilter> change)
    {
        _filter = change(_filter);
        _page = 1;
        await LoadAsync();
    }

    private async Task Apply(QueueFilter filter)
    {
        _filter = filter;
        _page = 1;
        await LoadAsync();
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
