using PosMonitor.Core.Telemetry;
using PosMonitor.Web.Features.Telemetry;

namespace PosMonitor.Web.Tests.Telemetry;

public class RecentEventKeysTests
{
    private const long Minute = 1_795_608_000_000; // a minute boundary

    [Fact]
    public void A_due_minute_moves_in_sorted_pieces_and_is_forgotten_only_after_its_last_piece()
    {
        var keys = new RecentEventKeys();
        keys.Reset(Minute - 60_000);
        foreach (var id in new[] { "a", "b", "c" }) keys.Add(Minute + 5_000, RecentEventKeys.KeyOf(EventKind.Transaction, Minute + 5_000, id));
        keys.Add(Minute + 60_000, RecentEventKeys.KeyOf(EventKind.Transaction, Minute + 60_000, "later"));

        Assert.False(keys.HasDue(Minute)); // nothing held is older than that
        Assert.True(keys.HasDue(Minute + 60_000));
        var first = keys.NextSpill(before: Minute + 60_000, max: 2)!;
        Assert.Equal((Minute, 2, false), (first.Minute, first.Keys.Count, first.CompletesMinute));
        Assert.Equal(Minute, keys.SpillingMinute);
        keys.Spilled(first);
        Assert.True(keys.HasDue(Minute + 60_000)); // half moved
        Assert.True(keys.Covers(Minute + 5_000)); // still answered from memory until the whole minute is in the table

        var last = keys.NextSpill(Minute + 60_000, 2)!;
        Assert.Equal((1, true), (last.Keys.Count, last.CompletesMinute));
        var all = first.Keys.Concat(last.Keys).ToList();
        Assert.Equal(all.Order().ToList(), all); // appended in the table's order
        keys.Spilled(last);

        Assert.False(keys.Covers(Minute + 5_000));
        Assert.Equal(Minute + 60_000, keys.SpilledBefore);
        Assert.Equal(1, keys.Count);
        Assert.Equal(long.MinValue, keys.SpillingMinute);
        Assert.Null(keys.NextSpill(Minute + 60_000, 2)); // the later minute is not due
        Assert.False(keys.HasDue(Minute + 60_000));
    }

    [Fact]
    public void A_new_minute_after_one_moved_to_the_table_starts_empty()
    {
        var keys = new RecentEventKeys();
        keys.Reset(Minute - 60_000);
        var old = RecentEventKeys.KeyOf(EventKind.Transaction, Minute + 5_000, "a");
        keys.Add(Minute + 5_000, old);
        keys.Add(Minute + 60_000, RecentEventKeys.KeyOf(EventKind.Transaction, Minute + 60_000, "b"));
        var piece = keys.NextSpill(Minute + 60_000, 10)!;
        keys.Spilled(piece);

        // The moved minute's set is emptied and taken by the next new minute: none of its keys come with it.
        var next = RecentEventKeys.KeyOf(EventKind.Transaction, Minute + 125_000, "c");
        keys.Add(Minute + 125_000, next);
        Assert.False(keys.Contains(Minute + 125_000, old));
        Assert.True(keys.Contains(Minute + 125_000, next));
        Assert.Equal(2, keys.Count);
        var moved = keys.NextSpill(Minute + 180_000, 10)!;
        Assert.Equal([RecentEventKeys.KeyOf(EventKind.Transaction, Minute + 60_000, "b")], moved.Keys);
    }

    [Fact]
    public void The_same_id_in_another_list_or_at_another_time_is_another_key()
    {
        var sale = RecentEventKeys.KeyOf(EventKind.Transaction, Minute, "e-1");
        Assert.Equal(sale, RecentEventKeys.KeyOf(EventKind.Transaction, Minute, "e-1"));
        Assert.NotEqual(sale, RecentEventKeys.KeyOf(EventKind.Heartbeat, Minute, "e-1"));
        Assert.NotEqual(sale, RecentEventKeys.KeyOf(EventKind.Transaction, Minute + 1, "e-1"));
    }
}
