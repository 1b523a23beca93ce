using Microsoft.Extensions.Localization;
using PosMonitor.Core.Detection;
using PosMonitor.Core.Incidents;
using PosMonitor.Core.Rollups;

namespace PosMonitor.Web.Features.Incidents;

/// <summary>
/// An incident's title in the reader's language. Detection writes titles in English (they are on the wire, src/PosMonitor.Core/Replay/replay.md);
/// their parts (<see cref="IncidentTitle"/>) are said again from resources, a device's state as evidence says it.
/// A title an agent wrote is shown as written.
/// </summary>
public sealed class IncidentTitleText(IStringLocalizer<IncidentTitleStrings> l, EvidenceText evidence)
{
    private const int SlowSeconds = TerminalMinute.SlowStageMs / 1000;

    public string For(Incident incident) => For(incident.Title);

    public string For(string title)
    {
        if (IncidentTitle.Parse(title) is not { } t) return title;
        var scope = t.ScopeName is { } name
            ? l["Scope_merchant_named", t.ScopeId, name]
            : l[$"Scope_{Causes.Name(t.ScopeType)}", t.ScopeId];
        var what = t.What switch
        {
            "silent" => Said(l["Silent"]),
            "silent-of" => Said(l["SilentOf", t.Silent, t.Expected]),
            _ when t.What.StartsWith("rate:", StringComparison.Ordinal) => Said(l[$"Rate_{t.What["rate:".Length..]}", t.Rate!, SlowSeconds]),
            // A device's state ("printer paper_out") is worded once, for evidence lines and titles alike.
            _ => t.What.Replace(':', ' ') is var state && EvidencePhrase.Read(state) is not null ? evidence.For(state) : null,
        };
        // A title from a newer build than these resources: its English is better than a resource key.
        return scope.ResourceNotFound || what is null ? title : l["Format", scope, what];
    }

    private static string? Said(LocalizedString s) => s.ResourceNotFound ? null : s.Value;
}
