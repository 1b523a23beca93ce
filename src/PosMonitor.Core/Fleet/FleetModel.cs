namespace PosMonitor.Core.Fleet;

public sealed record Region(string Id, string Name);

public sealed record Gateway(string Id, string Name);

/// <param name="OpeningHours">"HH:MM-HH:MM" in <paramref name="TimeZone"/>, or null when always open.</param>
public sealed record Merchant(string Id, string Name, string RegionId, string TimeZone, string? OpeningHours);

public sealed record Terminal(
    string Id, string MerchantId, string RegionId, string GatewayId,
    string Model, string Firmware, string? Store);

/// <summary>The whole fleet as detection and the simulator see it.</summary>
public sealed class Fleet
{
    public Fleet(IEnumerable<Region> regions, IEnumerable<Gateway> gateways,
        IEnumerable<Merchant> merchants, IEnumerable<Terminal> terminals)
    {
        Regions = regions.ToDictionary(r => r.Id, StringComparer.Ordinal);
        Gateways = gateways.ToDictionary(g => g.Id, StringComparer.Ordinal);
        Merchants = merchants.ToDictionary(m => m.Id, StringComparer.Ordinal);
        Terminals = terminals.ToDictionary(t => t.Id, StringComparer.Ordinal);
        _byMerchant = new(() => Terminals.Values.ToLookup(t => t.MerchantId, StringComparer.Ordinal));
    }

    private readonly Lazy<ILookup<string, Terminal>> _byMerchant;

    public IReadOnlyDictionary<string, Region> Regions { get; }
    public IReadOnlyDictionary<string, Gateway> Gateways { get; }
    public IReadOnlyDictionary<string, Merchant> Merchants { get; }
    public IReadOnlyDictionary<string, Terminal> Terminals { get; }

    /// <summary>A merchant's terminals (none for an unknown merchant); indexed at first use, the fleet being immutable.</summary>
    public IEnumerable<Terminal> TerminalsOf(string merchantId) => _byMerchant.Value[merchantId];

    public static Fleet FromDocument(FleetDocument document)
    {
        var merchants = document.Merchants ?? [];
        return new Fleet(
            (document.Regions ?? []).Select(r => new Region(r.Id!, r.Name ?? r.Id!)),
            (document.Gateways ?? []).Select(g => new Gateway(g.Id!, g.Name ?? g.Id!)),
            merchants.Select(m => m.ToMerchant()),
            merchants.SelectMany(m => (m.Terminals ?? []).Select(t => t.ToTerminal(m))));
    }
}
