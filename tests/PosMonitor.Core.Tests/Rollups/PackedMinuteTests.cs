using System.Text.Json;
using PosMonitor.Core.Rollups;
using PosMonitor.Core.Telemetry;

namespace PosMonitor.Core.Tests.Rollups;

public class PackedMinuteTests
{
    private static readonly DateTimeOffset Minute = new(2026, 11, 25, 8, 0, 0, TimeSpan.Zero);

    [Fact]
    public void A_rollup_reads_back_exactly_as_written_every_field_and_which_arrays_exist()
    {
        var random = new Random(7);
        for (var n = 0; n < 500; n++)
        {
            var m = new TerminalMinute("T-1", Minute);
            for (var i = random.Next(0, 4); i > 0; i--)
                m.Add(new Heartbeat
                {
                    EventId = "h", TerminalId = "T-1", Timestamp = Minute, NetworkType = NetworkType.Cellular, LatencyMs = random.Next(0, 100_000),
                    PacketLossPct = random.NextDouble() * 100, SignalDbm = random.Next(3) == 0 ? null : -random.Next(40, 130),
                    CpuPct = random.Next(3) == 0 ? null : random.Next(0, 101), MemoryPct = random.Next(0, 101), Firmware = "1",
                    UptimeSec = 5, Printer = random.Next(4) == 0 ? PrinterStatus.PaperOut : PrinterStatus.Ok,
                    Scanner = random.Next(9) == 0 ? ScannerStatus.Error : ScannerStatus.Ok, PendingOffline = random.Next(0, 50),
                }, restarted: random.Next(20) == 0);
            for (var i = random.Next(0, 6); i > 0; i--)
            {
                var outcome = (Outcome)random.Next(0, 5);
                m.Add(new Transaction
                {
                    EventId = "t", TerminalId = "T-1", Timestamp = Minute, Outcome = outcome, LatencyMs = random.Next(0, 60_000), Gateway = "gw",
                    Stage = outcome is Outcome.Timeout or Outcome.Error ? (Stage)random.Next(0, 8) : null,
                    StageMs = random.Next(2) == 0 ? null : [.. Enumerable.Range(0, 8).Select(_ => random.Next(0, 40_000))],
                    AmountMinor = random.Next(2) == 0 ? null : random.NextInt64(-1_000_000, 100_000_000_000),
                });
            }
            if (random.Next(10) == 0) m.PacketLossSumPct = -0.0;

            var bytes = new byte[PackedMinute.MaxLength];
            var length = PackedMinute.Write(m, bytes);
            var back = new TerminalMinute("other", default);
            back.Merge(m); // dirty on purpose: reading must start from empty
            PackedMinute.Read(bytes.AsSpan(0, length), "T-1", Minute, back);

            Assert.Equal(m.TimeoutsByStageIfAny is null, back.TimeoutsByStageIfAny is null);
            Assert.Equal(m.ErrorsByStageIfAny is null, back.ErrorsByStageIfAny is null);
            Assert.Equal(m.StageMsSumIfAny is null, back.StageMsSumIfAny is null);
            Assert.Equal(Snapshot(m), Snapshot(back)); // after: the snapshot's getters make the arrays
            Assert.Equal(BitConverter.DoubleToInt64Bits(m.PacketLossSumPct), BitConverter.DoubleToInt64Bits(back.PacketLossSumPct));
        }
    }

    [Fact]
    public void A_heartbeat_only_minute_takes_a_few_bytes()
    {
        var m = new TerminalMinute("T-1", Minute);
        m.Add(new Heartbeat
        {
            EventId = "h", TerminalId = "T-1", Timestamp = Minute, NetworkType = NetworkType.Wifi, LatencyMs = 45, PacketLossPct = 0.5,
            SignalDbm = -70, CpuPct = 20, MemoryPct = 40, Firmware = "1", UptimeSec = 5, Printer = PrinterStatus.Ok, Scanner = ScannerStatus.Ok, PendingOffline = 0,
        }, restarted: false);
        Assert.InRange(PackedMinute.Write(m, new byte[PackedMinute.MaxLength]), 1, 32);
    }

    private static string Snapshot(TerminalMinute m) => JsonSerializer.Serialize(m);
}
