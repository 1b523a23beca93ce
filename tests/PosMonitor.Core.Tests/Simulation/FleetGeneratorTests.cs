using PosMonitor.Core.Fleet;
using PosMonitor.Core.Simulation;

namespace PosMonitor.Core.Tests.Simulation;

public class FleetGeneratorTests
{
    [Theory]
    [InlineData(1)]
    [InlineData(7)]
    [InlineData(1000)]
    public void Has_exactly_the_terminals_asked_for(int terminals)
    {
        var fleet = FleetGenerator.Generate(terminals, seed: 3);

        Assert.Equal(terminals, fleet.Terminals.Count);
        Assert.Equal(terminals, fleet.Fleet.Terminals.Count);
        Assert.Equal(terminals, fleet.Document.Merchants!.Sum(m => m.Terminals!.Count));
    }

    [Fact]
    public void Merchants_have_1_to_20_terminals_and_some_are_chains()
    {
        var fleet = FleetGenerator.Generate(1000, seed: 42);
        var sizes = fleet.Document.Merchants!.Select(m => m.Terminals!.Count).ToArray();

        Assert.All(sizes, s => Assert.InRange(s, 1, 20));
        Assert.Contains(sizes, s => s >= 10);
        Assert.True(sizes.Count(s => s == 1) > sizes.Length / 3, "most merchants are single-till shops");
    }

    [Fact]
    public void Every_terminal_references_an_existing_region_and_gateway_and_the_document_validates()
    {
        var fleet = FleetGenerator.Generate(1000, seed: 42);

        Assert.Empty(FleetValidator.Validate(fleet.Document, _ => false, _ => false));
        Assert.All(fleet.Fleet.Terminals.Values, t =>
        {
            Assert.True(fleet.Fleet.Regions.ContainsKey(t.RegionId));
            Assert.True(fleet.Fleet.Gateways.ContainsKey(t.GatewayId));
            Assert.True(fleet.Fleet.Merchants.ContainsKey(t.MerchantId));
        });
    }

    [Fact]
    public void Has_five_regions_three_to_five_gateways_and_a_rollout_under_way()
    {
        foreach (var seed in Enumerable.Range(0, 20))
        {
            var fleet = FleetGenerator.Generate(300, seed);
            Assert.Equal(["east", "north", "south", "central", "west"], fleet.Fleet.Regions.Keys);
            Assert.InRange(fleet.Fleet.Gateways.Count, 3, 5);
            Assert.Contains("gw-unionpay", fleet.Fleet.Gateways.Keys);
        }
        var big = FleetGenerator.Generate(1000, 42);
        var versions = big.Terminals.GroupBy(t => t.Terminal.Firmware).ToDictionary(g => g.Key, g => g.Count());
        Assert.True(versions.Count >= 3);
        Assert.Equal(big.CurrentFirmware, versions.MaxBy(kv => kv.Value).Key);
        Assert.InRange(versions[big.RollingOutFirmware], 50, 300);
        Assert.DoesNotContain(big.NextFirmware, versions.Keys);
    }

    [Fact]
    public void Time_zones_are_mostly_shanghai_and_hours_vary()
    {
        var fleet = FleetGenerator.Generate(1000, seed: 42);
        var merchants = fleet.Fleet.Merchants.Values.ToArray();

        Assert.True(merchants.Count(m => m.TimeZone == "Asia/Shanghai") > merchants.Length * 0.9);
        Assert.Contains(merchants, m => m.OpeningHours is null);
        Assert.Contains(merchants, m => OpeningHours.TryParse(m.OpeningHours, out var h) && h.Closes < h.Opens && h.Closes != TimeOnly.MinValue);
        Assert.True(merchants.Select(m => m.OpeningHours).Distinct().Count() > 10);
        Assert.All(merchants, m => Assert.True(m.OpeningHours is null || OpeningHours.TryParse(m.OpeningHours, out _)));
        Assert.All(merchants, m => Assert.True(TimeZones.TryFind(m.TimeZone, out _)));
    }

    [Fact]
    public void Stores_and_names_are_filled_in()
    {
        var fleet = FleetGenerator.Generate(200, seed: 5);

        Assert.All(fleet.Fleet.Terminals.Values, t => Assert.False(string.IsNullOrWhiteSpace(t.Store)));
        Assert.All(fleet.Fleet.Merchants.Values, m => Assert.Contains(' ', m.Name));
        Assert.All(fleet.Fleet.Terminals.Values, t => Assert.True(Identifier.IsValid(t.Id)));
    }

    [Fact]
    public void Same_seed_same_fleet_other_seed_other_fleet()
    {
        var a = SimulationFiles.SerializeFleet(FleetGenerator.Generate(500, 11).Document);
        var b = SimulationFiles.SerializeFleet(FleetGenerator.Generate(500, 11).Document);
        var c = SimulationFiles.SerializeFleet(FleetGenerator.Generate(500, 12).Document);

        Assert.Equal(a, b);
        Assert.NotEqual(a, c);
    }
}
