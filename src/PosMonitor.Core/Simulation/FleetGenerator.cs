using PosMonitor.Core.Fleet;
using PosMonitor.Core.Telemetry;
using FleetModel = PosMonitor.Core.Fleet.Fleet;

namespace PosMonitor.Core.Simulation;

/// <summary>What a terminal does when its shop is closed (real terminals are often switched off at night).</summary>
public enum ClosedBehaviour
{
    /// <summary>Switched off a little after closing and on a little before opening: no heartbeats, and a restart each morning.</summary>
    SwitchedOff,
    /// <summary>Left on: heartbeats as usual, no sales.</summary>
    StaysOn,
    /// <summary>Power-saving: a heartbeat every 5–10 minutes.</summary>
    Sleeps,
}

/// <summary>A generated merchant with what the simulator needs beyond the fleet document.</summary>
public sealed record MerchantProfile(Merchant Merchant, int Index, BusinessKind Kind, TimeZoneInfo Zone, OpeningHours? Hours)
{
    public bool IsOpen(DateTimeOffset utc) =>
        Hours is not { } hours || hours.Contains(TimeOnly.FromDateTime(TimeZoneInfo.ConvertTime(utc, Zone).DateTime));
}

/// <summary>A generated terminal with its device traits.</summary>
public sealed record TerminalProfile(
    Terminal Terminal, int Index, MerchantProfile Merchant, NetworkType Network,
    bool HasPrinter, bool HasScanner, bool HasBattery, int HeartbeatIntervalSec, ClosedBehaviour WhenClosed)
{
    public string Id => Terminal.Id;
}

/// <summary>A generated fleet: the document to upload, the domain view, and each merchant's and terminal's traits.</summary>
public sealed class SimulatedFleet
{
    public required int Seed { get; init; }
    public required FleetDocument Document { get; init; }
    public required FleetModel Fleet { get; init; }
    public required IReadOnlyList<MerchantProfile> Merchants { get; init; }
    /// <summary>In id order; <see cref="TerminalProfile.Index"/> is the position here.</summary>
    public required IReadOnlyList<TerminalProfile> Terminals { get; init; }
    /// <summary>Firmware versions on the fleet, oldest first.</summary>
    public required IReadOnlyList<string> FirmwareVersions { get; init; }
    /// <summary>The version most terminals run.</summary>
    public required string CurrentFirmware { get; init; }
    /// <summary>The version being rolled out: already on part of the fleet.</summary>
    public required string RollingOutFirmware { get; init; }
    /// <summary>A version not on the fleet yet, the natural target of a new rollout.</summary>
    public required string NextFirmware { get; init; }

    private Dictionary<string, TerminalProfile>? _byId;

    /// <summary>The same fleet with some merchants' opening hours changed (merchant id → "HH:MM-HH:MM").</summary>
    public SimulatedFleet WithOpeningHours(IReadOnlyDictionary<string, string> hours)
    {
        if (hours.Count == 0) return this;
        var merchants = Merchants
            .Select(m => hours.TryGetValue(m.Merchant.Id, out var h) && OpeningHours.TryParse(h, out var parsed)
                ? m with { Merchant = m.Merchant with { OpeningHours = h }, Hours = parsed }
                : m)
            .ToArray();
        var document = Document with
        {
            Merchants = Document.Merchants?.Select(m => hours.TryGetValue(m.Id!, out var h) ? m with { OpeningHours = h } : m).ToList(),
        };
        return new SimulatedFleet
        {
            Seed = Seed,
            Document = document,
            Fleet = FleetModel.FromDocument(document),
            Merchants = merchants,
            Terminals = Terminals.Select(t => t with { Merchant = merchants[t.Merchant.Index] }).ToArray(),
            FirmwareVersions = FirmwareVersions,
            CurrentFirmware = CurrentFirmware,
            RollingOutFirmware = RollingOutFirmware,
            NextFirmware = NextFirmware,
        };
    }

