using Dapper;
using Microsoft.Extensions.Logging.Abstractions;
using PosMonitor.Core.Rollups;
using PosMonitor.Core.Telemetry;
using PosMonitor.Web.Features.Telemetry;
using PosMonitor.Web.Infrastructure.Cluster;
using PosMonitor.Web.Infrastructure.Data;
using PosMonitor.Web.Infrastructure.Observability;
using PosMonitor.Web.Tests.Infrastructure;

namespace PosMonitor.Web.Tests.Telemetry;

/// <summary>
/// Two writers (nodes A and B, PosMonitor:Cluster) on one database, each folding its own commits into rollups in memory:
/// whatever node crashes when, the rollups end up holding every stored event once, as one node's would.
/// A crashed writer is a store whose commits were made and whose flush never ran (or ran part-way).
/// </summary>
public class RollupAdoptionTests
{
    private static readonly DateTimeOffset Now = DateTimeOffset.UtcNow;
    private long _stamp = Now.ToUnixTimeMilliseconds();
    private int _id;

    [Theory]
    [MemberData(nameof(TestDatabase.Providers), MemberType = typeof(TestDatabase))]
    public async Task A_restarting_node_folds_its_own_unwritten_events_and_not_those_another_node_still_holds(DatabaseProvider provider)
    {
        await using var database = await TestDatabase.CreateAsync(provider);
        var a = Store(database, "node-a");
        var b = Store(database, "node-b");
        // Both take sales of the same terminals (a load balancer spreads them); neither has written its rollups.
        await Commit(a, Sales(3, "T-000001"), Sales(2, "T-000002"));
        var fromB = await Commit(b, Sales(4, "T-000001"), Sales(1, "T-000002"));

        // A crashes and starts again: its own three-and-two are folded, B's are B's to write.
        await StartAndStopWriter(database, Store(database, "node-a"));
        Assert.Equal([("T-000001", 3L), ("T-000002", 2L)], await Totals(database));

        // B, alive all along, flushes what it holds.
        await b.FlushAsync(fromB.Fold(_ => null), _stamp, CancellationToken.None);
        Assert.Equal([("T-000001", 7L), ("T-000002", 3L)], await Totals(database));
        Assert.Equal(0, await Pending(database));
    }

    [Theory]
    [MemberData(nameof(TestDatabase.Providers), MemberType = typeof(TestDatabase))]
    public async Task The_events_of_a_node_gone_mid_flush_are_adopted_by_the_leader_each_once(DatabaseProvider provider)
    {
        await using var database = await TestDatabase.CreateAsync(provider);
        var a = Store(database, "node-a");
        var b = Store(database, "node-b");
        var fromA = await Commit(a, Sales(2, "T-000001"), Sales(2, "T-000002"));
        var first = await Commit(b, Sales(3, "T-000001"), Sales(1, "T-000002"), Sales(2, "T-000003"));
        var second = await Commit(b, Sales(1, "T-000001"), Sales(1, "T-000003"));
        // B's flush writes its first chunk (rows in key order: T-000001's) and B dies for good.
        var pending = new RollupDelta();
        pending.MergeFrom(first.Fold(_ => null));
        pending.MergeFrom(second.Fold(_ => null));
        var firstRow = pending.Minutes.Values.Order(TelemetryStore.FlushOrder.Instance).First();
        await b.WriteRollupsAsync(new RollupChunk([firstRow], [], [], _stamp, Completes: false), CancellationToken.None);
        // A writes its own, rows shared with B's included.
        await a.FlushAsync(fromA.Fold(_ => null), _stamp, CancellationToken.None);

        // A's heartbeat is fresh; B's stopped a lease ago.
        var cluster = new ClusterStore(database.Db);
        var later = new ShiftedTime(TimeSpan.FromMinutes(1));
        await cluster.HeartbeatAsync("node-a", Now, "test", later.GetUtcNow(), CancellationToken.None);
        await cluster.HeartbeatAsync("node-b", Now, "test", Now, CancellationToken.None);
        Assert.Equal(1, await AdoptJob(database, a, later).AdoptGoneAsync(CancellationToken.None));

        Assert.Equal([("T-000001", 6L), ("T-000002", 3L), ("T-000003", 3L)], await Totals(database));
        Assert.Equal(0, await Pending(database));
        // Nothing left to adopt: a second run changes nothing.
        Assert.Equal(0, await AdoptJob(database, a, later).AdoptGoneAsync(CancellationToken.None));
        Assert.Equal([("T-000001", 6L), ("T-000002", 3L), ("T-000003", 3L)], await Totals(database));
    }

