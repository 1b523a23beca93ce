using Microsoft.AspNetCore.SignalR;
using PosMonitor.Core.Detection;
using PosMonitor.Core.Incidents;
using PosMonitor.Web.Features.Fleet;
using PosMonitor.Web.Features.Heatmap;
using PosMonitor.Web.Features.Incidents;
using PosMonitor.Web.Features.Telemetry;

namespace PosMonitor.Web.Infrastructure.Realtime;

/// <summary>
/// Forwards <see cref="IncidentFeed"/> to the hub: the whole incident to the platform group, and to
/// each affected merchant's group a copy that names only that merchant and its own terminals.
/// Incidents are rare (a few a minute at worst), so they are sent as they come, not coalesced.
/// </summary>
public sealed class LiveIncidentForwarder(IncidentFeed feed, IHubContext<LiveHub> hub, LiveGroups groups, HubBackplane backplane, FleetCache fleet, ILogger<LiveIncidentForwarder> logger) : IHostedService
{
    private IDisposable? _subscription;

    public Task StartAsync(CancellationToken ct)
    {
        _subscription = feed.Subscribe(Forward);
        return Task.CompletedTask;
    }

    public Task StopAsync(CancellationToken ct)
    {
        _subscription?.Dispose();
        return Task.CompletedTask;
    }

    private void Forward(IncidentChangeKind kind, Incident incident)
    {
        // Resolution is an update too: the client sees resolvedAt set.
        var method = kind == IncidentChangeKind.Opened ? LiveHub.IncidentOpened : LiveHub.IncidentUpdated;
        if (!backplane.IsReachable)
        {
            logger.LogWarning("Incident {Id} not sent to the live hub: its backplane (Redis) is unreachable", incident.Id);
            return;
        }
        _ = SendAsync(method, incident);
    }

    private async Task SendAsync(string method, Incident incident)
    {
        try
        {
            var current = fleet.Current;
            await hub.Clients.Group(groups.Incidents(HeatmapService.AllMerchants)).SendAsync(method, IncidentMessage.From(incident, null, 0));
            var terminalsOf = incident.AffectedTerminalsByMerchant(current);
            foreach (var merchant in IncidentMessage.MerchantsOf(incident))
                await hub.Clients.Group(groups.Incidents(merchant)).SendAsync(method, IncidentMessage.From(incident, merchant, terminalsOf[merchant].Count()));
        }
        catch (Exception e)
        {
            logger.LogWarning(e, "Forwarding incident {Id} to the live hub failed", incident.Id);
        }
    }
}

/// <summary>An incident on the wire (fields of src/PosMonitor.Core/Replay/replay.md).</summary>
public sealed record IncidentMessage(
    string Id, string ScopeType, string ScopeId, string Cause, string Severity, DateTime OpenedAt, DateTime? ResolvedAt,
    string RunbookId, string Title, IReadOnlyList<string> Evidence, AffectedCounts Affected)
{
    /// <summary>The merchants an incident concerns: its scope when that is a merchant, and those it affects.</summary>
    public static IEnumerable<string> MerchantsOf(Incident incident) =>
        incident.ScopeType == Core.Incidents.ScopeType.Merchant
            ? incident.AffectedMerchantIds.Append(incident.ScopeId).Distinct(StringComparer.Ordinal)
            : incident.AffectedMerchantIds.Distinct(StringComparer.Ordinal);

    /// <param name="forMerchant">When set, counts only that merchant (a merchant-bound viewer learns nothing of others).</param>
    /// <param name="merchantTerminals">With <paramref name="forMerchant"/>: how many of the affected terminals are that merchant's.</param>
    public static IncidentMessage From(Incident i, string? forMerchant, int merchantTerminals) => new(
        i.Id, Causes.Name(i.ScopeType), i.ScopeId, Causes.Name(i.Cause), Causes.Name(i.Severity),
        i.OpenedAt.UtcDateTime, i.ResolvedAt?.UtcDateTime, i.RunbookId, i.Title, i.Evidence,
        forMerchant is null ? new AffectedCounts(i.AffectedMerchants, i.AffectedTerminals) : new AffectedCounts(1, merchantTerminals));

}

public sealed record AffectedCounts(int Merchants, int Terminals);
