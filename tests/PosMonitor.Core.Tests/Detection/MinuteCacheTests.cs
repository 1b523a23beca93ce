using PosMonitor.Core.Detection;
using PosMonitor.Core.Rollups;
using PosMonitor.Core.Telemetry;

namespace PosMonitor.Core.Tests.Detection;

public class MinuteCacheTests
{
    private static readonly DateTimeOffset Minute = new(2026, 12, 7, 10, 0, 0, TimeSpan.Zero);
    private readonly Core.Fleet.Fleet _fleet = TrafficScenario.MakeFleet();

    [Fact]
    public void A_rollups_number_finds_its_terminal_only_while_it_comes_with_the_same_id()
    {
        var index = new FleetIndex(_fleet);
        var cache = new MinuteCache();
        var (a, b) = (index.TerminalIds[0], index.TerminalIds[1]);

        cache.Update(index, Input(version: 1, Row(a, number: 7, sales: 2)), Minute);
        Assert.Equal((2, 0), (Sales(cache, index, a), Sales(cache, index, b)));

        // The same number now comes with another terminal's id (another numbering): found by its id, not the number.
        cache.Update(index, Input(version: 2, Row(b, number: 7, sales: 5)), Minute);
        Assert.Equal((0, 5), (Sales(cache, index, a), Sales(cache, index, b)));

        // An id equal to the first one but another string: looked up again, still right.
        cache.Update(index, Input(version: 3, Row(new string(a.AsSpan()), number: 7, sales: 3)), Minute);
        Assert.Equal((3, 0), (Sales(cache, index, a), Sales(cache, index, b)));
    }

    [Fact]
    public void The_windows_sums_add_and_take_back_each_minute_exactly_even_a_count_past_what_a_block_holds()
    {
        var index = new FleetIndex(_fleet);
        var cache = new MinuteCache();
        // Every terminal of the fleet, so the sums run through the vector lanes as well as the scalar tail.
        var rows = index.TerminalIds.Select((id, i) => Row(id, number: -1, sales: i == 5 ? 70_000 : i % 7)).ToArray();
        cache.Update(index, Input(version: 1, rows), Minute);
        cache.Slide(Minute - TimeSpan.FromMinutes(1), Minute - TimeSpan.FromMinutes(1), Minute);
        Assert.Equal(ushort.MaxValue, Sales(cache, index, index.TerminalIds[5]));
        Assert.Equal(index.TerminalIds.Select((_, i) => i == 5 ? (double)ushort.MaxValue : i % 7), SalesSums(cache.Short, index));

        // The minute changes: its old counts leave the sums exactly, its new ones come in.
        cache.Update(index, Input(version: 2, Row(index.TerminalIds[3], number: -1, sales: 4)), Minute);
        cache.Slide(Minute - TimeSpan.FromMinutes(1), Minute - TimeSpan.FromMinutes(1), Minute);
        Assert.Equal(index.TerminalIds.Select((_, i) => i == 3 ? 4d : 0d), SalesSums(cache.Long, index));
    }

    [Fact]
    public void Rows_a_store_says_changed_replace_theirs_and_the_sums_match_a_minute_read_whole()
    {
        var index = new FleetIndex(_fleet);
        var (incremental, whole) = (new MinuteCache(), new MinuteCache());
        var earlier = Minute - TimeSpan.FromMinutes(1);
        TerminalMinute[] Rows(DateTimeOffset minute, int round) => [.. index.TerminalIds.Select((id, i) =>
            new TerminalMinute(id, minute) { Transactions = i % 5 + round, Cancelled = (i + round) % 3, Number = -1 })];
        var store = new ChangingStore();
        store.Write(Minute, Rows(Minute, 0));
        store.Write(earlier, Rows(earlier, 0));
        void Check()
        {
            incremental.Update(index, store.Input(_fleet, withChanges: true), earlier);
            whole.Update(index, store.Input(_fleet, withChanges: false), earlier);
            foreach (var cache in new[] { incremental, whole }) cache.Slide(Minute - TimeSpan.FromMinutes(1), earlier - TimeSpan.FromMinutes(1), Minute);
            Assert.Equal(whole.Short.Sums, incremental.Short.Sums);
            Assert.Equal(whole.Long.Sums, incremental.Long.Sums);
        }
        Check();

        // Late events change a few rows of both minutes; the incremental cache reads only those.
        store.Write(Minute, [new TerminalMinute(index.TerminalIds[2], Minute) { Transactions = 9, Cancelled = 4, Number = -1 }]);
        store.Write(earlier, [new TerminalMinute(index.TerminalIds[40], earlier) { Transactions = 1, Number = -1 }]);
        Check();
        Assert.Equal(2, store.RowsReadSinceMarks);
        // Replaced, not added to: the row is the terminal's whole minute.
        var cancelled = Signals.Index(Signal.Cancelled);
        Assert.Equal((9, 4), ((int)incremental.Blocks.Last().Of(2)[Signals.Sales], (int)incremental.Blocks.Last().Of(2)[cancelled]));
        Assert.Equal((9d, 4d), (incremental.Short.Sums[2 * Signals.Width + Signals.Sales], incremental.Short.Sums[2 * Signals.Width + cancelled]));
    }

