using PosMonitor.Core.Rollups;
using PosMonitor.Core.Telemetry;
using PosMonitor.Web.Features.Terminals;

namespace PosMonitor.Web.Tests.Terminals;

public class DeviceHistoryTests
{
    private static readonly DateTimeOffset From = new(2026, 11, 24, 10, 0, 0, TimeSpan.Zero);

    private static DateTimeOffset At(int minute) => From.AddMinutes(minute);

    private static DeviceMinute Ok(int minute, int heartbeats = 1) => new(At(minute), heartbeats, 0, 0);

    private static DeviceMinute Printer(int minute, int faults = 1, int heartbeats = 1) => new(At(minute), heartbeats, faults, 0);

    private static DeviceMinute Scanner(int minute) => new(At(minute), 1, 0, 1);

    private static TerminalState State(PrinterStatus printer, ScannerStatus scanner = ScannerStatus.Ok, int lastHeartbeatMinute = 100) => new()
    {
        TerminalId = "T-1", Printer = printer, Scanner = scanner, LastHeartbeatAt = At(lastHeartbeatMinute).AddSeconds(10),
    };

    [Fact]
    public void Fault_minutes_form_an_episode_that_only_a_minute_of_ok_heartbeats_ends_and_gaps_without_heartbeats_do_not()
    {
        // Heartbeats every two minutes: 10:02 and 10:04 reported a fault with nothing in between, 10:06 said ok.
        // 10:30 half the heartbeats faulted (it ended within the minute), 10:40 on the scanner said error.
        var minutes = new[] { Ok(0), Printer(2), Printer(4), Ok(6), Printer(30, faults: 1, heartbeats: 2), Ok(32), Scanner(40), Ok(41) };

        var history = DeviceHistory.Build(minutes, State(PrinterStatus.Ok, lastHeartbeatMinute: 41), From);

        Assert.Equal(
            [
                new DeviceEpisode(Device.Scanner, "error", At(40), At(41), false),
                new DeviceEpisode(Device.Printer, null, At(30), At(31), false),
                new DeviceEpisode(Device.Printer, null, At(2), At(5), false),
            ],
            history.Episodes);
        Assert.Empty(history.Current);
    }

    [Fact]
    public void The_current_state_is_named_from_the_terminal_state_and_dates_from_the_first_minute_of_its_run()
    {
        var minutes = new[] { Printer(5), Ok(6), Printer(42), Printer(44), Printer(45, faults: 2, heartbeats: 2) };

        var history = DeviceHistory.Build(minutes, State(PrinterStatus.PaperOut, lastHeartbeatMinute: 45), From);

        var notice = Assert.Single(history.Current);
        Assert.Equal(new DeviceEpisode(Device.Printer, "paper_out", At(42), null, false), notice);
        Assert.Equal("Device_printer_paper_out", notice.NameKey);
        Assert.Equal(new DeviceEpisode(Device.Printer, null, At(5), At(6), false), history.Episodes[1]);
    }

    [Fact]
    public void A_state_not_in_the_rollups_yet_dates_from_its_heartbeat_and_an_ok_not_in_them_yet_ends_the_run_at_its_last_fault()
    {
        // The rollups are flushed seconds behind the terminal's state.
        var reportedNow = DeviceHistory.Build([Ok(40), Ok(41)], State(PrinterStatus.Jam, lastHeartbeatMinute: 42), From);
        Assert.Equal(new DeviceEpisode(Device.Printer, "jam", At(42), null, false), Assert.Single(reportedNow.Current));

        var clearedNow = DeviceHistory.Build([Printer(40), Printer(41)], State(PrinterStatus.Ok, lastHeartbeatMinute: 42), From);
        Assert.Equal([new DeviceEpisode(Device.Printer, null, At(40), At(42), false)], clearedNow.Episodes);
    }

    [Fact]
    public void A_run_from_the_first_minute_read_may_have_started_earlier_and_a_printer_and_a_scanner_can_both_be_current()
    {
        var minutes = new[] { new DeviceMinute(At(0), 1, 1, 1), new DeviceMinute(At(1), 1, 1, 1) };

        var history = DeviceHistory.Build(minutes, State(PrinterStatus.Offline, ScannerStatus.Error, lastHeartbeatMinute: 1), From);

        Assert.Equal(
            [new DeviceEpisode(Device.Printer, "offline", At(0), null, true), new DeviceEpisode(Device.Scanner, "error", At(0), null, true)],
            history.Current);
    }

    [Fact]
    public void Absent_and_ok_devices_report_nothing()
    {
        Assert.False(DeviceHistory.Reports(State(PrinterStatus.Absent, ScannerStatus.Absent)));
        Assert.False(DeviceHistory.Reports(null));
        Assert.True(DeviceHistory.Reports(State(PrinterStatus.Ok, ScannerStatus.Error)));
        Assert.Empty(DeviceHistory.Build([Ok(1)], State(PrinterStatus.Absent), From).Episodes);
    }
}
