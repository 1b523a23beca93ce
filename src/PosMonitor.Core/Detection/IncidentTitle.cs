using System.Text.RegularExpressions;
using PosMonitor.Core.Incidents;

namespace PosMonitor.Core.Detection;

/// <summary>
/// What a detection title says, in parts. <see cref="ToString"/> writes the title in English (the wire's language,
/// src/PosMonitor.Core/Replay/replay.md), <see cref="Parse"/> reads it back, and the portal says the same parts in its reader's language.
/// </summary>
/// <param name="ScopeName">The merchant's name when the title gives it.</param>
/// <param name="What">
/// <c>rate:&lt;signal&gt;</c> ("38% of sales time out at the gateway stage", <see cref="Rate"/> "38%"), <c>silent</c> (a
/// terminal stopped reporting), <c>silent-of</c> (<see cref="Silent"/> of <see cref="Expected"/> terminals did),
/// <c>printer:&lt;status&gt;</c> (wire name, e.g. <c>paper_out</c>) or <c>scanner:error</c>.
/// </param>
public sealed partial record IncidentTitle(ScopeType ScopeType, string ScopeId, string? ScopeName, string What, string? Rate = null, int Silent = 0, int Expected = 0)
{
    private static readonly Dictionary<string, string> SignalByTail =
        Signals.All.ToDictionary(Signals.TitleTail, s => s.ToString(), StringComparer.Ordinal);

    /// <summary>The signal names <c>rate:</c> titles use.</summary>
    public static IReadOnlyList<string> RateSignals { get; } = [.. Signals.All.Select(s => s.ToString())];

    /// <summary>The title in English, as detection stores and sends it.</summary>
    public override string ToString()
    {
        var scope = ScopeType switch
        {
            ScopeType.Platform => "Platform",
            _ when ScopeName is not null => $"{ScopeType} {ScopeId} ({ScopeName})",
            _ => $"{ScopeType} {ScopeId}",
        };
        var what = What switch
        {
            "silent" => "stopped reporting",
            "silent-of" => $"{Silent} of {Expected} terminals stopped reporting",
            _ when What.StartsWith("rate:", StringComparison.Ordinal) => $"{Rate} {Signals.TitleTail(Enum.Parse<Signal>(What["rate:".Length..]))}",
            _ => What.Replace(':', ' '),
        };
        return $"{scope}: {what}";
    }

    /// <summary>The parts of a title detection wrote; null for any other title (an incident an agent opened by hand).</summary>
    public static IncidentTitle? Parse(string title)
    {
        var m = Pattern().Match(title);
        if (!m.Success) return null;
        var (type, id) = m.Groups["platform"].Success
            ? (ScopeType.Platform, "platform")
            : (Enum.Parse<ScopeType>(m.Groups["type"].Value), m.Groups["id"].Value);
        var name = m.Groups["name"].Success ? m.Groups["name"].Value : null;
        if (name is not null && type != ScopeType.Merchant) return null;
        var rest = m.Groups["rest"].Value;
        if (rest == "stopped reporting") return new(type, id, name, "silent");
        if (SilentOf().Match(rest) is { Success: true } s)
            return new(type, id, name, "silent-of", Silent: int.Parse(s.Groups[1].ValueSpan), Expected: int.Parse(s.Groups[2].ValueSpan));
        if (rest.StartsWith("printer ", StringComparison.Ordinal)) return new(type, id, name, "printer:" + rest["printer ".Length..]);
        if (rest == "scanner error") return new(type, id, name, "scanner:error");
        if (RateTitle().Match(rest) is { Success: true } r && SignalByTail.TryGetValue(r.Groups["tail"].Value, out var signal))
            return new(type, id, name, "rate:" + signal, Rate: r.Groups["pct"].Value);
        return null;
    }

    // The scope as ToString writes it, then ": " and what was found. A merchant's name is free text: it runs to the last "): ".
    [GeneratedRegex(@"^(?:(?<type>Terminal|Merchant|Region|Gateway|Firmware) (?<id>[A-Za-z0-9._:-]+)(?: \((?<name>.+)\))?|(?<platform>Platform)): (?<rest>.+)\z",
        RegexOptions.CultureInvariant)]
    private static partial Regex Pattern();

    [GeneratedRegex(@"^(\d+) of (\d+) terminals stopped reporting\z", RegexOptions.CultureInvariant)]
    private static partial Regex SilentOf();

    [GeneratedRegex(@"^(?<pct>\d+(?:\.\d)?%) (?<tail>.+)\z", RegexOptions.CultureInvariant)]
    private static partial Regex RateTitle();
}
