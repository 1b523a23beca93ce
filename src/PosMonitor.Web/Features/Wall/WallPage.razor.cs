using System.Security.Claims;
using Microsoft.AspNetCore.Components.Authorization;
using System.Globalization;
using Microsoft.AspNetCore.Components;
using PosMonitor.Core.Incidents;
using PosMonitor.Web.Features.Detection;
using PosMonitor.Web.Features.Heatmap;
using PosMonitor.Web.Features.Identity;
using PosMonitor.Web.Features.Incidents;
using PosMonitor.Web.Features.Operations;
using PosMonitor.Web.Features.Telemetry;
using PosMonitor.Web.Infrastructure.Time;

namespace PosMonitor.Web.Features.Wall;

/// <summary>
/// The unattended wall display, opened with <c>/wall?token=KEY</c> where KEY has scope
/// <c>display</c>: the token becomes a long-lived display cookie (<see cref="DisplaySignIn"/>), so
/// the page reloaded after a server restart opens again by itself. Without it (or staff sign-in)
/// the page answers 401; revoking the key blanks it at once.
/// Panels rotate by CSS alone; data comes from the same coalesced ticks as the dashboard.
/// </summary>
public partial class WallPage : LiveBoardPage
{
    [CascadingParameter] private HttpContext? HttpContext { get; set; }
    [CascadingParameter] private Task<AuthenticationState>? AuthenticationState { get; set; }
    [Inject] private ApiKeyRepository Keys { get; set; } = default!;
    [Inject] private OperationsFigures Figures { get; set; } = default!;
    [Inject] private IngestionMetrics Ingestion { get; set; } = default!;
    [Inject] private TimeProvider Time { get; set; } = default!;
    [Inject] private DisplayTime Clock { get; set; } = default!;
    [Inject] private DetectionStatus Detection { get; set; } = default!;
    [Inject] private Microsoft.Extensions.Localization.IStringLocalizer<HeatmapStrings> HeatmapL { get; set; } = default!;

    private static readonly Viewer Display = new(true, null, true);
    private readonly Viewer _viewer = Display;
    private bool _authorised;
    private string? _keyId;
    private Headline? _headline;
    private IngestionSnapshot? _ingestion;
    private IReadOnlyList<Incident> _incidents => Open.List;
    private string _updated = "";
    private HeatmapBy _heatmapBy = HeatmapBy.Region;
    private Incident? _heatmapBecause;
    private IReadOnlyList<HeatmapMark> _marks = [];
    private IDisposable? _revocations;

    protected override async Task OnInitializedAsync()
    {
        var user = AuthenticationState is null ? null : (await AuthenticationState).User;
        _keyId = user?.FindFirstValue(PosClaims.KeyId);
        _authorised = user is not null && (Viewer.From(user).IsDisplay
            ? _keyId is not null && await Keys.IsActiveAsync(_keyId, Scopes.Display, CancellationToken.None)
            : PortalPolicies.IsStaff(user));
        if (!_authorised)
        {
            // Only the prerendered request has an HttpContext whose status can still change.
            if (HttpContext is { Response.HasStarted: false } http) http.Response.StatusCode = StatusCodes.Status401Unauthorized;
            return;
        }
        _revocations = Keys.SubscribeRevoked(OnRevoked);
        // Open incidents and support's tickets for them (acknowledged, owner): the room sees who is on it.
        await FollowAsync(_viewer);
    }

    private bool IsAcknowledged(Incident i) => Open.TicketOf(i) is { Status: not TicketStatus.Open };

    private string TicketText(Incident i) => Open.TicketOf(i) switch
    {
        { Status: TicketStatus.Open } or null => L["NotAcknowledged"],
        { AcknowledgedBy: { } by } => L["AcknowledgedBy", by],
        var t => L["Status_" + t.Status],
    };

    protected override void Recompute()
    {
        _headline = Figures.Compute(_viewer, _incidents);
        _ingestion = Ingestion.Snapshot();
        _updated = Local(Time.GetUtcNow(), "HH:mm:ss");
        (_heatmapBy, _heatmapBecause) = WallDimension.For(_incidents, Time.GetUtcNow());
        _marks = [.. _incidents.Select(i => HeatmapMark.From(i, Titles.For(i)))];
    }

    private void OnRevoked(string keyId)
    {
        if (keyId != _keyId) return;
        _ = InvokeAsync(() =>
        {
            _authorised = false;
            StopFollowing();
            StateHasChanged();
        });
    }

    private static bool IsAlarming(Headline h) => h.RateNow is { } now && now > 0.01 && now > 2 * (h.RateNormal ?? 0);

    /// <summary>Incidents the strip under the figures names (the worst, newest first); the rest are counted.</summary>
    private const int StripSize = 3;

    private string Local(DateTimeOffset t, string format) => Clock.Format(t, format);

    private string Rate(double? rate) => rate is { } r ? HeatmapScale.Percent(r, CultureInfo.CurrentCulture) : L["Unknown"];

    public override void Dispose()
    {
        _revocations?.Dispose();
        base.Dispose();
    }
}