    [Fact]
    public void Minutes_leaving_the_lookback_are_kept_as_sales_and_input_timeouts_in_whole_five_minute_blocks_as_far_as_asked()
    {
        var index = new FleetIndex(_fleet);
        var cache = new MinuteCache();
        var t = 3;
        var id = index.TerminalIds[t];
        var start = new DateTimeOffset(2026, 12, 7, 10, 0, 0, TimeSpan.Zero);
        var rows = new List<TerminalMinute>();
        // A minute each from 10:00 to 10:39: two sales, and an input timeout every fourth minute (one cancelled sale besides).
        for (var i = 0; i < 40; i++)
        {
            var row = new TerminalMinute(id, start.AddMinutes(i)) { Number = -1 };
            for (var k = 0; k < 2; k++) row.Add(Sale(start.AddMinutes(i).AddSeconds(k), i % 4 == 0 && k == 0 ? Outcome.Timeout : Outcome.Approved));
            if (i == 13) row.Add(Sale(start.AddMinutes(i).AddSeconds(30), Outcome.Cancelled));
            rows.Add(row);
        }
        Transaction Sale(DateTimeOffset at, Outcome outcome) => new()
        {
            EventId = $"e-{at:HHmmss}-{outcome}", TerminalId = id, Timestamp = at, Gateway = "gw", Outcome = outcome, LatencyMs = 900,
            Stage = outcome == Outcome.Timeout ? Stage.Input : outcome == Outcome.Cancelled ? Stage.Input : null,
        };
        DetectionInput Through(int minutes) => new()
        {
            Fleet = _fleet, States = new Dictionary<string, TerminalState>(),
            MinuteBatches = [.. rows.Take(minutes).Select((r, i) => new MinuteBatch(r.Minute, 1, [r]))],
        };

        // Now 10:40 with a lookback from 10:24 and 14 minutes kept beyond it: 10:00-10:23 have left the lookback.
        for (var now = 1; now <= 40; now++) cache.Update(index, Through(now), start.AddMinutes(now - 16), keepOlder: TimeSpan.FromMinutes(14));

        // Whole blocks only: 10:10-10:14 and 10:15-10:19 (10:20-10:24 has not wholly left; 10:05-10:09 starts before
        // 10:10). The cancelled sale at 10:13 is a sale, not an input timeout.
        Assert.Equal((21d, 2d), cache.Older.Of(t, start.AddMinutes(10)));
        // Four blocks kept (14 minutes and the one being filled): 10:00-10:04 made room for 10:20-10:24.
        Assert.Equal((31d, 3d), cache.Older.Of(t, start));
        Assert.Equal((0d, 0d), cache.Older.Of(t + 1, start));
    }

    [Fact]
    public void Late_events_a_store_hands_out_as_additions_are_added_to_the_read_they_follow_and_a_heartbeat_minute_stays_one()
    {
        var index = new FleetIndex(_fleet);
        var cache = new MinuteCache();
        var id = index.TerminalIds[4];
        var t = index.TerminalIndex[id];
        var whole = new TerminalMinute(id, Minute) { Transactions = 3, Heartbeats = 1, Number = -1 };
        cache.Update(index, new DetectionInput
        {
            Fleet = _fleet, States = new Dictionary<string, TerminalState>(),
            MinuteBatches = [new MinuteBatch(Minute, 1, [whole]) { Changes = new Additions(mark: 100, basis: -1, []) }],
        }, Minute);
        cache.Slide(Minute - TimeSpan.FromMinutes(1), Minute - TimeSpan.FromMinutes(1), Minute);

        // Two sales and a heartbeat that came late, after the read marked 100.
        TerminalMinute[] late = [new(id, Minute) { Transactions = 2, Cancelled = 1, Number = -1 }, new(id, Minute) { Heartbeats = 1, Number = -1 }];
        cache.Update(index, Added(version: 2, mark: 200, basis: 100, late), Minute);
        cache.Slide(Minute - TimeSpan.FromMinutes(1), Minute - TimeSpan.FromMinutes(1), Minute);
        var cancelled = Signals.Index(Signal.Cancelled);
        var held = cache.Blocks.Single().Of(t);
        Assert.Equal((5, 1, 1), ((int)held[Signals.Sales], (int)held[cancelled], (int)held[Signals.HeartbeatMinutes]));
        Assert.Equal((5d, 1d, 1d), (cache.Short.Sums[t * Signals.Width + Signals.Sales], cache.Short.Sums[t * Signals.Width + cancelled],
            cache.Short.Sums[t * Signals.Width + Signals.HeartbeatMinutes]));

        // Additions after another read than this cache's: nothing it can add them to, and nothing added twice.
        cache.Update(index, Added(version: 3, mark: 300, basis: 999, late), Minute);
        Assert.Equal(5, (int)cache.Blocks.Single().Of(t)[Signals.Sales]);

        // A cache that never read the minute whole leaves it out rather than take its additions for the minute.
        var fresh = new MinuteCache();
        fresh.Update(index, Added(version: 2, mark: 200, basis: 100, late), Minute);
        Assert.Empty(fresh.Blocks);
    }

