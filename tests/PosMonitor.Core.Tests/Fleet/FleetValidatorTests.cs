using PosMonitor.Core.Fleet;

namespace PosMonitor.Core.Tests.Fleet;

public class FleetValidatorTests
{
    [Fact]
    public void A_fleet_file_with_card_data_is_refused_without_echoing_it()
    {
        // The replay's --fleet file goes through the same check as PUT /api/v1/fleet.
        var document = new FleetDocument
        {
            Regions = [new() { Id = "east", Name = "East" }],
            Gateways = [new() { Id = "gw-1", Name = "Gateway" }],
            Merchants = [new() { Id = "m-1", Name = "Shop", Region = "4111111111111111", Terminals = [new() { Id = "T-1", Gateway = "gw-1", Store = "4111.1111.1111.1111" }] }],
        };

        var problems = FleetValidator.Validate(document, _ => false, _ => false);

        Assert.Equal(["merchants[0].region: holds card data (a PAN or track data)", "merchants[0].terminals[0].store: holds card data (a PAN or track data)"], problems);
    }
}