    [Theory]
    [MemberData(nameof(TestDatabase.Providers), MemberType = typeof(TestDatabase))]
    public async Task Two_survivors_adopting_the_same_node_at_once_fold_its_events_once(DatabaseProvider provider)
    {
        await using var database = await TestDatabase.CreateAsync(provider);
        var b = Store(database, "node-b");
        var fromB = await Commit(b, Sales(3, "T-000001"), Sales(2, "T-000002"));
        // B wrote half its flush (T-000001's row) before it died.
        var firstRow = fromB.Fold(_ => null).Minutes.Values.Order(TelemetryStore.FlushOrder.Instance).First();
        await b.WriteRollupsAsync(new RollupChunk([firstRow], [], [], _stamp, Completes: false), CancellationToken.None);

        // A and C both read B's holder and events, then write: the one second to write finds them taken.
        var a = Store(database, "node-a");
        var c = Store(database, "node-c");
        var holderSeenByC = (await c.HoldersAsync(CancellationToken.None)).Single(h => h.Node == "node-b");
        var pendingSeenByC = await c.PendingAsync(holderSeenByC.Holder, CancellationToken.None);
        Assert.Equal(5, pendingSeenByC.Transactions.Count);
        var holderSeenByA = (await a.HoldersAsync(CancellationToken.None)).Single(h => h.Node == "node-b");
        Assert.Equal(5, await Adoption(database, a).AdoptAsync(holderSeenByA, CancellationToken.None));
        var stale = new RollupDelta();
        foreach (var m in fromB.Fold(_ => null).Minutes) stale.Minutes[m.Key] = m.Value;
        Assert.False(await c.AdoptAsync(holderSeenByC, pendingSeenByC, stale, CancellationToken.None));

        Assert.Equal([("T-000001", 3L), ("T-000002", 2L)], await Totals(database));
        Assert.Empty(await a.HoldersAsync(CancellationToken.None));
    }

    [Theory]
    [MemberData(nameof(TestDatabase.Providers), MemberType = typeof(TestDatabase))]
    public async Task Two_survivors_racing_through_the_whole_adoption_fold_once(DatabaseProvider provider)
    {
        await using var database = await TestDatabase.CreateAsync(provider);
        var b = Store(database, "node-b");
        await Commit(b, Sales(3, "T-000001"), Sales(2, "T-000002"));
        var holder = (await b.HoldersAsync(CancellationToken.None)).Single();

        var results = await Task.WhenAll(
            Task.Run(() => Adoption(database, Store(database, "node-a")).AdoptAsync(holder, CancellationToken.None)),
            Task.Run(() => Adoption(database, Store(database, "node-c")).AdoptAsync(holder, CancellationToken.None)));

        Assert.Single(results, r => r == 5);
        Assert.Equal([("T-000001", 3L), ("T-000002", 2L)], await Totals(database));
    }

    [Theory]
    [MemberData(nameof(TestDatabase.Providers), MemberType = typeof(TestDatabase))]
    public async Task A_node_whose_rollups_were_adopted_while_it_was_paused_drops_its_copy_and_goes_on(DatabaseProvider provider)
    {
        await using var database = await TestDatabase.CreateAsync(provider);
        var b = Store(database, "node-b");
        var queue = new IngestionQueue(Microsoft.Extensions.Options.Options.Create(new IngestionOptions()));
        // B flushes only when it stops.
        await using var writer = Writer(database, b, queue, flushMilliseconds: 600_000);
        await writer.StartAsync(CancellationToken.None);
        await Send(queue, Sales(3, "T-000001"));

        // B was taken for gone (paused past its lease): A adopts what B holds.
        var a = Store(database, "node-a");
        var holder = (await a.HoldersAsync(CancellationToken.None)).Single(h => h.Node == "node-b");
        Assert.Equal(3, await Adoption(database, a).AdoptAsync(holder, CancellationToken.None));

        // B goes on: its next commit finds itself adopted, drops the three and stores the two as a new holder.
        await Send(queue, Sales(2, "T-000001"));
        await writer.StopAsync(CancellationToken.None);

        Assert.Equal([("T-000001", 5L)], await Totals(database));
        Assert.Equal(0, await Pending(database));
    }

    [Fact]
    public async Task A_single_node_folds_every_earlier_run_at_start_whatever_its_name()
    {
        await using var database = await TestDatabase.CreateAsync(DatabaseProvider.Sqlite);
        // Cluster off: the default name changes with the process, and every earlier run is still this node's.
        var before = new TelemetryStore(database.Db, new RecentEventKeys(),
            Microsoft.Extensions.Options.Options.Create(new ClusterOptions { NodeName = "host-1234" }));
        await Commit(before, Sales(3, "T-000001"));

        await StartAndStopWriter(database, new TelemetryStore(database.Db, new RecentEventKeys()));

        Assert.Equal([("T-000001", 3L)], await Totals(database));
        Assert.Equal(0, await Pending(database));
    }

