using PosMonitor.Core.Incidents;
using FleetModel = PosMonitor.Core.Fleet.Fleet;

namespace PosMonitor.Web.Tests.Infrastructure;

/// <summary>
/// Incidents for tests, so that a test spells out only what it is about: <see cref="Of"/> fills what every incident
/// must have, and the rest comes with <c>with { … }</c>.
/// </summary>
public static class TestIncidents
{
    private static readonly FleetModel Fleet = FleetModel.FromDocument(TestFleet.Small());

    public static Incident Of(string id, ScopeType scope, string scopeId, Cause cause, Severity severity, DateTimeOffset openedAt,
        string runbookId, string title) => new()
    {
        Id = id, ScopeType = scope, ScopeId = scopeId, Cause = cause, Severity = severity, OpenedAt = openedAt, RunbookId = runbookId, Title = title,
    };

    /// <summary>
    /// Detection's gateway incident on <see cref="TestFleet.Small"/>: gw-unionpay at 38 %, the affected merchants
    /// derived from <paramref name="terminals"/> as detection derives them.
    /// </summary>
    public static Incident GatewayOutage(string id, DateTimeOffset openedAt, string[] terminals, DateTimeOffset? resolvedAt = null) =>
        Of(id, ScopeType.Gateway, "gw-unionpay", Cause.Gateway, Severity.Critical, openedAt, "rb-gateway-degradation",
            "Gateway gw-unionpay: 38% of sales time out at the gateway stage") with
        {
            ResolvedAt = resolvedAt,
            Evidence = ["gateway stage timeouts 38% vs normal 0.4%", "other gateways normal"],
            AffectedTerminalIds = terminals,
            AffectedMerchantIds = terminals.Select(t => Fleet.Terminals[t].MerchantId).Distinct().Order().ToList(),
            AffectedTerminals = terminals.Length,
            AffectedMerchants = terminals.Select(t => Fleet.Terminals[t].MerchantId).Distinct().Count(),
            PeakRate = 0.38,
            UpdatedAt = openedAt,
        };

    /// <summary>The gateway incident notifications are written from: inc-000042, 12 merchants, 87 terminals, 42 %, opened 2026-03-14 03:52 UTC.</summary>
    public static Incident NotifiedGateway() =>
        Of("inc-000042", ScopeType.Gateway, "gw-unionpay", Cause.Gateway, Severity.Critical, new DateTimeOffset(2026, 3, 14, 3, 52, 0, TimeSpan.Zero),
            "rb-gateway-degradation", "Gateway gw-unionpay timeouts") with
        {
            AffectedMerchants = 12, AffectedTerminals = 87, PeakRate = 0.42,
        };
}
