using System.Text.RegularExpressions;

namespace PosMonitor.Web.Features.Runbooks;

/// <summary>
/// Fills a runbook's merchant message: {merchant}, {cause}, {openedAt}, {status}, {workaround}
/// (and {incident}, {resolvedAt}, {provider}: the failing gateway by name, {terminals}: the merchant's own affected ones).
/// The workaround is filled with the same values, so it can name the provider too. Unknown placeholders stay as written, so a typo shows in the
/// preview instead of vanishing; values are plain text, never markup.
/// </summary>
public static partial class MerchantTemplate
{
    public static IReadOnlyList<string> Placeholders { get; } =
        ["merchant", "cause", "openedAt", "status", "workaround", "incident", "resolvedAt", "provider", "terminals"];

    public static string Fill(string template, IReadOnlyDictionary<string, string> values) =>
        Placeholder().Replace(template, m => values.TryGetValue(m.Groups[1].Value, out var v) ? v : m.Value);

    /// <summary>Placeholders a template uses that <see cref="Placeholders"/> does not know.</summary>
    public static IReadOnlyList<string> Unknown(string template) =>
        [.. Placeholder().Matches(template).Select(m => m.Groups[1].Value).Where(n => !Placeholders.Contains(n)).Distinct()];

    [GeneratedRegex(@"\{([A-Za-z]+)\}", RegexOptions.CultureInvariant)]
    private static partial Regex Placeholder();
}
