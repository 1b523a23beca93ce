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

    [Fact]
    public void Heartbeat_charts_plot_only_minutes_with_a_heartbeat()
    {
        using var culture = CultureScope.Use(System.Globalization.CultureInfo.GetCultureInfo("en"));
        var history = TerminalHistory.Build([Minute(0, 2), Minute(30, 0, timeouts: 3), Minute(59, 1)], From, 1, TimeZoneInfo.Utc, L());

        Assert.Equal(60, history.Labels.Length);
        Assert.Equal([120.0, 120.0], history.Latency.Single().Data.Values);
        Assert.Equal(["02:00", "02:59"], history.HeartbeatLabels);
        Assert.False(history.Marked);
    }

    [Fact]
    public void Incidents_naming_the_terminal_are_marked_on_the_axis_where_they_opened_and_were_resolved()
    {
        using var culture = CultureScope.Use(System.Globalization.CultureInfo.GetCultureInfo("en"));
        Incident[] incidents =
        [
            new()
            {
                Id = "inc-000007", ScopeType = ScopeType.Terminal, ScopeId = "T-000001", Cause = Cause.Hardware, Severity = Severity.Minor,
                OpenedAt = From.AddMinutes(12).AddSeconds(20), ResolvedAt = From.AddMinutes(41), RunbookId = "rb-terminal-hardware", Title = "Printer",
            },
            // Opened before the window: only its resolution falls on the axis.
            new()
            {
                Id = "inc-000003", ScopeType = ScopeType.Terminal, ScopeId = "T-000001", Cause = Cause.Network, Severity = Severity.Major,
                OpenedAt = From.AddHours(-3), ResolvedAt = From.AddMinutes(5), RunbookId = "rb-network-outage", Title = "Network",
            },
        ];

        var history = TerminalHistory.Build([Minute(0, 1), Minute(20, 1), Minute(50, 1)], From, 1, TimeZoneInfo.Utc, L(), incidents);

        Assert.True(history.Marked);
        Assert.Equal("▲ 02:12", history.Labels[12]);
        Assert.Equal("✓ 02:41", history.Labels[41]);
        Assert.Equal("✓ 02:05", history.Labels[5]);
        Assert.Equal(4, history.Labels.Count(l => l.Length > 0 && !l.StartsWith('▲') && !l.StartsWith('✓'))); // the regular ticks, minus the one a mark took
        // The heartbeat axis (02:00, 02:20, 02:50) marks each moment at the first reading at or after it.
        Assert.Equal(["02:00", "▲✓ 02:20", "✓ 02:50"], history.HeartbeatLabels);
    }
}
