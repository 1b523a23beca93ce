using Microsoft.Extensions.Options;
using PosMonitor.Core.Incidents;
using PosMonitor.Web.Features.Fleet;
using PosMonitor.Web.Features.Heatmap;
using PosMonitor.Web.Features.Identity;
using PosMonitor.Web.Features.Incidents;
using PosMonitor.Web.Features.Telemetry;

namespace PosMonitor.Web.Features.Operations;

/// <param name="RateNow">Timeout rate over the last <see cref="OperationsFigures.RecentMinutes"/> minutes; null with too little traffic.</param>
/// <param name="RateNormal">Timeout rate over the rest of the last four hours, leaving out incidents' terminals while they were open; null with too little traffic.</param>
public sealed record Headline(int Online, int Offline, int NeverSeen, double SalesPerMinute, double? RateNow, double? RateNormal);

/// <summary>
/// The dashboard's headline figures, computed from memory (terminal states, live heatmap) per viewer.
/// "Normal" leaves out the sales of incidents' terminals from a little before each incident opened
/// until it was resolved: otherwise an outage raises the normal it is compared with (0.9% climbed
/// to 3.6% during one), and after it the page read "timeouts now 0.0%, normal 3.6%". Incidents
/// resolved since start are remembered from the feed; open ones come from the caller (they may
/// predate a restart).
/// </summary>
public sealed class OperationsFigures : IDisposable
{
    public const int RecentMinutes = 5;

    /// <summary>Detection opens an incident only after minutes of evidence; those minutes belong to the incident too.</summary>
    public static readonly TimeSpan EvidenceLead = TimeSpan.FromMinutes(RecentMinutes);

    private readonly FleetCache _fleet;
    private readonly TerminalStateCache _states;
    private readonly HeatmapService _heatmap;
    private readonly IOptions<IngestionOptions> _ingestion;
    private readonly TimeProvider _time;
    private readonly Dictionary<string, Incident> _seen = new(StringComparer.Ordinal);
    private readonly IDisposable _subscription;

    public OperationsFigures(FleetCache fleet, TerminalStateCache states, HeatmapService heatmap, IOptions<IngestionOptions> ingestion,
        TimeProvider time, IncidentFeed incidents)
    {
        _fleet = fleet;
        _states = states;
        _heatmap = heatmap;
        _ingestion = ingestion;
        _time = time;
        _subscription = incidents.Subscribe((_, incident) =>
        {
            lock (_seen) _seen[incident.Id] = incident;
        });
    }

    public Headline Compute(Viewer viewer, IEnumerable<Incident>? open = null)
    {
        var now = _time.GetUtcNow();
        var offlineAfter = TimeSpan.FromSeconds(_ingestion.Value.OfflineAfterSeconds);
        int online = 0, offline = 0, never = 0;
        foreach (var t in _fleet.Current.Terminals.Values)
        {
            if (!viewer.MaySee(t.MerchantId)) continue;
            var state = _states.Get(t.Id);
            if (state?.LastSeenAt is null) never++;
            else if (state.IsOnline(now, offlineAfter)) online++;
            else offline++;
        }
        var totals = _heatmap.Totals(viewer, RecentMinutes, Exclusions(open ?? [], now));
        var min = _heatmap.Options.MinTransactions;
        return new Headline(online, offline, never, totals.SalesPerMinute, totals.RecentRate(min), totals.EarlierRate(min));
    }

    /// <summary>Incidents of the heatmap's window as sales to leave out of "normal": their terminals, or every terminal when they name none.</summary>
    private List<TrafficExclusion> Exclusions(IEnumerable<Incident> open, DateTimeOffset now)
    {
        var since = now.AddMinutes(-HeatmapService.WindowMinutes);
        var incidents = new Dictionary<string, Incident>(StringComparer.Ordinal);
        foreach (var i in open) incidents[i.Id] = i;
        lock (_seen)
        {
            foreach (var stale in _seen.Values.Where(i => i.ResolvedAt < since).Select(i => i.Id).ToList()) _seen.Remove(stale);
            // The feed's copy is the newer one (it may say resolved where the caller's list is older).
            foreach (var i in _seen.Values) incidents[i.Id] = i;
        }
        return [.. incidents.Values.Select(i => new TrafficExclusion(i.OpenedAt - EvidenceLead, i.ResolvedAt ?? now,
            i.AffectedTerminalIds.Count > 0 ? i.AffectedTerminalIds
            : i.ScopeType == ScopeType.Terminal ? [i.ScopeId]
            : null))];
    }

    public static IReadOnlyDictionary<Severity, int> BySeverity(IEnumerable<Incident> open) =>
        Enum.GetValues<Severity>().ToDictionary(s => s, s => open.Count(i => i.Severity == s));

    public void Dispose() => _subscription.Dispose();
}
