using Microsoft.Extensions.Localization;
using PosMonitor.Core.Detection;

namespace PosMonitor.Web.Features.Incidents;

/// <summary>
/// An evidence line in the reader's language. Detection stores evidence in English (src/PosMonitor.Core/Replay/replay.md); each line of a known
/// shape (<see cref="EvidencePhrase"/>) is said again from resources, holes that are phrases themselves (a restart's
/// reason, a device's state) in turn. Any other line is shown as it is.
/// </summary>
public sealed class EvidenceText(IStringLocalizer<EvidenceStrings> l)
{
    public string For(string line)
    {
        if (EvidencePhrase.Read(line) is not { } read) return line;
        var said = l[read.Phrase.Key, [.. read.Holes.Select(h => (object)For(h))]];
        return said.ResourceNotFound ? line : said.Value;
    }
}
