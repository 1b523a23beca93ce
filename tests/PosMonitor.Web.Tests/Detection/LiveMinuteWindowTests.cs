using PosMonitor.Core.Rollups;
using PosMonitor.Core.Telemetry;
using PosMonitor.Web.Features.Detection;

namespace PosMonitor.Web.Tests.Detection;

public class LiveMinuteWindowTests
{
    private static readonly DateTimeOffset Minute = new(2026, 11, 25, 12, 0, 0, TimeSpan.Zero);

    [Fact]
    public void Changes_add_up_into_new_rows_and_only_the_changed_minute_gets_a_new_version()
    {
        var window = new LiveMinuteWindow();
        window.Apply([Row("T-1", Minute, timeouts: 1), Row("T-1", Minute.AddMinutes(1), timeouts: 0)]);
        var before = window.Between(Minute, Minute.AddMinutes(5));
        var handedOut = before[0].Terminals.Single();

        window.Apply([Row("T-1", Minute, timeouts: 2)]);
        var after = window.Between(Minute, Minute.AddMinutes(5));

        Assert.Equal(3, after[0].Terminals.Single().Timeouts);
        Assert.Equal(2, after[0].Terminals.Single().Transactions);
        // A batch already handed to a run is never changed under it.
        Assert.Equal(1, handedOut.Timeouts);
        Assert.NotEqual(before[0].Version, after[0].Version);
        Assert.Equal(before[1].Version, after[1].Version);
    }

    [Fact]
    public void Minutes_before_the_window_are_forgotten_and_later_ones_left_out()
    {
        var window = new LiveMinuteWindow();
        window.Apply([Row("T-1", Minute, 1), Row("T-1", Minute.AddMinutes(2), 1), Row("T-1", Minute.AddMinutes(4), 1)]);
        Assert.Equal([Minute.AddMinutes(2)], window.Between(Minute.AddMinutes(1), Minute.AddMinutes(3)).Select(b => b.Minute));
        Assert.Equal([Minute.AddMinutes(2), Minute.AddMinutes(4)], window.Between(Minute, Minute.AddMinutes(9)).Select(b => b.Minute));
    }

    private static TerminalMinute Row(string terminal, DateTimeOffset minute, int timeouts)
    {
        var row = new TerminalMinute(terminal, minute);
        row.Add(new Transaction
        {
            EventId = Guid.NewGuid().ToString(), TerminalId = terminal, Timestamp = minute.AddSeconds(5), Gateway = "gw-1",
            Outcome = timeouts > 0 ? Outcome.Timeout : Outcome.Approved, Stage = timeouts > 0 ? Stage.Gateway : null, LatencyMs = 900,
        });
        for (var i = 1; i < timeouts; i++) row.Timeouts++;
        return row;
    }
}
