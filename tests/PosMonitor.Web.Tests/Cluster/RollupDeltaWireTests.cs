using PosMonitor.Core.Rollups;
using PosMonitor.Core.Telemetry;
using PosMonitor.Web.Infrastructure.Cluster;

namespace PosMonitor.Web.Tests.Cluster;

public class RollupDeltaWireTests
{
    private static readonly DateTimeOffset At = new(2026, 3, 2, 9, 41, 12, TimeSpan.Zero);

    private static RollupDelta Delta()
    {
        var before = new TerminalState { TerminalId = "T-1", LastSeenAt = At.AddMinutes(-5), LastHeartbeatAt = At.AddMinutes(-5), Firmware = "3.2.1", UptimeSec = 90_000 };
        var aggregator = new RollupAggregator(id => id == "T-1" ? before : null);
        aggregator.Add(new Heartbeat
        {
            EventId = "h-1", TerminalId = "T-1", Timestamp = At, NetworkType = NetworkType.Cellular, SignalDbm = -97, LatencyMs = 180,
            PacketLossPct = 2.5, Firmware = "3.3.0", UptimeSec = 40, CpuPct = 71, Printer = PrinterStatus.PaperOut,
            Scanner = ScannerStatus.Ok, PendingOffline = 3,
        });
        aggregator.Add(new Transaction
        {
            EventId = "s-1", TerminalId = "T-1", Timestamp = At.AddSeconds(3), Gateway = "gw-unionpay", Outcome = Outcome.Timeout,
            Stage = Stage.Gateway, LatencyMs = 30_000, StageMs = [10, 20, 30, 4_000, 25_000, 0, 0, 0], AmountMinor = 2_500, Currency = "CNY",
        });
        aggregator.Add(new Transaction
        {
            EventId = "s-2", TerminalId = "T-2", Timestamp = At.AddMinutes(1), Gateway = "gw-alipay", Outcome = Outcome.Approved, LatencyMs = 700,
        });
        return aggregator.TakeDelta();
    }

    [Fact]
    public void A_delta_read_back_holds_every_figure_state_and_firmware_change_it_was_written_with()
    {
        var delta = Delta();

        var bytes = RollupDeltaWire.Write(delta);
        var read = RollupDeltaWire.Read(bytes)!;

        Assert.Equal(bytes, RollupDeltaWire.Write(read));
        var minute = read.Minutes[("T-1", TerminalMinute.MinuteOf(At))];
        Assert.Equal((1, 1, 1), (minute.Transactions, minute.Timeouts, minute.TimeoutsByStage[(int)Stage.Gateway]));
        Assert.Equal((25_000L, 1, 1), (minute.StageMsSum[(int)Stage.Gateway], minute.SlowGateway, minute.SlowHost));
        Assert.Equal((1, 1, 1, 2.5, -97, 71), (minute.Heartbeats, minute.Restarts, minute.PrinterFaults, minute.PacketLossMaxPct, minute.SignalMinDbm!.Value, minute.CpuMaxPct!.Value));
        Assert.Null(minute.MemoryMaxPct);
        Assert.Equal(delta.States.Values, read.States.Values);
        Assert.Equal(delta.FirmwareChanges, read.FirmwareChanges);
        Assert.Single(read.FirmwareChanges);
        Assert.Equal(2, read.Minutes.Count);
    }

    [Fact]
    public void The_commit_stamps_of_a_delta_cross_with_it_and_a_delta_from_the_release_before_has_none()
    {
        var delta = Delta();
        delta.Commits.AddRange([1_764_000_000_001, 1_764_000_000_007]);

        var bytes = RollupDeltaWire.Write(delta);
        Assert.Equal(delta.Commits, RollupDeltaWire.Read(bytes)!.Commits);

        // The release before wrote no stamps after the firmware changes (a count and two stamps: 4 + 2 × 8 bytes).
        var before = RollupDeltaWire.Read(bytes.AsMemory(0, bytes.Length - 20))!;
        Assert.Empty(before.Commits);
        Assert.Equal(2, before.Minutes.Count);
    }

    [Fact]
    public void A_delta_of_another_version_is_ignored()
    {
        var bytes = RollupDeltaWire.Write(Delta());
        bytes[0]++;

        Assert.Null(RollupDeltaWire.Read(bytes));
    }
}