    public TerminalProfile? FindTerminal(string id) =>
        (_byId ??= Terminals.ToDictionary(t => t.Id, StringComparer.Ordinal)).GetValueOrDefault(id);
}

/// <summary>
/// Generates a realistic, seeded fleet: five regions of Chinese cities, 3–5 payment gateways, merchants
/// with 1–20 terminals (most with one or two, a few chains spread over several stores and sometimes
/// regions), mostly Asia/Shanghai, opening hours by kind of shop including 24-hour shops and hours that
/// pass midnight, and four firmware versions of which one is being rolled out. Same seed, same fleet.
/// </summary>
public static class FleetGenerator
{
    private sealed record City(string Name, string Region, string TimeZone, double Weight);

    private static readonly (string Id, string Name, double Weight)[] RegionTable =
    [
        ("east", "East China", 0.32), ("north", "North China", 0.2), ("south", "South China", 0.22),
        ("central", "Central China", 0.14), ("west", "West China", 0.12),
    ];

    private static readonly City[] Cities =
    [
        new("Shanghai", "east", "Asia/Shanghai", 5), new("Hangzhou", "east", "Asia/Shanghai", 3), new("Nanjing", "east", "Asia/Shanghai", 3),
        new("Suzhou", "east", "Asia/Shanghai", 2), new("Ningbo", "east", "Asia/Shanghai", 1.5), new("Hefei", "east", "Asia/Shanghai", 1.5),
        new("Beijing", "north", "Asia/Shanghai", 5), new("Tianjin", "north", "Asia/Shanghai", 2.5), new("Shijiazhuang", "north", "Asia/Shanghai", 1.2),
        new("Taiyuan", "north", "Asia/Shanghai", 1), new("Jinan", "north", "Asia/Shanghai", 1.3),
        new("Guangzhou", "south", "Asia/Shanghai", 4), new("Shenzhen", "south", "Asia/Shanghai", 4), new("Xiamen", "south", "Asia/Shanghai", 1.5),
        new("Fuzhou", "south", "Asia/Shanghai", 1.2), new("Nanning", "south", "Asia/Shanghai", 1), new("Hong Kong", "south", "Asia/Hong_Kong", 0.4),
        new("Wuhan", "central", "Asia/Shanghai", 3), new("Changsha", "central", "Asia/Shanghai", 2), new("Zhengzhou", "central", "Asia/Shanghai", 2),
        new("Nanchang", "central", "Asia/Shanghai", 1),
        new("Chengdu", "west", "Asia/Shanghai", 3.5), new("Chongqing", "west", "Asia/Shanghai", 3), new("Xi'an", "west", "Asia/Shanghai", 2),
        new("Kunming", "west", "Asia/Shanghai", 1.2), new("Urumqi", "west", "Asia/Urumqi", 0.6),
    ];

    private static readonly string[] Streets =
    [
        "Nanjing Rd", "Huaihai Rd", "Jiefang Rd", "Renmin Rd", "Zhongshan Rd", "Jianguo Rd", "Xinhua St", "Heping Ave",
        "Wenhua Rd", "Chunxi Rd", "Beijing Rd", "Hubin Rd", "Guanqian St", "Dongfeng Rd", "Yingbin Ave", "Xueyuan Rd",
        "Station Sq", "Wanda Plaza", "Century Ave", "Binjiang Rd", "Shuguang Rd", "Jinqiao Rd",
    ];

    private static readonly string[] Prefixes =
    [
        "Lotus", "Golden Dragon", "Jade", "Peony", "Bamboo", "Red Lantern", "Panda", "Silk Road", "Plum Blossom", "Old Town",
        "Lucky Star", "Harmony", "Phoenix", "Sunrise", "Orchid", "Pearl River", "Blue Sky", "Happy Family", "Spring Breeze",
        "Great Wall", "Osmanthus", "Crane", "Lily", "West Lake", "Moonlight", "Ginkgo", "Cloud Nine", "Four Seasons",
    ];