    [Fact]
    public void Another_fleet_keeps_what_the_blocks_held_for_the_terminals_still_in_it_at_their_new_places()
    {
        var index = new FleetIndex(_fleet);
        var cache = new MinuteCache();
        var rows = index.TerminalIds.Select((id, i) => new TerminalMinute(id, Minute) { Transactions = i + 1, Number = -1 }).ToArray();
        var additions = new Additions(mark: 100, basis: -1, []);
        cache.Update(index, new DetectionInput
        {
            Fleet = _fleet, States = new Dictionary<string, TerminalState>(),
            MinuteBatches = [new MinuteBatch(Minute, 1, rows) { Changes = additions }],
        }, Minute);

        // The first terminal leaves the fleet: every other one moves down a place. The store gave the minute's rows up.
        var gone = index.TerminalIds[0];
        var smaller = new Core.Fleet.Fleet(_fleet.Regions.Values, _fleet.Gateways.Values, _fleet.Merchants.Values, _fleet.Terminals.Values.Where(x => x.Id != gone));
        var next = new FleetIndex(smaller);
        cache.Update(next, new DetectionInput
        {
            Fleet = smaller, States = new Dictionary<string, TerminalState>(),
            MinuteBatches = [new MinuteBatch(Minute, 2, []) { Changes = new Additions(mark: 200, basis: 100, [new TerminalMinute(index.TerminalIds[1], Minute) { Transactions = 10, Number = -1 }]) }],
        }, Minute);
        cache.Slide(Minute - TimeSpan.FromMinutes(1), Minute - TimeSpan.FromMinutes(1), Minute);

        var expected = index.TerminalIds.Skip(1).Select((id, i) => i == 0 ? 12d : i + 2d);
        Assert.Equal(expected, Enumerable.Range(0, next.TerminalCount).Select(t => (double)cache.Blocks.Single().Of(t)[Signals.Sales]));
        Assert.Equal(expected, SalesSums(cache.Short, next));
    }

    private DetectionInput Added(long version, long mark, long basis, TerminalMinute[] rows) => new()
    {
        Fleet = _fleet, States = new Dictionary<string, TerminalState>(),
        MinuteBatches = [new MinuteBatch(Minute, version, rows) { Changes = new Additions(mark, basis, rows) }],
    };

    /// <summary>Late events of a minute a store gave up after a read marked <paramref name="basis"/>, as the live window hands them out.</summary>
    private sealed class Additions(long mark, long basis, TerminalMinute[] rows) : IMinuteChanges
    {
        public long Mark => mark;
        public bool Increments => basis >= 0;
        public IReadOnlyCollection<TerminalMinute>? Since(long since) => since == basis ? rows : null;
    }

    /// <summary>A store of whole rows per minute that, like the live window, can tell which rows changed since a read.</summary>
    private sealed class ChangingStore
    {
        private readonly SortedDictionary<DateTimeOffset, List<(int Written, TerminalMinute Row)>> _minutes = [];
        private int _writes;
        public int RowsReadSinceMarks { get; private set; }

        public void Write(DateTimeOffset minute, IEnumerable<TerminalMinute> rows)
        {
            if (!_minutes.TryGetValue(minute, out var list)) _minutes[minute] = list = [];
            foreach (var row in rows)
            {
                list.RemoveAll(r => r.Row.TerminalId == row.TerminalId);
                list.Add((++_writes, row));
            }
        }

        public DetectionInput Input(Core.Fleet.Fleet fleet, bool withChanges) => new()
        {
            Fleet = fleet, States = new Dictionary<string, TerminalState>(),
            MinuteBatches = [.. _minutes.Select(m => new MinuteBatch(m.Key, m.Value.Max(r => r.Written), m.Value.Select(r => r.Row).ToList())
            {
                Changes = withChanges ? new Changes(this, m.Value.ToList(), _writes) : null,
            })],
        };

        private sealed class Changes(ChangingStore store, List<(int Written, TerminalMinute Row)> rows, int mark) : IMinuteChanges
        {
            public long Mark => mark;

            public IReadOnlyCollection<TerminalMinute>? Since(long since)
            {
                var changed = rows.Where(r => r.Written > since).Select(r => r.Row).ToList();
                store.RowsReadSinceMarks += changed.Count;
                return changed;
            }
        }
    }

    private static IEnumerable<double> SalesSums(MinuteCache.RunningSum sum, FleetIndex index) =>
        Enumerable.Range(0, index.TerminalCount).Select(t => sum.Sums[t * Signals.Width + Signals.Sales]);

    private DetectionInput Input(long version, params TerminalMinute[] rows) => new()
    {
        Fleet = _fleet, States = new Dictionary<string, TerminalState>(), MinuteBatches = [new MinuteBatch(Minute, version, rows)],
    };

    private static TerminalMinute Row(string terminal, int number, int sales) => new(terminal, Minute) { Transactions = sales, Number = number };

    private static float Sales(MinuteCache cache, FleetIndex index, string terminal) =>
        cache.Blocks.Single().Of(index.TerminalIndex[terminal])[0];
}
