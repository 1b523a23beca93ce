using System.Globalization;
using Microsoft.AspNetCore.Components;
using Microsoft.Extensions.Localization;
using MudBlazor;
using PosMonitor.Core.Incidents;
using PosMonitor.Web.Features.Detection;
using PosMonitor.Web.Features.Heatmap;
using PosMonitor.Web.Features.Identity;
using PosMonitor.Web.Features.Incidents;
using PosMonitor.Web.Infrastructure.Time;
using Severity = PosMonitor.Core.Incidents.Severity;

namespace PosMonitor.Web.Features.Operations;

/// <summary>
/// The operations dashboard: headline figures, the live heatmap, open incidents and the most
/// affected merchants. Re-reads memory on each coalesced heatmap tick and on incident changes.
/// </summary>
public partial class OperationsPage : LiveBoardPage
{
    [Inject] private PortalViewer Viewers { get; set; } = default!;
    [Inject] private OperationsFigures Figures { get; set; } = default!;
    [Inject] private TimeProvider Time { get; set; } = default!;
    [Inject] private DisplayTime Clock { get; set; } = default!;
    [Inject] private DetectionStatus Detection { get; set; } = default!;
    [Inject] private IStringLocalizer<HeatmapStrings> HeatmapL { get; set; } = default!;

    private Viewer _viewer = Viewer.Nobody;
    private Headline? _headline;
    private IReadOnlyList<Incident> _incidents => Open.List;
    private IReadOnlyList<MerchantImpact> _top = [];
    private string _updated = "";

    protected override async Task OnInitializedAsync()
    {
        _viewer = await Viewers.GetAsync();
        if (_viewer == Viewer.Nobody) return;
        await FollowAsync(_viewer);
    }

    protected override void Recompute()
    {
        _headline = Figures.Compute(_viewer, _incidents);
        _top = Heatmap.TopMerchants(_viewer, 15, 8);
        _updated = Local(Time.GetUtcNow(), "HH:mm:ss");
    }

    private string Local(DateTimeOffset t, string format) => Clock.Format(t, format);

    /// <summary>A moment in the reader's culture: the time alone when it is today, else the day and time.</summary>
    private string Local(DateTimeOffset t) => Clock.Moment(t, Time.GetUtcNow());

    private string Rate(double? rate) => rate is { } r ? HeatmapScale.Percent(r, CultureInfo.CurrentCulture) : L["RateUnknown"];

    private IReadOnlyList<HeatmapMark> Marks => [.. _incidents.Select(i => HeatmapMark.From(i, Titles.For(i)))];

    private string TicketText(Ticket? t) => t switch
    {
        { Status: TicketStatus.Open } or null => L["NotAcknowledged"],
        { AcknowledgedBy: { } by, AcknowledgedAt: { } at } => L["AcknowledgedBy", by, Local(at, "HH:mm")],
        _ => L["Status_" + t.Status],
    };

    private string SeverityNote() =>
        string.Join(" · ", OperationsFigures.BySeverity(_incidents).Select(s => $"{L["Severity_" + s.Key]} {s.Value}"));

    private static Color SeverityColor(Severity s) => s switch
    {
        Severity.Critical => Color.Error,
        Severity.Major => Color.Warning,
        _ => Color.Info,
    };
}
