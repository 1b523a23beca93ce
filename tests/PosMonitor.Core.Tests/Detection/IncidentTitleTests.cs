using PosMonitor.Core.Detection;
using PosMonitor.Core.Incidents;

namespace PosMonitor.Core.Tests.Detection;

public class IncidentTitleTests
{
    private static readonly FleetIndex Index = new(TrafficScenario.MakeFleet());

    public static TheoryData<ScopeType, string> Scopes => new()
    {
        { ScopeType.Terminal, "T-east-1-1" }, { ScopeType.Merchant, "m-east-1" }, { ScopeType.Region, "east" },
        { ScopeType.Gateway, "gw-unionpay" }, { ScopeType.Firmware, "3.2.1" }, { ScopeType.Platform, "platform" },
    };

    [Theory]
    [MemberData(nameof(Scopes))]
    public void Every_rate_title_detection_writes_reads_back_as_its_parts(ScopeType type, string id)
    {
        foreach (var signal in Signals.All)
        {
            var title = Wording.Title(type, id, Index, signal, 0.046);
            var parts = IncidentTitle.Parse(title);
            Assert.NotNull(parts);
            Assert.Equal((type, id, "rate:" + signal, "4.6%"), (parts.ScopeType, parts.ScopeId, parts.What, parts.Rate));
            Assert.Equal(type == ScopeType.Merchant ? "Shop east 1" : null, parts.ScopeName);
        }
    }

    [Fact]
    public void Silence_and_device_titles_read_back_as_their_parts()
    {
        Assert.Equal(new IncidentTitle(ScopeType.Terminal, "T-east-1-1", null, "silent"),
            IncidentTitle.Parse(Wording.SilenceTitle(ScopeType.Terminal, "T-east-1-1", Index, 1, 1)));
        Assert.Equal(new IncidentTitle(ScopeType.Region, "east", null, "silent-of", Silent: 3, Expected: 9),
            IncidentTitle.Parse(Wording.SilenceTitle(ScopeType.Region, "east", Index, 3, 9)));
        Assert.Equal(new IncidentTitle(ScopeType.Merchant, "m-east-1", "Shop east 1", "silent-of", Silent: 4, Expected: 4),
            IncidentTitle.Parse(Wording.SilenceTitle(ScopeType.Merchant, "m-east-1", Index, 4, 4)));
        Assert.Equal(new IncidentTitle(ScopeType.Terminal, "T-east-1-1", null, "printer:paper_out"),
            IncidentTitle.Parse(Wording.DeviceTitle("T-east-1-1", "printer", "paper_out")));
        Assert.Equal(new IncidentTitle(ScopeType.Terminal, "T-east-1-1", null, "scanner:error"),
            IncidentTitle.Parse(Wording.DeviceTitle("T-east-1-1", "scanner", "error")));
    }

    [Theory]
    [InlineData("Lotus Noodle House reports timeouts")] // an agent's own words
    [InlineData("Merchant m-1: printers are acting up")]
    [InlineData("Region east (North): 3 of 9 terminals stopped reporting")] // only a merchant has a name
    [InlineData("Merchant m-1: 38% of sales are slow")]
    public void Other_titles_have_no_parts(string title) => Assert.Null(IncidentTitle.Parse(title));

    [Fact]
    public void A_merchant_name_with_brackets_is_kept_whole()
    {
        var parts = IncidentTitle.Parse("Merchant m-9 (Wang's (Old Town) Noodles): 12% of sales fail in the terminal app");
        Assert.Equal(("m-9", "Wang's (Old Town) Noodles", "rate:App", "12%"), (parts!.ScopeId, parts.ScopeName, parts.What, parts.Rate));
    }
}
