using PosMonitor.Core.Detection;
using PosMonitor.Core.Rollups;

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
        var input = Signals.Index(Signal.Input);
        Assert.Equal((9, 4), ((int)incremental.Blocks.Last().Of(2)[Signals.Sales], (int)incremental.Blocks.Last().Of(2)[input]));
        Assert.Equal((9d, 4d), (incremental.Short.Sums[2 * Signals.Width + Signals.Sales], incremental.Short.Sums[2 * Signals.Width + input]));
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
