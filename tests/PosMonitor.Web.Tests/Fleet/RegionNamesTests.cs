using PosMonitor.Web.Features.Fleet;
using PosMonitor.Web.Tests.Infrastructure;

namespace PosMonitor.Web.Tests.Fleet;

public class RegionNamesTests
{
    [Fact]
    public void A_known_region_reads_in_chinese_and_an_unknown_one_as_the_fleet_names_it()
    {
        using var scope = CultureScope.UseUi("zh-CN");
        Assert.Equal("华南", RegionNames.Translate("South China"));
        Assert.Equal("Greater Bay pilot", RegionNames.Translate("Greater Bay pilot"));
    }

    [Fact]
    public void In_english_a_known_region_keeps_its_name()
    {
        using var scope = CultureScope.UseUi("en");
        Assert.Equal("South China", RegionNames.Translate("South China"));
    }
}
