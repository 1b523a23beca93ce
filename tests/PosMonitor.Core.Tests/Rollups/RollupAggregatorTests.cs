using System.Reflection;
using System.Text.Json;
using PosMonitor.Core.Rollups;
using PosMonitor.Core.Telemetry;

namespace PosMonitor.Core.Tests.Rollups;

public class RollupAggregatorTests
{
    private static readonly DateTimeOffset Start = new(2026, 11, 25, 8, 0, 0, TimeSpan.Zero);

    private static Heartbeat Hb(string terminal, DateTimeOffset at, string firmware = "3.2.1", long uptime = 100, PrinterStatus printer = PrinterStatus.Ok) => new()
    {
        EventId = Guid.NewGuid().ToString(), TerminalId = terminal, Timestamp = at, NetworkType = NetworkType.Wifi, LatencyMs = 40,
        PacketLossPct = 0.5, Firmware = firmware, UptimeSec = uptime, Printer = printer, Scanner = ScannerStatus.Ok, PendingOffline = 0,
    };

    private static Transaction Tx(string terminal, DateTimeOffset at, Outcome outcome = Outcome.Approved) => new()
    {
        EventId = Guid.NewGuid().ToString(), TerminalId = terminal, Timestamp = at, Outcome = outcome, LatencyMs = 900,
        Stage = outcome == Outcome.Timeout ? Stage.Gateway : null, Gateway = "gw-a",
    };

