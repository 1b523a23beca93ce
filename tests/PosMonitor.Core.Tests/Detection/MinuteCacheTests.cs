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

    private DetectionInput Input(long version, params TerminalMinute[] rows) => new()
    {
        Fleet = _fleet, States = new Dictionary<string, TerminalState>(), MinuteBatches = [new MinuteBatch(Minute, version, rows)],
    };

    private static TerminalMinute Row(string terminal, int number, int sales) => new(terminal, Minute) { Transactions = sales, Number = number };

    private static float Sales(MinuteCache cache, FleetIndex index, string terminal) =>
        cache.Blocks.Single().Of(index.TerminalIndex[terminal])[0];
}
