using System.Globalization;
using System.Runtime.CompilerServices;
using Microsoft.Extensions.Localization;
using PosMonitor.Core.Incidents;
using PosMonitor.Web.Features.Fleet;
using PosMonitor.Web.Features.Runbooks;
using PosMonitor.Web.Features.Telemetry;
using PosMonitor.Web.Infrastructure.Time;

namespace PosMonitor.Web.Features.Incidents;

/// <summary>An incident as one merchant's owner reads it on the portal, in the reader's language.</summary>
/// <param name="Problem">What fails, the provider named ("Payments through WeChat Pay are slow or failing…").</param>
/// <param name="Terminals">The merchant's own affected terminals; empty when the incident names none (then it is all of them).</param>
/// <param name="Advice">The one thing to do meanwhile: the runbook's workaround, as the notices say it.</param>
public sealed record MerchantIncidentView(Incident Incident, MerchantPhase Phase, string PhaseText, string Problem, IReadOnlyList<string> Terminals, string Advice);

/// <summary>
/// Everything merchants are told about an incident, in one place (incident-state.md): the opening message (the
/// runbook's template) and an update per phase (NoticeStrings), each naming the provider and the merchant's own
/// terminals and giving one piece of advice, the runbook's workaround, which the portal's banner shows too.
/// </summary>
public sealed class MerchantMessages(FleetCache fleet, IStringLocalizer<NoticeStrings> l, IStringLocalizer<RunbookStrings> rb, TimeProvider time)
{
    /// <summary>A notice of <paramref name="kind"/> (<see cref="NoticeKinds"/>) for one merchant, in English and Chinese.</summary>
    public LocalizedText Notice(string kind, Incident incident, Runbook runbook, string merchantId, MerchantPhase phase) =>
        new(In("en", () => Text(kind, incident, runbook, merchantId, phase)), In("zh-CN", () => Text(kind, incident, runbook, merchantId, phase)));

    /// <summary>The banner of an incident on the merchant's portal, in the current UI culture.</summary>
    public MerchantIncidentView View(Incident incident, Ticket? ticket, Runbook? runbook, string merchantId)
    {
        var phase = incident.ResolvedAt is not null ? MerchantPhase.Resolved
            : IncidentLifecycle.PhaseOf(ticket?.Status ?? TicketStatus.Open, ticket?.ConfirmedCause is not null);
        var values = Values(incident, runbook, merchantId, phase, CultureInfo.CurrentUICulture);
        return new MerchantIncidentView(incident, phase, values["status"], values["problem"], TerminalsOf(incident, merchantId), values["workaround"]);
    }

    private string Text(string kind, Incident incident, Runbook runbook, string merchantId, MerchantPhase phase)
    {
        var culture = CultureInfo.CurrentUICulture;
        var template = kind == NoticeKinds.Opened ? runbook.Content.MerchantTemplate.For(culture) : l[$"Update_{kind}"].Value;
        return MerchantTemplate.Fill(template, Values(incident, runbook, merchantId, phase, culture));
    }

    private Dictionary<string, string> Values(Incident incident, Runbook? runbook, string merchantId, MerchantPhase phase, CultureInfo culture)
    {
        var merchant = fleet.Current.Merchants.TryGetValue(merchantId, out var m) ? m : null;
        var zone = merchant is not null && TimeZoneInfo.TryFindSystemTimeZoneById(merchant.TimeZone, out var z) ? z : TimeZoneInfo.Utc;
        var terminals = TerminalsOf(incident, merchantId);
        var provider = ProviderOf(incident, terminals);
        var cause = rb[$"Cause_{Causes.Name(incident.Cause)}"].Value;
        var values = new Dictionary<string, string>
        {
            ["merchant"] = merchant?.Name ?? merchantId,
            // "Payment gateway (WeChat Pay)": what the owner must tell customers is which provider fails.
            ["cause"] = incident.Cause == Cause.Gateway ? $"{cause} ({provider})" : cause,
            ["provider"] = provider,
            ["terminals"] = terminals.Count > 0 ? string.Join(", ", terminals) : l["AllTerminals"],
            ["openedAt"] = new DisplayTime(zone, time, culture).DateTime(incident.OpenedAt),
            ["resolvedAt"] = new DisplayTime(zone, time, culture).DateTime(incident.ResolvedAt ?? time.GetUtcNow()),
            ["status"] = l[$"Phase_{IncidentLifecycle.Name(phase)}"],
            ["incident"] = incident.Id,
        };
        values["workaround"] = MerchantTemplate.Fill(runbook?.Content.Workaround.For(culture) ?? "", values);
        values["problem"] = MerchantTemplate.Fill(l[$"Problem_{Causes.Name(incident.Cause)}"], values);
        return values;
    }

    /// <summary>The incident's affected terminals by merchant, made once per incident: the same instance is asked for each of its merchants.</summary>
    private readonly ConditionalWeakTable<Incident, ILookup<string, string>> _byMerchant = new();

    /// <summary>The merchant's terminals among the incident's affected ones.</summary>
    public IReadOnlyList<string> TerminalsOf(Incident incident, string merchantId) =>
        [.. _byMerchant.GetValue(incident, i => i.AffectedTerminalsByMerchant(fleet.Current))[merchantId].Order(StringComparer.Ordinal)];

    /// <summary>The gateway by name: the incident's own scope, else the gateways the merchant's affected terminals pay through.</summary>
    private string ProviderOf(Incident incident, IReadOnlyList<string> terminals)
    {
        var current = fleet.Current;
        IEnumerable<string> ids = incident.ScopeType == ScopeType.Gateway ? [incident.ScopeId]
            : terminals.Select(t => current.Terminals.TryGetValue(t, out var terminal) ? terminal.GatewayId : "").Where(g => g.Length > 0).Distinct();
        var names = ids.Select(g => current.Gateways.TryGetValue(g, out var gateway) ? gateway.Name : g).Order(StringComparer.Ordinal).ToList();
        return names.Count > 0 ? string.Join(" / ", names) : l["AProvider"];
    }

    private static string In(string language, Func<string> text)
    {
        var previous = CultureInfo.CurrentUICulture;
        CultureInfo.CurrentUICulture = CultureInfo.GetCultureInfo(language);
        try
        {
            return text();
        }
        finally
        {
            CultureInfo.CurrentUICulture = previous;
        }
    }
}
