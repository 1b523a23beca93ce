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

    [Fact]
    public void A_batch_handed_out_stays_as_it_was_while_later_updates_grow_and_compact_its_minute()
    {
        var window = new LiveMinuteWindow();
        window.Apply([.. Enumerable.Range(0, 50).Select(i => Row($"T-{i}", Minute, timeouts: 1))]);
        var before = window.Between(Minute, Minute.AddMinutes(1));
        // Every terminal's row replaced many times over: the minute's buffer grows and is compacted meanwhile.
        for (var round = 0; round < 40; round++) window.Apply([.. Enumerable.Range(0, 50).Select(i => Row($"T-{i}", Minute, timeouts: 1))]);

        Assert.All(before[0].Terminals, row => Assert.Equal((1, 1), (row.Transactions, row.Timeouts)));
        // Read as the engine reads them: a row is valid until the enumeration moves on (one rollup is refilled).
        var after = window.Between(Minute, Minute.AddMinutes(1))[0].Terminals.Select(r => (r.TerminalId, r.Transactions, r.Timeouts)).ToList();
        Assert.Equal(50, after.Count);
        Assert.All(after, row => Assert.Equal((41, 41), (row.Transactions, row.Timeouts)));
        Assert.Equal(Enumerable.Range(0, 50).Select(i => $"T-{i}").Order(), after.Select(r => r.TerminalId).Order());
    }

    [Fact]
    public void A_later_read_tells_the_rows_changed_since_an_earlier_one_until_its_minute_is_compacted()
    {
        var window = new LiveMinuteWindow();
        window.Apply([.. Enumerable.Range(0, 50).Select(i => Row($"T-{i}", Minute, timeouts: 1))]);
        var first = window.Between(Minute, Minute.AddMinutes(1)).Single();
        window.Apply([Row("T-7", Minute, timeouts: 1), Row("T-9", Minute, timeouts: 0)]);
        window.Apply([Row("T-7", Minute, timeouts: 0)]);
        var second = window.Between(Minute, Minute.AddMinutes(1)).Single();

        var changed = second.Changes!.Since(first.Changes!.Mark)!.Select(r => (r.TerminalId, r.Transactions, r.Timeouts)).ToList();
        Assert.Equal([("T-7", 3, 2), ("T-9", 2, 1)], changed);
        Assert.Empty(second.Changes.Since(second.Changes.Mark)!);

        // Rewritten enough to be compacted: where rows lie says nothing of when they were written any more.
        for (var round = 0; round < 40; round++) window.Apply([.. Enumerable.Range(0, 50).Select(i => Row($"T-{i}", Minute, timeouts: 1))]);
        var third = window.Between(Minute, Minute.AddMinutes(1)).Single();
        Assert.Null(third.Changes!.Since(second.Changes.Mark));
        Assert.Equal(50, third.Terminals.Count);
    }

    [Fact]
    public void A_minute_of_200000_heartbeating_terminals_is_held_in_a_few_MB()
    {
        var window = new LiveMinuteWindow();
        var rows = Enumerable.Range(0, 200_000).Select(i =>
        {
            var row = new TerminalMinute($"T-{i:D6}", Minute);
            row.Add(new Heartbeat
            {
                EventId = "h", TerminalId = row.TerminalId, Timestamp = Minute, NetworkType = NetworkType.Wifi, LatencyMs = 45, PacketLossPct = 0.5,
                SignalDbm = -70, CpuPct = 20, MemoryPct = 40, Firmware = "1", UptimeSec = 5, Printer = PrinterStatus.Ok, Scanner = ScannerStatus.Ok, PendingOffline = 0,
            }, restarted: false);
            return row;
        });
        window.Apply(rows);

        // As objects in a dictionary these were ~50 MB a minute; 17 minutes of them made most of a 200k fleet's memory.
        Assert.InRange(window.HeldBytes, 1, 12 * 1024 * 1024);
        var batch = window.Between(Minute, Minute.AddMinutes(1)).Single();
        Assert.Equal(200_000, batch.Terminals.Count);
        Assert.Equal(200_000, batch.Terminals.Sum(r => r.Heartbeats));
    }

    [Fact]
    public void A_minute_the_engine_read_gives_up_its_rows_once_old_and_hands_out_later_events_as_additions_to_that_read()
    {
        var window = new LiveMinuteWindow();
        window.Apply([.. Enumerable.Range(0, 50).Select(i => Row($"T-{i}", Minute, timeouts: 1))]);
        var read = window.Between(Minute, Minute.AddMinutes(1)).Single();
        var whole = window.HeldBytes;

        // Not read yet: however old, the minute stays whole (a node not leading detection keeps its window so).
        Assert.False(window.Between(Minute, Minute.AddMinutes(9)).Single().Changes!.Increments);
        window.Read([read]);
        // Read, but still among the newest minutes, where late events land: whole.
        Assert.False(window.Between(Minute, Minute.AddMinutes(3)).Single().Changes!.Increments);
        var sealedBatch = window.Between(Minute, Minute.AddMinutes(4)).Single();
        Assert.True(sealedBatch.Changes!.Increments);
        Assert.Equal(read.Version, sealedBatch.Version);
        Assert.Empty(sealedBatch.Terminals);
        Assert.True(window.HeldBytes < whole / 2, $"{window.HeldBytes} of {whole} bytes still held");

        // Late events: each row as it came, not merged with the rows given up, after the read they add to.
        window.Apply([Row("T-7", Minute, timeouts: 1)]);
        window.Apply([Row("T-7", Minute, timeouts: 0), Row("T-9", Minute, timeouts: 2)]);
        var late = window.Between(Minute, Minute.AddMinutes(9)).Single();
        Assert.NotEqual(read.Version, late.Version);
        Assert.Equal([("T-7", 1, 1), ("T-7", 1, 0), ("T-9", 1, 2)],
            late.Changes!.Since(read.Changes!.Mark)!.Select(r => (r.TerminalId, r.Transactions, r.Timeouts)).ToList());

        window.Apply([Row("T-3", Minute, timeouts: 1)]);
        var later = window.Between(Minute, Minute.AddMinutes(9)).Single();
        Assert.Equal([("T-3", 1, 1)], later.Changes!.Since(late.Changes.Mark)!.Select(r => (r.TerminalId, r.Transactions, r.Timeouts)).ToList());
        // A batch handed out reads only the rows there were when it was made.
        Assert.Equal(3, late.Terminals.Count);
        Assert.Equal(3, late.Terminals.Select(r => r.TerminalId).Count());
        // A mark of no read these additions follow (another engine's): nothing to add to.
        Assert.Null(later.Changes.Since(12345));
    }

    [Fact]
    public void A_new_minute_reuses_what_a_minute_gave_up_and_holds_only_its_own_rows()
    {
        var window = new LiveMinuteWindow();
        window.Apply([.. Enumerable.Range(0, 50).Select(i => Row($"T-{i}", Minute, timeouts: 1))]);
        window.Read(window.Between(Minute, Minute.AddMinutes(1)));
        Assert.True(window.Between(Minute, Minute.AddMinutes(9)).Single().Changes!.Increments);

        // The next minute takes the buffers given up: only its three rows are in it, as they were written.
        window.Apply([Row("T-3", Minute.AddMinutes(6), timeouts: 2), Row("T-40", Minute.AddMinutes(6), timeouts: 0), Row("T-60", Minute.AddMinutes(6), timeouts: 1)]);
        var next = window.Between(Minute.AddMinutes(6), Minute.AddMinutes(7)).Single();
        Assert.Equal([("T-3", 1, 2), ("T-40", 1, 0), ("T-60", 1, 1)],
            next.Terminals.Select(r => (r.TerminalId, r.Transactions, r.Timeouts)).OrderBy(r => r.TerminalId, StringComparer.Ordinal).ToList());
    }

    [Fact]
    public void A_minute_changed_after_its_read_keeps_its_rows_until_it_is_read_as_it_is()
    {
        var window = new LiveMinuteWindow();
        window.Apply([Row("T-1", Minute, timeouts: 1)]);
        var read = window.Between(Minute, Minute.AddMinutes(1)).Single();
        window.Apply([Row("T-1", Minute, timeouts: 1)]);
        window.Read([read]);
        var changed = window.Between(Minute, Minute.AddMinutes(9)).Single();
        Assert.False(changed.Changes!.Increments);
        Assert.Equal(2, changed.Terminals.Single().Transactions);

        window.Read([changed]);
        Assert.True(window.Between(Minute, Minute.AddMinutes(9)).Single().Changes!.Increments);
    }

    [Fact]
    public void Without_runs_asking_minutes_past_what_it_keeps_are_forgotten_by_the_clock()
    {
        var time = new Microsoft.Extensions.Time.Testing.FakeTimeProvider(Minute.AddMinutes(10));
        var window = new LiveMinuteWindow(time, TimeSpan.FromMinutes(5));
        window.Apply([Row("T-1", Minute, 1), Row("T-1", Minute.AddMinutes(6), 1), Row("T-1", Minute.AddMinutes(9), 1)]);
        time.Advance(TimeSpan.FromMinutes(2));
        window.Apply([Row("T-1", Minute.AddMinutes(11), 1)]);

        Assert.Equal([Minute.AddMinutes(9), Minute.AddMinutes(11)], window.Between(DateTimeOffset.MinValue, DateTimeOffset.MaxValue).Select(b => b.Minute));
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
