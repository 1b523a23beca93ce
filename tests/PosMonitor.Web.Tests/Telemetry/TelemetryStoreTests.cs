using Dapper;
using Microsoft.Extensions.Logging.Abstractions;
using PosMonitor.Core.Rollups;
using PosMonitor.Core.Telemetry;
using PosMonitor.Web.Features.Telemetry;
using PosMonitor.Web.Infrastructure.Data;
using PosMonitor.Web.Infrastructure.Observability;
using PosMonitor.Web.Tests.Infrastructure;

namespace PosMonitor.Web.Tests.Telemetry;

/// <summary>
/// The writer's store directly (no host, no writer loop): raw events appended in arrival order, and
/// a resend found as a duplicate wherever its key lives — in memory, in event_keys after its minute
/// moved there, as a late event, and after a restart.
/// </summary>
public class TelemetryStoreTests
{
    private static readonly DateTimeOffset Now = new(2026, 11, 25, 12, 0, 30, TimeSpan.Zero);
    private long _stamp = Now.ToUnixTimeMilliseconds();

    [Theory]
    [MemberData(nameof(TestDatabase.Providers), MemberType = typeof(TestDatabase))]
    public async Task A_resend_is_a_duplicate_in_memory_after_its_minute_moved_to_the_table_and_when_it_came_late(DatabaseProvider provider)
    {
        await using var database = await TestDatabase.CreateAsync(provider);
        var store = new TelemetryStore(database.Db, new RecentEventKeys());
        await store.LoadRecentKeysAsync(CancellationToken.None);

        var recent = Sale("recent", Now.AddSeconds(-20));
        var late = Sale("late", Now.AddDays(-2));
        var first = await Commit(store, [recent, late, Sale("recent", Now.AddSeconds(-20))]);
        Assert.Equal((2, 1), (first.Stored, first.DuplicatesPerBatch[0]));

        // Both again: the recent one is caught in memory, the late one by event_keys.
        var again = await Commit(store, [recent, late]);
        Assert.Equal((0, 2), (again.Stored, again.DuplicatesPerBatch[0]));

        // The recent event's minute moves to the table; a resend is still a duplicate, and the same
        // eventId with another timestamp is another event.
        await store.FlushAsync(new RollupDelta(), _stamp, CancellationToken.None, spillBefore: RecentEventKeys.MinuteOf(Now.ToUnixTimeMilliseconds()) + 60_000);
        var afterSpill = await Commit(store, [recent, Sale("recent", Now.AddSeconds(-19))]);
        Assert.Equal((1, 1), (afterSpill.Stored, afterSpill.DuplicatesPerBatch[0]));

        await using var c = await database.Db.OpenAsync();
        Assert.Equal(3, await c.ExecuteScalarAsync<int>("SELECT COUNT(*) FROM transactions"));
        Assert.Equal(3, await c.ExecuteScalarAsync<int>("SELECT COUNT(*) FROM event_keys"));
        // Rows are keyed by arrival: commit stamp, then position in the commit.
        var keys = (await c.QueryAsync<(long ReceivedAt, long Seq)>("SELECT received_at, seq FROM transactions ORDER BY received_at, seq")).ToList();
        Assert.Equal([(first.Stamp, 1L), (first.Stamp, 2L), (afterSpill.Stamp, 1L)], keys.Select(k => (k.ReceivedAt, k.Seq)));
    }

    [Theory]
    [MemberData(nameof(TestDatabase.Providers), MemberType = typeof(TestDatabase))]
    public async Task After_a_restart_the_keys_not_yet_in_the_table_are_reloaded_from_the_raw_events(DatabaseProvider provider)
    {
        await using var database = await TestDatabase.CreateAsync(provider);
        var store = new TelemetryStore(database.Db, new RecentEventKeys());
        await store.LoadRecentKeysAsync(CancellationToken.None);
        var heartbeat = Heartbeat("hb-1", Now.AddSeconds(-5));
        var sale = Sale("tx-1", Now.AddSeconds(-3));
        await Commit(store, [sale], [heartbeat]);

        // A new process: memory starts empty and is rebuilt before the first commit.
        var restarted = new TelemetryStore(database.Db, new RecentEventKeys());
        await restarted.LoadRecentKeysAsync(CancellationToken.None);
        var resent = await Commit(restarted, [sale], [heartbeat]);
        Assert.Equal((0, 2), (resent.Stored, resent.DuplicatesPerBatch[0]));
    }

