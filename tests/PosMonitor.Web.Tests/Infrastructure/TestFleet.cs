using PosMonitor.Core.Fleet;

namespace PosMonitor.Web.Tests.Infrastructure;

/// <summary>Small fleets for tests.</summary>
public static class TestFleet
{
    /// <summary>Two regions, two gateways, two merchants with two terminals each.</summary>
    public static FleetDocument Small() => new()
    {
        Regions = [new() { Id = "east", Name = "East China" }, new() { Id = "north", Name = "North China" }],
        Gateways = [new() { Id = "gw-unionpay", Name = "UnionPay" }, new() { Id = "gw-alipay", Name = "Alipay" }],
        Merchants =
        [
            new()
            {
                Id = "m-0001", Name = "Lotus Noodle House", Region = "east", TimeZone = "Asia/Shanghai", OpeningHours = "10:00-22:00",
                Terminals =
                [
                    new() { Id = "T-000001", Gateway = "gw-unionpay", Model = "A920", Firmware = "3.2.1", Store = "Nanjing Rd" },
                    new() { Id = "T-000002", Gateway = "gw-unionpay", Model = "A920", Firmware = "3.2.1", Store = "Nanjing Rd" },
                ],
            },
            new()
            {
                Id = "m-0002", Name = "Harbin Bakery", Region = "north", TimeZone = "Asia/Shanghai",
                Terminals =
                [
                    new() { Id = "T-000003", Gateway = "gw-alipay", Model = "P2", Firmware = "3.2.2" },
                    new() { Id = "T-000004", Region = "east", Gateway = "gw-unionpay", Model = "P2", Firmware = "3.2.2" },
                ],
            },
        ],
    };
}