    [Fact]
    public void A_taken_delta_leaves_nothing_of_it_held_by_the_aggregator()
    {
        // At 200,000 terminals each terminal's pending state kept its previous state record and its last rollup alive.
        var stored = new List<WeakReference>();
        var aggregator = new RollupAggregator(id =>
        {
            var state = new TerminalState { TerminalId = id, Firmware = "3.2.1" };
            stored.Add(new WeakReference(state));
            return state;
        });
        var minute = TakeOne(aggregator);
        GC.Collect();
        GC.WaitForPendingFinalizers();
        GC.Collect();
        Assert.False(Assert.Single(stored).IsAlive, "the stored state the delta started from");
        Assert.False(minute.IsAlive, "the delta's rollup");

        // And the next delta still starts from the stored state and counts as before.
        aggregator.Add(Tx("T-1", Start.AddMinutes(1), Outcome.Timeout));
        var next = aggregator.TakeDelta();
        Assert.Equal((1, 1), (next.Minutes[("T-1", Start.AddMinutes(1))].Timeouts, next.Minutes.Count));
        Assert.Equal("3.2.1", next.States["T-1"].Firmware);
        Assert.Equal(2, stored.Count);
    }

    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.NoInlining)]
    private static WeakReference TakeOne(RollupAggregator aggregator)
    {
        aggregator.Add(Hb("T-1", Start));
        aggregator.Add(Tx("T-1", Start.AddSeconds(5)));
        var delta = aggregator.TakeDelta();
        return new WeakReference(delta.Minutes.Values.Single());
    }

    [Fact]
    public void Sales_slow_at_the_host_or_gateway_stage_are_counted_and_merge()
    {
        int[] Stages(int host, int gateway) => [3000, 100, 100, host, gateway, 1500, 100, 50];
        var a = new TerminalMinute("T-1", Start);
        a.Add(Tx("T-1", Start) with { StageMs = Stages(host: 120, gateway: 2999) }); // healthy: just under the line
        a.Add(Tx("T-1", Start) with { StageMs = Stages(host: 3000, gateway: 400) });
        a.Add(Tx("T-1", Start, Outcome.Timeout) with { StageMs = Stages(host: 110, gateway: 30_000) }); // timed out there: slow too
        a.Add(Tx("T-1", Start)); // no stage times: not counted either way
        Assert.Equal((1, 1, 3), (a.SlowHost, a.SlowGateway, a.StageMsSamples));

        var b = new TerminalMinute("T-1", Start);
        b.Add(Tx("T-1", Start) with { StageMs = Stages(host: 5000, gateway: 7000) });
        b.Merge(a);
        Assert.Equal((2, 2, 5), (b.SlowHost, b.SlowGateway, b.Transactions));
    }

    [Fact]
    public void A_late_heartbeat_counts_in_its_minute_but_never_rolls_the_state_back()
    {
        var aggregator = new RollupAggregator(_ => null);
        aggregator.Add(Hb("T-1", Start.AddSeconds(90), firmware: "3.3.0", uptime: 20, printer: PrinterStatus.Jam));
        aggregator.Add(Hb("T-1", Start.AddSeconds(30), firmware: "3.2.1", uptime: 5000));

        var delta = aggregator.TakeDelta();

        var state = delta.States["T-1"];
        Assert.Equal(("3.3.0", 20L, PrinterStatus.Jam, Start.AddSeconds(90)), (state.Firmware, state.UptimeSec, state.Printer, state.LastSeenAt));
        Assert.Equal(2, delta.Minutes.Count);
        Assert.Empty(delta.FirmwareChanges);
        Assert.Equal(0, delta.Minutes.Values.Sum(m => m.Restarts));
    }

    [Fact]
    public void A_sale_that_could_not_connect_counts_but_does_not_say_the_terminal_was_on_the_air()
    {
        var aggregator = new RollupAggregator(_ => null);
        aggregator.Add(Hb("T-1", Start));
        aggregator.Add(Tx("T-1", Start.AddSeconds(70), Outcome.Timeout) with { Stage = Stage.Connect, ErrorCode = "NET_CONNECT_TIMEOUT" });

        var offAir = aggregator.TakeDelta();
        aggregator.Add(Tx("T-1", Start.AddSeconds(100), Outcome.Timeout));   // timed out at the gateway: it reached us

        var state = offAir.States["T-1"];
        Assert.Equal((Start, Start.AddSeconds(70), 1), (state.LastSeenAt!.Value, state.LastTransactionAt!.Value, offAir.Minutes.Values.Sum(m => m.Timeouts)));
        Assert.Equal(Start.AddSeconds(100), aggregator.TakeDelta().States["T-1"].LastSeenAt);
    }

    [Fact]
    public void The_next_delta_starts_from_the_stored_state_and_sees_restarts_and_rollouts()
    {
        var stored = new Dictionary<string, TerminalState>();
        var aggregator = new RollupAggregator(id => stored.GetValueOrDefault(id));
        aggregator.Add(Hb("T-1", Start, uptime: 5000));
        aggregator.Add(Tx("T-1", Start.AddSeconds(5)));
        foreach (var (id, s) in aggregator.TakeDelta().States) stored[id] = s;

        aggregator.Add(Hb("T-1", Start.AddSeconds(60), firmware: "3.3.0", uptime: 10));
        var delta = aggregator.TakeDelta();

        Assert.Equal(1, delta.Minutes.Values.Single().Restarts);
        Assert.Equal(new FirmwareChange("T-1", Start.AddSeconds(60), "3.2.1", "3.3.0"), Assert.Single(delta.FirmwareChanges));
        var state = delta.States["T-1"];
        Assert.Equal((Start.AddSeconds(5), Start.AddSeconds(60), Start.AddSeconds(60)), (state.LastTransactionAt, state.LastSeenAt, state.FirmwareSince));
        // The first delta's record is not changed by the second.
        Assert.Equal(5000, stored["T-1"].UptimeSec);
    }

    [Fact]
    public void A_reset_rollup_is_a_new_one_in_every_field()
    {
        int[] stages = [3000, 100, 100, 3500, 4000, 1500, 100, 50];
        var used = new TerminalMinute("T-1", Start);
        foreach (var outcome in Enum.GetValues<Outcome>())
            used.Add(Tx("T-1", Start, outcome) with { Stage = Stage.Host, StageMs = stages, AmountMinor = 500 });
        used.Add(Hb("T-1", Start, printer: PrinterStatus.Jam) with { SignalDbm = -70, CpuPct = 30, MemoryPct = 40, Scanner = ScannerStatus.Error, PendingOffline = 3 }, restarted: true);
        used.Number = 5;
        var fields = typeof(TerminalMinute).GetFields(BindingFlags.Instance | BindingFlags.Public | BindingFlags.NonPublic);
        var fresh = new TerminalMinute("T-2", Start.AddMinutes(1));
        // Every field set first, so one added later and left out of Reset fails here.
        Assert.All(fields, f => Assert.NotEqual(f.GetValue(fresh), f.GetValue(used)));

        used.Reset("T-2", Start.AddMinutes(1));

        Assert.All(fields, f => Assert.Equal(f.GetValue(fresh), f.GetValue(used)));
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void Deltas_are_the_ones_the_record_per_event_aggregator_made_in_the_same_order(bool recycle)
    {
        var random = new Random(3);
        var stored = new Dictionary<string, TerminalState>();
        var storedReference = new Dictionary<string, TerminalState>();
        var aggregator = new RollupAggregator(id => stored.GetValueOrDefault(id));
        var reference = new ReferenceAggregator(id => storedReference.GetValueOrDefault(id));
        string[] firmware = ["3.2.1", "3.2.1", "3.2.1", "3.3.0"];
        for (var batch = 0; batch < 40; batch++)
        {
            for (var i = 0; i < 200; i++)
            {
                var terminal = $"T-{random.Next(30)}";
                // Mostly forward in time, some late by up to two minutes.
                var at = Start.AddSeconds(batch * 20 + random.Next(20) - (random.Next(10) == 0 ? random.Next(120) : 0));
                if (random.Next(3) == 0)
                {
                    var tx = Tx(terminal, at, random.Next(8) == 0 ? Outcome.Timeout : Outcome.Approved);
                    if (random.Next(2) == 0) tx = tx with { StageMs = [100, 100, 100, random.Next(5000), random.Next(5000), 100, 100, 100] };
                    aggregator.Add(tx);
                    reference.Add(tx);
                }
                else
                {
                    var hb = Hb(terminal, at, firmware[random.Next(firmware.Length)], random.Next(10) == 0 ? random.Next(100) : 1000 + batch * 20,
                        random.Next(6) == 0 ? PrinterStatus.PaperOut : PrinterStatus.Ok);
                    aggregator.Add(hb);
                    reference.Add(hb);
                }
            }
            var delta = aggregator.TakeDelta();
            var expected = reference.TakeDelta();
            Assert.Equal(Describe(expected), Describe(delta));
            foreach (var (id, s) in delta.States) stored[id] = s;
            foreach (var (id, s) in expected.States) storedReference[id] = s;
            // As the replay does once detection has applied a delta: its rollups and dictionaries are refilled.
            if (recycle) aggregator.Recycle(delta);
        }
    }

    private static string Describe(RollupDelta d) => JsonSerializer.Serialize(new
    {
        Minutes = d.Minutes.Select(m => new { m.Key.TerminalId, m.Key.Minute, Rollup = m.Value }),
        States = d.States.ToList(),
        d.FirmwareChanges,
    });

    /// <summary>The aggregator as first written (a new TerminalState per event), kept as the reference.</summary>
    private sealed class ReferenceAggregator(Func<string, TerminalState?> currentState)
    {
        private RollupDelta _delta = new();

        public void Add(Heartbeat hb)
        {
            var state = StateOf(hb.TerminalId);
            var newer = state.LastHeartbeatAt is not { } last || hb.Timestamp >= last;
            var restarted = newer && state.UptimeSec is { } up && hb.UptimeSec < up;
            MinuteOf(hb.TerminalId, hb.Timestamp).Add(hb, restarted);
            if (!newer)
            {
                _delta.States[hb.TerminalId] = Seen(state, hb.Timestamp);
                return;
            }
            var firmwareChanged = state.Firmware is not null && state.Firmware != hb.Firmware;
            if (firmwareChanged)
                _delta.FirmwareChanges.Add(new FirmwareChange(hb.TerminalId, hb.Timestamp, state.Firmware, hb.Firmware));
            _delta.States[hb.TerminalId] = Seen(state, hb.Timestamp) with
            {
                LastHeartbeatAt = hb.Timestamp, NetworkType = hb.NetworkType, SignalDbm = hb.SignalDbm, LatencyMs = hb.LatencyMs,
                PacketLossPct = hb.PacketLossPct, Firmware = hb.Firmware,
                FirmwareSince = firmwareChanged || state.FirmwareSince is null ? hb.Timestamp : state.FirmwareSince,
                UptimeSec = hb.UptimeSec, BatteryPct = hb.BatteryPct, CpuPct = hb.CpuPct, MemoryPct = hb.MemoryPct,
                Printer = hb.Printer, Scanner = hb.Scanner, PendingOffline = hb.PendingOffline,
            };
        }

        public void Add(Transaction tx)
        {
            MinuteOf(tx.TerminalId, tx.Timestamp).Add(tx);
            var state = StateOf(tx.TerminalId);
            var offAir = tx.Stage == Stage.Connect && tx.Outcome is not (Outcome.Approved or Outcome.Declined);
            _delta.States[tx.TerminalId] = (offAir ? state : Seen(state, tx.Timestamp)) with { LastTransactionAt = Later(state.LastTransactionAt, tx.Timestamp) };
        }

        public RollupDelta TakeDelta()
        {
            var delta = _delta;
            _delta = new RollupDelta();
            return delta;
        }

        private TerminalState StateOf(string terminalId) =>
            _delta.States.TryGetValue(terminalId, out var pending) ? pending : currentState(terminalId) ?? new TerminalState { TerminalId = terminalId };

        private TerminalMinute MinuteOf(string terminalId, DateTimeOffset at)
        {
            var key = (terminalId, TerminalMinute.MinuteOf(at));
            if (!_delta.Minutes.TryGetValue(key, out var minute)) _delta.Minutes[key] = minute = new TerminalMinute(terminalId, key.Item2);
            return minute;
        }

        private static TerminalState Seen(TerminalState s, DateTimeOffset at) => s with { LastSeenAt = Later(s.LastSeenAt, at) };

        private static DateTimeOffset Later(DateTimeOffset? a, DateTimeOffset b) => a is { } x && x > b ? x : b;
    }
}
