using PosMonitor.Core.Detection;
using PosMonitor.Core.Incidents;
using PosMonitor.Web.Features.Incidents;
using PosMonitor.Web.Features.Notifications;
using PosMonitor.Web.Tests.Notifications;
using PosMonitor.Web.Tests.Infrastructure;

namespace PosMonitor.Web.Tests.Incidents;

public class IncidentTitleTextTests
{
    private static readonly IncidentTitleText Titles = new(Localized.For<IncidentTitleStrings>(), new EvidenceText(Localized.For<EvidenceStrings>()));

    /// <summary>Every title shape detection writes (IncidentTitle's English), over every scope.</summary>
    public static IEnumerable<IncidentTitle> DetectionTitles()
    {
        var scopes = new (ScopeType, string, string?)[]
        {
            (ScopeType.Terminal, "T-000001", null), (ScopeType.Merchant, "m-0001", "Lotus Noodle House"), (ScopeType.Merchant, "m-0002", null),
            (ScopeType.Region, "east", null), (ScopeType.Gateway, "gw-unionpay", null), (ScopeType.Firmware, "3.2.1", null),
            (ScopeType.Platform, "platform", null),
        };
        foreach (var (type, id, name) in scopes)
        {
            foreach (var signal in IncidentTitle.RateSignals) yield return new(type, id, name, "rate:" + signal, Rate: "4.6%");
            yield return type == ScopeType.Terminal ? new(type, id, name, "silent") : new(type, id, name, "silent-of", Silent: 3, Expected: 9);
        }
        foreach (var device in (string[])["printer:paper_out", "printer:jam", "printer:offline", "printer:error", "scanner:error"])
            yield return new(ScopeType.Terminal, "T-000001", null, device);
    }

    private static string In(string culture, string title) => Localized.In(culture, () => Titles.For(title));

    [Fact]
    public void In_English_every_detection_title_reads_as_detection_wrote_it()
    {
        foreach (var title in DetectionTitles().Where(t => !t.What.StartsWith("printer:", StringComparison.Ordinal)).Select(t => t.ToString()))
            Assert.Equal(title, In("en", title));
    }

    [Fact]
    public void In_English_a_device_title_says_the_state_in_words_not_its_wire_name()
    {
        var title = new IncidentTitle(ScopeType.Terminal, "T-000001", null, "printer:paper_out").ToString();
        Assert.Contains("paper_out", title, StringComparison.Ordinal); // the wire title (replay output) is unchanged
        Assert.Equal("Terminal T-000001: printer out of paper", In("en", title));
        Assert.Equal("终端 T-000001：打印机缺纸", In("zh-CN", title));
    }

    [Fact]
    public void In_Chinese_every_detection_title_is_said_in_Chinese_with_its_figures_and_ids()
    {
        foreach (var parts in DetectionTitles())
        {
            var zh = In("zh-CN", parts.ToString());
            Assert.True(zh.Any(c => c >= '\u4e00' && c <= '\u9fff'), $"not Chinese: {zh}");
            Assert.DoesNotContain(" of ", zh, StringComparison.Ordinal);
            if (parts.ScopeType != ScopeType.Platform) Assert.Contains(parts.ScopeId, zh, StringComparison.Ordinal);
            if (parts.ScopeName is { } name) Assert.Contains(name, zh, StringComparison.Ordinal);
            if (parts.Rate is { } rate) Assert.Contains(rate, zh, StringComparison.Ordinal);
        }
        Assert.Equal("商户 m-0001（Lotus Noodle House）：4.6% 的交易在支付网关环节超时",
            In("zh-CN", "Merchant m-0001 (Lotus Noodle House): 4.6% of sales time out at the gateway stage"));
        Assert.Equal("地区 east：9 台终端中有 3 台停止上报", In("zh-CN", "Region east: 3 of 9 terminals stopped reporting"));
    }

    [Fact]
    public void A_title_an_agent_wrote_is_shown_as_written()
    {
        Assert.Equal("Lotus Noodle House reports timeouts", In("zh-CN", "Lotus Noodle House reports timeouts"));
    }

    [Fact]
    public void A_Chinese_notification_says_detection_s_title_in_Chinese()
    {
        var incident = TestIncidents.NotifiedGateway() with { Title = "Gateway gw-unionpay: 42% of sales time out at the gateway stage" };
        var message = NotificationMessage.From(NotificationEvents.Opened, incident, DateTimeOffset.UnixEpoch);

        var text = Localized.Formats().Text(message, "zh-CN", null);

        Assert.Contains("网关 gw-unionpay：42% 的交易在支付网关环节超时", text.Headline, StringComparison.Ordinal);
        Assert.Contains("Gateway gw-unionpay: 42% of sales", Localized.Formats().Text(message, "en", null).Headline, StringComparison.Ordinal);
    }
}