    private static readonly (string Id, string Name, double Weight)[] GatewayTable =
    [
        ("gw-unionpay", "UnionPay gateway", 0.4), ("gw-alipay", "Alipay gateway", 0.22), ("gw-wechat", "WeChat Pay gateway", 0.2),
        ("gw-lakala", "Lakala gateway", 0.12), ("gw-yeepay", "YeePay gateway", 0.06),
    ];

    private static readonly (string Version, double Weight)[] FirmwareTable =
        [("3.1.4", 0.08), ("3.2.0", 0.17), ("3.2.1", 0.6), ("3.2.2", 0.15)];

    private const string Current = "3.2.1";
    private const string RollingOut = "3.2.2";
    private const string Next = "3.3.0";

    private sealed record Model(string Name, bool Portable, bool HasPrinter, double ScannerShare, double Weight);

    private static readonly Model[] Models =
    [
        new("A920", true, true, 0.0, 3), new("A920Pro", true, true, 1.0, 2), new("N910", true, true, 1.0, 1.5),
        new("P2", true, true, 1.0, 1.5), new("D200", true, false, 0.0, 0.6), new("T2", false, true, 0.5, 1.5),
        new("VX520", false, true, 0.0, 1),
    ];

    public static SimulatedFleet Generate(int terminals, int seed)
    {
        if (terminals < 1) throw new ArgumentOutOfRangeException(nameof(terminals), terminals, "a fleet needs at least one terminal");
        var rng = SimRandom.For(seed, "fleet");

        var gatewayCount = 3 + rng.Next(3);
        var gateways = GatewayTable.Take(gatewayCount).ToArray();
        var gatewayWeights = gateways.Select(g => g.Weight).ToArray();
        var cityWeights = Cities.Select(c => c.Weight).ToArray();
        var kindWeights = BusinessKind.All.Select(k => k.Weight).ToArray();
        var firmwareWeights = FirmwareTable.Select(f => f.Weight).ToArray();
        var modelWeights = Models.Select(m => m.Weight).ToArray();

        var merchantDtos = new List<MerchantDto>();
        var merchants = new List<MerchantProfile>();
        var terminalProfiles = new List<TerminalProfile>();
        var merchantDigits = Math.Max(4, terminals.ToString().Length);
        var terminalDigits = Math.Max(6, terminals.ToString().Length);

        var remaining = terminals;
        while (remaining > 0)
        {
            var size = Math.Min(remaining, TerminalsPerMerchant(ref rng));
            remaining -= size;

            var index = merchants.Count;
            var kind = BusinessKind.All[rng.Weighted(kindWeights)];
            var city = Cities[rng.Weighted(cityWeights)];
            var hours = BusinessKind.Normalize(kind.Hours[rng.Next(kind.Hours.Count)]);
            var merchantId = "m-" + (index + 1).ToString().PadLeft(merchantDigits, '0');
            var name = $"{Prefixes[rng.Next(Prefixes.Length)]} {kind.Words[rng.Next(kind.Words.Count)]}";
            var merchant = new Merchant(merchantId, name, city.Region, city.TimeZone, hours);
            OpeningHours.TryParse(hours, out var parsedHours);
            var profile = new MerchantProfile(merchant, index, kind, TimeZones.FindOrUtc(city.TimeZone), hours is null ? null : parsedHours);
            merchants.Add(profile);

            // Most merchants contract one acquirer for every till; a few mix.
            var merchantGateway = gateways[rng.Weighted(gatewayWeights)].Id;
            var mixedGateways = rng.Chance(0.12);
            var merchantModel = Models[rng.Weighted(modelWeights)];
            var stores = StoresFor(ref rng, size, city, cityWeights);

            var terminalDtos = new List<TerminalDto>(size);
            for (var j = 0; j < size; j++)
            {
                var terminalIndex = terminalProfiles.Count;
                var id = "T-" + (terminalIndex + 1).ToString().PadLeft(terminalDigits, '0');
                var (storeName, storeCity) = stores[j];
                var model = rng.Chance(0.7) ? merchantModel : Models[rng.Weighted(modelWeights)];
                var gateway = mixedGateways ? gateways[rng.Weighted(gatewayWeights)].Id : merchantGateway;
                var firmware = FirmwareTable[rng.Weighted(firmwareWeights)].Version;
                var terminal = new Terminal(id, merchantId, storeCity.Region, gateway, model.Name, firmware, storeName);

                var network = model.Portable
                    ? rng.Chance(0.55) ? NetworkType.Wifi : NetworkType.Cellular
                    : rng.Chance(0.6) ? NetworkType.Ethernet : NetworkType.Wifi;
                // Handhelds go home in a drawer; countertop tills are more often left on.
                var whenClosed = hours is null ? ClosedBehaviour.StaysOn
                    : (ClosedBehaviour)rng.Weighted(model.Portable ? [0.65, 0.15, 0.2] : [0.4, 0.45, 0.15]);
                terminalProfiles.Add(new TerminalProfile(
                    terminal, terminalIndex, profile, network, model.HasPrinter, rng.Chance(model.ScannerShare),
                    model.Portable, rng.Between(30, 60), whenClosed));
                terminalDtos.Add(new TerminalDto
                {
                    Id = id,
                    // The wire default is the merchant's region; name it only where a chain's store is elsewhere.
                    Region = storeCity.Region == city.Region ? null : storeCity.Region,
                    Gateway = gateway,
                    Model = model.Name,
                    Firmware = firmware,
                    Store = storeName,
                });
            }
            merchantDtos.Add(new MerchantDto
            {
                Id = merchantId, Name = name, Region = city.Region, TimeZone = city.TimeZone, OpeningHours = hours, Terminals = terminalDtos,
            });
        }

        var document = new FleetDocument
        {
            Regions = RegionTable.Select(r => new RegionDto { Id = r.Id, Name = r.Name }).ToList(),
            Gateways = gateways.Select(g => new GatewayDto { Id = g.Id, Name = g.Name }).ToList(),
            Merchants = merchantDtos,
        };
        return new SimulatedFleet
        {
            Seed = seed,
            Document = document,
            Fleet = FleetModel.FromDocument(document),
            Merchants = merchants,
            Terminals = terminalProfiles,
            FirmwareVersions = FirmwareTable.Select(f => f.Version).ToArray(),
            CurrentFirmware = Current,
            RollingOutFirmware = RollingOut,
            NextFirmware = Next,
        };
    }