    [Theory]
    [MemberData(nameof(TestDatabase.Providers), MemberType = typeof(TestDatabase))]
    public async Task Recovery_after_a_crash_mid_flush_folds_each_event_once_into_rows_written_or_not(DatabaseProvider provider)
    {
        await using var database = await TestDatabase.CreateAsync(provider);
        var store = new TelemetryStore(database.Db, new RecentEventKeys());
        await store.LoadRecentKeysAsync(CancellationToken.None);
        var minute = RecentEventKeys.MinuteOf(Now.ToUnixTimeMilliseconds());
        // Two commits, one timeout each for two terminals; the rollups of both are pending.
        var first = await store.CommitAsync([new IngestBatch([], [Sale("a", Now.AddSeconds(-20), "T-000001", Outcome.Timeout), Sale("b", Now.AddSeconds(-20), "T-000002", Outcome.Timeout)])],
            ++_stamp, CancellationToken.None);
        var second = await store.CommitAsync([new IngestBatch([], [Sale("c", Now.AddSeconds(-10), "T-000001", Outcome.Timeout)])],
            ++_stamp, CancellationToken.None);
        var pending = new RollupDelta();
        pending.MergeFrom(first.Fold(_ => null));
        pending.MergeFrom(second.Fold(_ => null));
        // The flush wrote its first chunk (T-000001's row, holding both of its sales) and then the process died.
        var t1 = pending.Minutes.Values.Single(m => m.TerminalId == "T-000001");
        await store.WriteRollupsAsync(new RollupChunk([t1], [], [], _stamp, Completes: false), CancellationToken.None);

        var options = Microsoft.Extensions.Options.Options.Create(new IngestionOptions());
        var states = new TerminalStateCache(database.Db);
        var queue = new IngestionQueue(options);
        using var meters = new TestMeterFactory();
        using var feed = new TelemetryFeed(Microsoft.Extensions.Logging.Abstractions.NullLogger<TelemetryFeed>.Instance);
        var restarted = new TelemetryStore(database.Db, new RecentEventKeys());
        var writer = new IngestionWriter(queue, restarted, states, feed, new RollupAdoption(restarted, states, NullLogger<RollupAdoption>.Instance),
            new IngestionMetrics(new PosMonitorMetrics(meters, TimeProvider.System), queue, TimeProvider.System), options, TimeProvider.System,
            Microsoft.Extensions.Logging.Abstractions.NullLogger<IngestionWriter>.Instance);
        await writer.StartAsync(CancellationToken.None);
        await writer.StopAsync(CancellationToken.None);

        await using var c = await database.Db.OpenAsync();
        var rows = (await c.QueryAsync<(string Terminal, long Transactions, long Timeouts)>(
            "SELECT terminal_id, transactions, timeouts FROM terminal_minutes WHERE minute = @minute ORDER BY terminal_id", new { minute })).ToList();
        Assert.Equal([("T-000001", 2L, 2L), ("T-000002", 1L, 1L)], rows.Select(r => (r.Terminal, r.Transactions, r.Timeouts)));
        Assert.Equal(_stamp, await store.WatermarkAsync(CancellationToken.None));
    }

    private async Task<(int Stored, int[] DuplicatesPerBatch, long Stamp)> Commit(TelemetryStore store, Transaction[] sales, Heartbeat[]? heartbeats = null)
    {
        var stamp = ++_stamp;
        var result = await store.CommitAsync([new IngestBatch(heartbeats ?? [], sales)], stamp, CancellationToken.None);
        return (result.Stored, result.DuplicatesPerBatch, stamp);
    }

    private static Transaction Sale(string id, DateTimeOffset at, string terminal = "T-000001", Outcome outcome = Outcome.Approved) => new()
    {
        EventId = id, TerminalId = terminal, Timestamp = at, Gateway = "gw-1", Outcome = outcome,
        Stage = outcome == Outcome.Timeout ? Stage.Gateway : null, LatencyMs = 800,
    };

    private static Heartbeat Heartbeat(string id, DateTimeOffset at) => new()
    {
        EventId = id, TerminalId = "T-000001", Timestamp = at, NetworkType = NetworkType.Wifi, LatencyMs = 40, PacketLossPct = 0,
        Firmware = "3.2.1", UptimeSec = 1000, Printer = PrinterStatus.Ok, Scanner = ScannerStatus.Ok, PendingOffline = 0,
    };
}

internal sealed class TestMeterFactory : System.Diagnostics.Metrics.IMeterFactory
{
    private readonly List<System.Diagnostics.Metrics.Meter> _meters = [];

    public System.Diagnostics.Metrics.Meter Create(System.Diagnostics.Metrics.MeterOptions options)
    {
        var meter = new System.Diagnostics.Metrics.Meter(options);
        _meters.Add(meter);
        return meter;
    }

    public void Dispose() => _meters.ForEach(m => m.Dispose());
}
