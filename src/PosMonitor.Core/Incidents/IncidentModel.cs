using PosMonitor.Core.Telemetry;

namespace PosMonitor.Core.Incidents;

/// <summary>The cause taxonomy of src/PosMonitor.Core/Detection/timeout-causes.md; wire names via <see cref="Causes"/>.</summary>
public enum Cause { Network, Server, Gateway, Software, Hardware, ThirdParty, Operator }

public enum ScopeType { Terminal, Merchant, Region, Gateway, Firmware, Platform }

public enum Severity { Critical, Major, Minor }

public static class Causes
{
    private static readonly string[] CauseNames = ["network", "server", "gateway", "software", "hardware", "third_party", "operator"];
    private static readonly string[] ScopeNames = ["terminal", "merchant", "region", "gateway", "firmware", "platform"];
    private static readonly string[] SeverityNames = ["critical", "major", "minor"];

    public static IReadOnlyList<Cause> All { get; } = Enum.GetValues<Cause>();

    public static string Name(Cause c) => CauseNames[(int)c];
    public static string Name(ScopeType s) => ScopeNames[(int)s];
    public static string Name(Severity s) => SeverityNames[(int)s];

    public static bool TryParse(string? s, out Cause c) => Wire.TryIndex(CauseNames, s, out c);
    public static bool TryParse(string? s, out ScopeType c) => Wire.TryIndex(ScopeNames, s, out c);
    public static bool TryParse(string? s, out Severity c) => Wire.TryIndex(SeverityNames, s, out c);

    /// <summary>The default runbook (emergency plan, 应急预案) of each cause.</summary>
    public static string DefaultRunbookId(Cause c) => c switch
    {
        Cause.Network => "rb-network-outage",
        Cause.Server => "rb-platform-slowdown",
        Cause.Gateway => "rb-gateway-degradation",
        Cause.Software => "rb-firmware-defect",
        Cause.Hardware => "rb-terminal-hardware",
        Cause.ThirdParty => "rb-notification-provider",
        _ => "rb-operator-guidance",
    };

    /// <summary>
    /// Severity by src/PosMonitor.Core/Detection/timeout-causes.md: non-payment stages (hardware: print and devices; third_party:
    /// notify) and single terminals are minor; one merchant or one firmware's many terminals are
    /// major; a whole gateway, region or the platform is critical.
    /// </summary>
    public static Severity SeverityOf(Cause cause, ScopeType scope) =>
        cause is Cause.Hardware or Cause.ThirdParty ? Severity.Minor : scope switch
        {
            ScopeType.Terminal => Severity.Minor,
            ScopeType.Merchant or ScopeType.Firmware => Severity.Major,
            _ => Severity.Critical,
        };
}

/// <summary>An incident as src/PosMonitor.Core/Replay/replay.md and <c>GET /api/v1/incidents</c> describe it.</summary>
public sealed record Incident
{
    public required string Id { get; init; }
    public required ScopeType ScopeType { get; init; }
    public required string ScopeId { get; init; }
    public required Cause Cause { get; init; }
    public required Severity Severity { get; init; }
    public required DateTimeOffset OpenedAt { get; init; }
    public DateTimeOffset? ResolvedAt { get; init; }
    public required string RunbookId { get; init; }
    public required string Title { get; init; }
    public IReadOnlyList<string> Evidence { get; init; } = [];
    public int AffectedMerchants { get; init; }
    public int AffectedTerminals { get; init; }
    /// <summary>The merchants and terminals counted in the two figures above (for drill-down and restarts).</summary>
    public IReadOnlyList<string> AffectedMerchantIds { get; init; } = [];
    public IReadOnlyList<string> AffectedTerminalIds { get; init; } = [];
    /// <summary>Highest timeout/failure rate seen while open (0..1).</summary>
    public double PeakRate { get; init; }
    public DateTimeOffset UpdatedAt { get; init; }

    /// <summary>
    /// The affected terminals by their merchant in <paramref name="fleet"/> (terminals it does not know under none), in one
    /// pass: what each merchant is told is its share, and a wide incident has tens of thousands of terminals in as many
    /// merchants, so scanning them again per merchant is quadratic.
    /// </summary>
    public ILookup<string, string> AffectedTerminalsByMerchant(Fleet.Fleet fleet) =>
        AffectedTerminalIds
            .Select(t => (Terminal: t, Merchant: fleet.Terminals.TryGetValue(t, out var terminal) ? terminal.MerchantId : null))
            .Where(x => x.Merchant is not null)
            .ToLookup(x => x.Merchant!, x => x.Terminal, StringComparer.Ordinal);
}
