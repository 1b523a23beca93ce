using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Localization;
using PosMonitor.Core.Incidents;
using PosMonitor.Core.Rollups;
using PosMonitor.Web.Features.Terminals;
using PosMonitor.Web.Tests.Infrastructure;

namespace PosMonitor.Web.Tests.Terminals;

public class TerminalHistoryTests
{
    private static readonly DateTimeOffset From = new(2026, 11, 25, 2, 0, 0, TimeSpan.Zero);

    private static IStringLocalizer<TerminalStrings> L() =>
        new ServiceCollection().AddLogging().AddLocalization().BuildServiceProvider().GetRequiredService<IStringLocalizer<TerminalStrings>>();

    private static TerminalMinute Minute(int offset, int heartbeats, int timeouts = 0) =>
        new("T-000001", From.AddMinutes(offset)) { Heartbeats = heartbeats, NetLatencySumMs = 120L * heartbeats, Timeouts = timeouts, Transactions = timeouts };

    [Theory]
    [InlineData("en", "last 1 h")]
    [InlineData("zh-CN", "最近 1 小时")]
    public void Every_chart_spans_the_window_on_one_axis_titled_with_it_and_a_terminal_off_the_air_is_a_gap_not_a_zero(string culture, string axis)
    {
        using var _ = CultureScope.Use(System.Globalization.CultureInfo.GetCultureInfo(culture));
        // Heartbeats every other minute to 02:10, then none until 02:40 (off the air), then one at 02:59.
        TerminalMinute[] minutes = [.. Enumerable.Range(0, 6).Select(i => Minute(2 * i, 1)), Minute(30, 0, timeouts: 3), Minute(40, 1), Minute(59, 1)];

        var history = TerminalHistory.Build(minutes, From, 1, TimeZoneInfo.Utc, L(), offlineAfter: TimeSpan.FromMinutes(3));

        Assert.Equal(axis, history.Axis);
        Assert.Equal(60, history.Labels.Length);
        foreach (var chart in new[] { history.Latency, history.PacketLoss, history.Signal, history.CpuMemory, history.Outcomes, history.Stages, history.Devices })
            Assert.All(chart, series => Assert.Equal(60, series.Data.Count)); // was the 9 minutes with a heartbeat on the heartbeat charts
        var latency = history.Latency.Single().Data;
        Assert.Equal(120, latency.GetValue(0));
        Assert.Equal(120, latency.GetValue(1)); // between two readings a minute apart from the usual: one line
        Assert.False(latency[11].HasValue); // 02:11-02:39 off the air: a break, not a zero
        Assert.False(latency[39].HasValue);
        Assert.Equal(120, latency.GetValue(40));
        Assert.False(latency[41].HasValue);
        Assert.Equal(120, latency.GetValue(59));
        Assert.Equal(3, history.Outcomes.Single(s => s.Name == L()["Outcome_Timeout"]).Data.GetValue(30));
    }

    [Fact]
    public void Incidents_naming_the_terminal_are_marked_on_the_axis_where_they_opened_and_were_resolved()
    {
        using var culture = CultureScope.Use(System.Globalization.CultureInfo.GetCultureInfo("en"));
        Incident[] incidents =
        [
            TestIncidents.Of("inc-000007", ScopeType.Terminal, "T-000001", Cause.Hardware, Severity.Minor, From.AddMinutes(12).AddSeconds(20),
                "rb-terminal-hardware", "Printer") with { ResolvedAt = From.AddMinutes(41) },
            // Opened before the window: only its resolution falls on the axis.
            TestIncidents.Of("inc-000003", ScopeType.Terminal, "T-000001", Cause.Network, Severity.Major, From.AddHours(-3),
                "rb-network-outage", "Network") with { ResolvedAt = From.AddMinutes(5) },
        ];

        var history = TerminalHistory.Build([Minute(0, 1), Minute(20, 1), Minute(50, 1)], From, 1, TimeZoneInfo.Utc, L(), incidents);

        Assert.True(history.Marked);
        Assert.Equal("▲ 02:12", history.Labels[12]);
        Assert.Equal("✓ 02:41", history.Labels[41]);
        Assert.Equal("✓ 02:05", history.Labels[5]);
        Assert.Equal(4, history.Labels.Count(l => l.Length > 0 && !l.StartsWith('▲') && !l.StartsWith('✓'))); // the regular ticks, minus the one a mark took
    }
}
