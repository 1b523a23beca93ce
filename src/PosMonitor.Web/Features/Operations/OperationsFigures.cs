using Microsoft.Extensions.Options;
using PosMonitor.Core.Incidents;
using PosMonitor.Web.Features.Heatmap;
using PosMonitor.Web.Features.Identity;
using PosMonitor.Web.Features.Telemetry;

namespace PosMonitor.Web.Features.Operations;

/// <param name="RateNow">Timeout rate over the last <see cref="OperationsFigures.RecentMinutes"/> minutes; null with too little traffic.</param>
/// <param name="RateNormal">Timeout rate over the rest of the last four hours; null with too little traffic.</param>
public sealed record Headline(int Online, int Offline, int NeverSeen, double SalesPerMinute, double? RateNow, double? RateNormal);

/// <summary>The dashboard's headline figures, computed from memory (terminal states, live heatmap) per viewer.</summary>
public sealed class OperationsFigures(
    FleetCache fleet, TerminalStateCache states, HeatmapService heatmap, IOptions<IngestionOptions> ingestion, TimeProvider time)
{
    public const int RecentMinutes = 5;

    public Headline Compute(Viewer viewer)
    {
        var now = time.GetUtcNow();
        var offlineAfter = TimeSpan.FromSeconds(ingestion.Value.OfflineAfterSeconds);
        int online = 0, offline = 0, never = 0;
        foreach (var t in fleet.Current.Terminals.Values)
        {
            if (!viewer.MaySee(t.MerchantId)) continue;
            var state = states.Get(t.Id);
            if (state?.LastSeenAt is null) never++;
            else if (state.IsOnline(now, offlineAfter)) online++;
            else offline++;
        }
        var totals = heatmap.Totals(viewer, RecentMinutes);
        var min = heatmap.Options.MinTransactions;
        return new Headline(online, offline, never, totals.SalesPerMinute, totals.RecentRate(min), totals.EarlierRate(min));
    }

    public static IReadOnlyDictionary<Severity, int> BySeverity(IEnumerable<Incident> open) =>
        Enum.GetValues<Severity>().ToDictionary(s => s, s => open.Count(i => i.Severity == s));
}
