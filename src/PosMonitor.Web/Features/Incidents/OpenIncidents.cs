using System.Collections.Concurrent;
using PosMonitor.Core.Detection;
using PosMonitor.Core.Incidents;
using PosMonitor.Web.Features.Fleet;
using PosMonitor.Web.Features.Telemetry;

namespace PosMonitor.Web.Features.Incidents;

/// <summary>
/// The incidents open right now, loaded from the store at start and then kept from
/// <see cref="IncidentFeed"/>, to answer "which open incident covers this terminal?" without a query.
/// </summary>
public sealed class OpenIncidents
{
    private readonly ConcurrentDictionary<string, Incident> _open = new(StringComparer.Ordinal);
    private readonly FleetCache _fleet;

    public OpenIncidents(IncidentFeed feed, FleetCache fleet)
    {
        _fleet = fleet;
        feed.Subscribe(OnChange);
    }

    public IReadOnlyCollection<Incident> All => (IReadOnlyCollection<Incident>)_open.Values;

    public void OnChange(IncidentChangeKind kind, Incident incident)
    {
        if (kind == IncidentChangeKind.Resolved || incident.ResolvedAt is not null) _open.TryRemove(incident.Id, out _);
        else _open[incident.Id] = incident;
    }

    /// <summary>The most severe, then newest, open incident whose scope or affected list includes the terminal.</summary>
    public Incident? Covering(string terminalId)
    {
        if (!_fleet.Current.Terminals.TryGetValue(terminalId, out var t)) return null;
        return _open.Values
            .Where(i => i.AffectedTerminalIds.Contains(terminalId) || i.ScopeType switch
            {
                ScopeType.Terminal => i.ScopeId == terminalId,
                ScopeType.Merchant => i.ScopeId == t.MerchantId,
                ScopeType.Region => i.ScopeId == t.RegionId,
                ScopeType.Gateway => i.ScopeId == t.GatewayId,
                ScopeType.Firmware => i.ScopeId == t.Firmware,
                _ => true,
            })
            .OrderBy(i => i.Severity).ThenByDescending(i => i.OpenedAt)
            .FirstOrDefault();
    }
}
