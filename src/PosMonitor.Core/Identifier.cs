using System.Text.RegularExpressions;

namespace PosMonitor.Core;

/// <summary>Identifiers on the wire: 1–64 characters from [A-Za-z0-9._:-] (src/PosMonitor.Web/Features/Telemetry/telemetry-api.md).</summary>
public static partial class Identifier
{
    public const int MaxLength = 64;

    public static bool IsValid(string? value) => value is not null && Pattern().IsMatch(value);

    // \z, not $: $ also matches before a final newline, and "T-1\n" is not an identifier.
    [GeneratedRegex(@"^[A-Za-z0-9._:-]{1,64}\z", RegexOptions.CultureInvariant)]
    private static partial Regex Pattern();
}
