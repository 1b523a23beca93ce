namespace PosMonitor.Core.Fleet;

/// <summary>The body of <c>PUT /api/v1/fleet</c> and the replay's <c>--fleet</c> file (src/PosMonitor.Web/Features/Telemetry/telemetry-api.md).</summary>
public sealed record FleetDocument
{
    public List<RegionDto>? Regions { get; init; }
    public List<GatewayDto>? Gateways { get; init; }
    public List<MerchantDto>? Merchants { get; init; }
}

public sealed record RegionDto
{
    public string? Id { get; init; }
    public string? Name { get; init; }
}

public sealed record GatewayDto
{
    public string? Id { get; init; }
    public string? Name { get; init; }
}

public sealed record MerchantDto
{
    public string? Id { get; init; }
    public string? Name { get; init; }
    public string? Region { get; init; }
    public string? TimeZone { get; init; }
    public string? OpeningHours { get; init; }
    public List<TerminalDto>? Terminals { get; init; }

    public Merchant ToMerchant() =>
        new(Id!, Name ?? Id!, Region!, string.IsNullOrEmpty(TimeZone) ? "UTC" : TimeZone,
            string.IsNullOrEmpty(OpeningHours) ? null : OpeningHours);
}

public sealed record TerminalDto
{
    public string? Id { get; init; }
    public string? Region { get; init; }
    public string? Gateway { get; init; }
    public string? Model { get; init; }
    public string? Firmware { get; init; }
    public string? Store { get; init; }

    public Terminal ToTerminal(MerchantDto merchant) =>
        new(Id!, merchant.Id!, string.IsNullOrEmpty(Region) ? merchant.Region! : Region,
            Gateway!, Model ?? "", Firmware ?? "", string.IsNullOrEmpty(Store) ? null : Store);
}