    // Most merchants have one or two tills; one in twenty is a chain of 10–20.
    private static int TerminalsPerMerchant(ref SimRandom rng) => rng.Weighted([0.5, 0.2, 0.08, 0.06, 0.08, 0.08]) switch
    {
        0 => 1,
        1 => 2,
        2 => 3,
        3 => 4,
        4 => rng.Between(5, 9),
        _ => rng.Between(10, 20),
    };

    // A small merchant is one store; a chain has a store per two or three tills, sometimes in another region.
    private static (string Store, City City)[] StoresFor(ref SimRandom rng, int size, City home, double[] cityWeights)
    {
        var result = new (string, City)[size];
        if (size < 5)
        {
            var store = $"{home.Name} {Streets[rng.Next(Streets.Length)]}";
            Array.Fill(result, (store, home));
            return result;
        }
        var j = 0;
        var first = true;
        while (j < size)
        {
            var city = first || rng.Chance(0.7) ? home : SameRegionOrAny(ref rng, home, cityWeights);
            first = false;
            var store = $"{city.Name} {Streets[rng.Next(Streets.Length)]}";
            var tills = Math.Min(size - j, rng.Between(1, 3));
            for (var k = 0; k < tills; k++) result[j++] = (store, city);
        }
        return result;
    }

    private static City SameRegionOrAny(ref SimRandom rng, City home, double[] cityWeights)
    {
        if (rng.Chance(0.3)) return Cities[rng.Weighted(cityWeights)];
        var local = Cities.Where(c => c.Region == home.Region).ToArray();
        return local[rng.Weighted(local.Select(c => c.Weight).ToArray())];
    }
}
