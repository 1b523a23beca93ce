using PosMonitor.Web.Features.Incidents;
using PosMonitor.Web.Tests.Notifications;

namespace PosMonitor.Web.Tests.Incidents;

public sealed class DurationsTests
{
    private static readonly Microsoft.Extensions.Localization.IStringLocalizer<IncidentStrings> L = Localized.For<IncidentStrings>();

    [Theory]
    [InlineData(45, "45 s", "45 秒")]
    [InlineData(36 * 60, "36 min", "36 分钟")]
    [InlineData(65 * 60, "1 h 05 min", "1 小时 05 分钟")]
    [InlineData((2 * 24 + 3) * 3600, "2 d 3 h", "2 天 3 小时")]
    public void Durations_read_in_the_agent_s_language(int seconds, string english, string chinese)
    {
        Assert.Equal(english, Localized.In("en", () => Durations.Short(TimeSpan.FromSeconds(seconds), L)));
        Assert.Equal(chinese, Localized.In("zh-CN", () => Durations.Short(TimeSpan.FromSeconds(-seconds), L)));
    }
}