    private static TelemetryStore Store(TestDatabase database, string node) => NodeStores.Of(database, node);

    private static RollupAdoption Adoption(TestDatabase database, TelemetryStore store) =>
        new(store, new TerminalStateCache(database.Db), NullLogger<RollupAdoption>.Instance);

    private static AdoptRollupsJob AdoptJob(TestDatabase database, TelemetryStore store, TimeProvider time)
    {
        var states = new TerminalStateCache(database.Db);
        return new AdoptRollupsJob(store, new RollupAdoption(store, states, NullLogger<RollupAdoption>.Instance), new ClusterStore(database.Db),
            states, Microsoft.Extensions.Options.Options.Create(new ClusterOptions { Enabled = true, Redis = "unused" }), time);
    }

    private static async Task StartAndStopWriter(TestDatabase database, TelemetryStore store)
    {
        var queue = new IngestionQueue(Microsoft.Extensions.Options.Options.Create(new IngestionOptions()));
        await using var writer = Writer(database, store, queue);
        await writer.StartAsync(CancellationToken.None);
        await writer.StopAsync(CancellationToken.None);
    }

    private static WriterHost Writer(TestDatabase database, TelemetryStore store, IngestionQueue queue, int flushMilliseconds = 5000)
    {
        var options = Microsoft.Extensions.Options.Options.Create(new IngestionOptions { RollupFlushMilliseconds = flushMilliseconds });
        var states = new TerminalStateCache(database.Db);
        var meters = new TestMeterFactory();
        var feed = new TelemetryFeed(NullLogger<TelemetryFeed>.Instance);
        var writer = new IngestionWriter(queue, store, states, feed, new RollupAdoption(store, states, NullLogger<RollupAdoption>.Instance),
            new IngestionMetrics(new PosMonitorMetrics(meters, TimeProvider.System), queue, TimeProvider.System), options, TimeProvider.System,
            NullLogger<IngestionWriter>.Instance);
        return new WriterHost(writer, meters, feed);
    }

    private sealed class WriterHost(IngestionWriter writer, TestMeterFactory meters, TelemetryFeed feed) : IAsyncDisposable
    {
        public Task StartAsync(CancellationToken ct) => writer.StartAsync(ct);
        public Task StopAsync(CancellationToken ct) => writer.StopAsync(ct);

        public ValueTask DisposeAsync()
        {
            writer.Dispose();
            feed.Dispose();
            meters.Dispose();
            return ValueTask.CompletedTask;
        }
    }

    private static async Task Send(IngestionQueue queue, Transaction[] sales)
    {
        var batch = new IngestBatch([], sales);
        Assert.True(queue.TryEnqueue(batch));
        Assert.Equal(0, await batch.Stored.Task);
    }

    private async Task<CommitResult> Commit(TelemetryStore store, params Transaction[][] sales)
    {
        await store.LoadRecentKeysAsync(CancellationToken.None);
        return await store.CommitAsync([new IngestBatch([], [.. sales.SelectMany(s => s)])], ++_stamp, CancellationToken.None);
    }

    private Transaction[] Sales(int count, string terminal) =>
        [.. Enumerable.Range(0, count).Select(_ => new Transaction
        {
            EventId = $"e-{++_id}", TerminalId = terminal, Timestamp = Now.AddSeconds(-10), Gateway = "gw-1", Outcome = Outcome.Approved, LatencyMs = 300,
        })];

    private static async Task<List<(string Terminal, long Transactions)>> Totals(TestDatabase database)
    {
        await using var c = await database.Db.OpenAsync();
        return [.. await c.QueryAsync<(string, long)>("SELECT terminal_id, SUM(transactions) FROM terminal_minutes GROUP BY terminal_id ORDER BY terminal_id")];
    }

    private static async Task<int> Pending(TestDatabase database)
    {
        await using var c = await database.Db.OpenAsync();
        return await c.ExecuteScalarAsync<int>("SELECT COUNT(*) FROM rollup_pending");
    }

    /// <summary>The clock a while on: the leader looking at the nodes once B's lease has run out.</summary>
    private sealed class ShiftedTime(TimeSpan by) : TimeProvider
    {
        public override DateTimeOffset GetUtcNow() => System.GetUtcNow() + by;
    }
}
