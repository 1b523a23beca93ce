using System.Globalization;
using System.Text.RegularExpressions;
using PosMonitor.Core.Detection;
using PosMonitor.Core.Rollups;
using PosMonitor.Web.Features.Incidents;
using PosMonitor.Web.Tests.Notifications;

namespace PosMonitor.Web.Tests.Incidents;

public class EvidenceTextTests
{
    private static readonly EvidenceText Evidence = new(Localized.For<EvidenceStrings>());

    private static string In(string culture, string line) => Localized.In(culture, () => Evidence.For(line));

    private static string[] Holes(string text) => [.. Regex.Matches(text, @"\{\d+}").Select(m => m.Value).Distinct().Order()];

    [Fact]
    public void Every_phrase_reads_in_English_as_detection_wrote_it_and_has_Chinese_with_the_same_holes()
    {
        var zh = CultureInfo.GetCultureInfo("zh-CN");
        foreach (var phrase in EvidencePhrase.All)
        {
            var line = phrase.Write([.. Holes(phrase.English).Select((_, i) => (object)$"H{i}")]);
            // A device's state is written with its wire name ("printer paper_out"); English readers get it in words.
            if (!phrase.Key.StartsWith("device.", StringComparison.Ordinal)) Assert.Equal(line, In("en", line));
            var chinese = In("zh-CN", line);
            Assert.NotEqual(line, chinese);
            Assert.True(chinese.Any(c => c >= '\u4e00' && c <= '\u9fff'), $"{phrase.Key}: {chinese}");
            foreach (var hole in Holes(phrase.English).Select((_, i) => $"H{i}")) Assert.Contains(hole, chinese, StringComparison.Ordinal);
        }
    }

    [Fact]
    public void A_line_is_said_in_Chinese_with_its_figures_and_a_nested_reason_in_Chinese_too()
    {
        Assert.Equal("支付网关环节失败 38%（1,078 笔交易中 412 笔，最近 3 分钟），正常水平 0.4%",
            In("zh-CN", "gateway stage failures 38% (412 of 1,078 sales, last 3 min) vs normal 0.4%"));
        Assert.Equal("静默时间已超过按其心跳间隔（60 秒）重启所需的两分钟加两个间隔（3.3.1 正在发布（最近一次安装报告于 08:02:10Z））",
            In("zh-CN", "quiet longer than a restart takes at its heartbeat interval (60 s), two minutes and two intervals (rollout to 3.3.1 under way (last install reported 08:02:10Z))"));
        Assert.Equal("终端心跳于 08:02:10Z 报告：打印机缺纸", In("zh-CN", "printer paper_out reported by the terminal's heartbeat at 08:02:10Z"));
        Assert.Equal("an agent's own words", In("zh-CN", "an agent's own words"));
    }

    [Fact]
    public void A_device_state_reads_in_words_in_English_not_as_its_wire_name()
    {
        Assert.Equal("printer out of paper reported by the terminal's heartbeat at 08:02:10Z",
            In("en", "printer paper_out reported by the terminal's heartbeat at 08:02:10Z"));
        Assert.Equal("printer jammed", In("en", "printer jam"));
        foreach (var phrase in EvidencePhrase.All.Where(p => p.Key.StartsWith("device.", StringComparison.Ordinal)))
            Assert.DoesNotContain("_", In("en", phrase.English), StringComparison.Ordinal);
    }

    [Fact]
    public void The_slow_stage_lines_say_the_same_seconds_in_Chinese()
    {
        var slow = EvidencePhrase.All.Single(p => p.Key == "rate.SlowHost");
        Assert.Contains($"{TerminalMinute.SlowStageMs / 1000} s", slow.English, StringComparison.Ordinal);
        Assert.Contains($"{TerminalMinute.SlowStageMs / 1000} 秒", In("zh-CN", slow.Write("1%", "1", "2", "3", "0.1%")), StringComparison.Ordinal);
    }
}
