using Dapper;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using PosMonitor.Core.Rollups;
using PosMonitor.Core.Telemetry;
using PosMonitor.Web.Features.Fleet;
using PosMonitor.Web.Features.Telemetry;
using PosMonitor.Web.Infrastructure.Cluster;
using PosMonitor.Web.Infrastructure.Data;
using PosMonitor.Web.Infrastructure.Observability;
using PosMonitor.Web.Tests.Infrastructure;

namespace PosMonitor.Web.Tests.Telemetry;

/// <summary>
/// scope_minutes (migration 0016) hold, for every region, gateway, firmware and the platform, exactly the sums of their
/// terminals' rollup rows, whichever path wrote the rows: a flush in chunks, the fold of a restart, the adoption of a
/// node gone mid-flush.
/// </summary>
public class ScopeTotalsTests
{
    private static readonly DateTimeOffset Now = DateTimeOffset.UtcNow;
    private long _stamp = Now.ToUnixTimeMilliseconds();
    private int _id;

    [Theory]
    [MemberData(nameof(TestDatabase.Providers), MemberType = typeof(TestDatabase))]
    public async Task A_flush_in_chunks_adds_every_row_to_its_scopes_once(DatabaseProvider provider)
    {
        await using var database = await TestDatabase.CreateAsync(provider);
        var fleet = await FleetAsync(database);
        var store = NodeStores.Of(database, "node-a", fleet);
        var delta = (await Commit(store, Sales(3, "T-000001"), Timeouts(2, "T-000002"), Sales(1, "T-000003"), Timeouts(1, "T-000004"),
            Sales(2, "T-999999"))).Fold(_ => null);
        var rows = delta.Minutes.Values.Order(TelemetryStore.FlushOrder.Instance).ToList();
        // Two chunks and the one that completes the flush, as the writer spreads a large flush.
        await store.WriteRollupsAsync(new RollupChunk(rows[..2], [], [], _stamp, Completes: false), CancellationToken.None);
        await store.WriteRollupsAsync(new RollupChunk(rows[2..], [], [], _stamp, Completes: true), CancellationToken.None);
        // A second flush of the same minute adds to the totals.
        await store.FlushAsync((await Commit(store, Timeouts(1, "T-000001"))).Fold(_ => null), _stamp, CancellationToken.None);

        await AssertTotalsAreTheTerminalSums(database);
        Assert.Equal((8L, 4L), await Totals(database, "platform", "")); // T-999999 is not in the fleet: in no scope, as in the join
        Assert.Equal((7L, 4L), await Totals(database, "gateway", "gw-unionpay"));
        Assert.Equal((2L, 1L), await Totals(database, "firmware", "3.2.2"));
    }

    [Theory]
    [MemberData(nameof(TestDatabase.Providers), MemberType = typeof(TestDatabase))]
    public async Task A_restart_folding_a_flush_cut_short_adds_only_the_rows_it_had_not_written(DatabaseProvider provider)
    {
        await using var database = await TestDatabase.CreateAsync(provider);
        var fleet = await FleetAsync(database);
        var crashed = Store(database, fleet);
        var rows = (await Commit(crashed, Sales(3, "T-000001"), Timeouts(2, "T-000002"), Timeouts(4, "T-000004")))
            .Fold(_ => null).Minutes.Values.Order(TelemetryStore.FlushOrder.Instance).ToList();
        // The first chunk (T-000001's row) is written, then the process dies.
        await crashed.WriteRollupsAsync(new RollupChunk(rows[..1], [], [], _stamp, Completes: false), CancellationToken.None);

        await StartAndStopWriter(database, Store(database, fleet));

        await AssertTotalsAreTheTerminalSums(database);
        Assert.Equal((9L, 6L), await Totals(database, "platform", ""));
        Assert.Equal((9L, 6L), await Totals(database, "region", "east"));
        Assert.Equal((0L, 0L), await Totals(database, "region", "north"));
    }

    [Theory]
    [MemberData(nameof(TestDatabase.Providers), MemberType = typeof(TestDatabase))]
    public async Task The_leader_adopting_a_node_gone_mid_flush_adds_its_rows_to_the_scopes_once(DatabaseProvider provider)
    {
        await using var database = await TestDatabase.CreateAsync(provider);
        var fleet = await FleetAsync(database);
        var a = NodeStores.Of(database, "node-a", fleet);
        var b = NodeStores.Of(database, "node-b", fleet);
        var fromA = await Commit(a, Sales(2, "T-000001"), Timeouts(1, "T-000003"));
        var fromB = await Commit(b, Timeouts(3, "T-000001"), Sales(1, "T-000002"), Timeouts(2, "T-000004"));
        var firstRow = fromB.Fold(_ => null).Minutes.Values.Order(TelemetryStore.FlushOrder.Instance).First();
        await b.WriteRollupsAsync(new RollupChunk([firstRow], [], [], _stamp, Completes: false), CancellationToken.None);
        await a.FlushAsync(fromA.Fold(_ => null), _stamp, CancellationToken.None);

        var holder = (await a.HoldersAsync(CancellationToken.None)).Single(h => h.Node == "node-b");
        Assert.Equal(6, await new RollupAdoption(a, new TerminalStateCache(database.Db), NullLogger<RollupAdoption>.Instance)
            .AdoptAsync(holder, CancellationToken.None));

        await AssertTotalsAreTheTerminalSums(database);
        Assert.Equal((9L, 6L), await Totals(database, "platform", ""));
    }

    /// <summary>Every scope's minute totals against the sums of its terminals' rows, by the fleet's terminals.</summary>
    private static async Task AssertTotalsAreTheTerminalSums(TestDatabase database)
    {
        await using var c = await database.Db.OpenAsync();
        var expected = (await c.QueryAsync<(string, string, long, long, long, long, long, long)>("""
            SELECT s.scope_type, s.scope_id, m.minute, SUM(m.transactions), SUM(m.timeouts), SUM(m.errors), SUM(m.amount_sum_minor), SUM(m.amount_count)
            FROM terminal_minutes m JOIN terminals t ON t.id = m.terminal_id
            JOIN (SELECT id, 'region' AS scope_type, region_id AS scope_id FROM terminals
                  UNION ALL SELECT id, 'gateway', gateway_id FROM terminals
                  UNION ALL SELECT id, 'firmware', firmware FROM terminals
                  UNION ALL SELECT id, 'platform', '' FROM terminals) s ON s.id = t.id
            GROUP BY s.scope_type, s.scope_id, m.minute
            ORDER BY s.scope_type, s.scope_id, m.minute
            """)).ToList();
        var actual = (await c.QueryAsync<(string, string, long, long, long, long, long, long)>("""
            SELECT scope_type, scope_id, minute, transactions, timeouts, errors, amount_sum_minor, amount_count
            FROM scope_minutes ORDER BY scope_type, scope_id, minute
            """)).ToList();
        Assert.NotEmpty(expected);
        Assert.Equal(expected, actual);
    }

    private static async Task<(long Transactions, long Timeouts)> Totals(TestDatabase database, string scope, string id)
    {
        await using var c = await database.Db.OpenAsync();
        return await c.QuerySingleAsync<(long, long)>(
            "SELECT COALESCE(SUM(transactions), 0), COALESCE(SUM(timeouts), 0) FROM scope_minutes WHERE scope_type = @scope AND scope_id = @id;",
            new { scope, id });
    }

    private static async Task<FleetCache> FleetAsync(TestDatabase database)
    {
        var repository = new FleetRepository(database.Db, TimeProvider.System);
        await repository.UpsertAsync(TestFleet.Small(), CancellationToken.None);
        var fleet = new FleetCache(repository, new FleetChanges());
        await fleet.ReloadAsync(CancellationToken.None);
        return fleet;
    }

    private static TelemetryStore Store(TestDatabase database, FleetCache fleet) =>
        new(database.Db, new RecentEventKeys(), Options.Create(new ClusterOptions { NodeName = "host-1" }), fleet);

    private static async Task StartAndStopWriter(TestDatabase database, TelemetryStore store)
    {
        var queue = new IngestionQueue(Options.Create(new IngestionOptions()));
        var states = new TerminalStateCache(database.Db);
        using var meters = new TestMeterFactory();
        using var feed = new TelemetryFeed(NullLogger<TelemetryFeed>.Instance);
        using var writer = new IngestionWriter(queue, store, states, feed, new RollupAdoption(store, states, NullLogger<RollupAdoption>.Instance),
            new IngestionMetrics(new PosMonitorMetrics(meters, TimeProvider.System), queue, TimeProvider.System),
            Options.Create(new IngestionOptions()), TimeProvider.System, NullLogger<IngestionWriter>.Instance);
        await writer.StartAsync(CancellationToken.None);
        await writer.StopAsync(CancellationToken.None);
    }

    private async Task<CommitResult> Commit(TelemetryStore store, params Transaction[][] sales)
    {
        await store.LoadRecentKeysAsync(CancellationToken.None);
        return await store.CommitAsync([new IngestBatch([], [.. sales.SelectMany(s => s)])], ++_stamp, CancellationToken.None);
    }

    private Transaction[] Sales(int count, string terminal) => Sale(count, terminal, Outcome.Approved);

    private Transaction[] Timeouts(int count, string terminal) => Sale(count, terminal, Outcome.Timeout);

    private Transaction[] Sale(int count, string terminal, Outcome outcome) =>
        [.. Enumerable.Range(0, count).Select(_ => new Transaction
        {
            EventId = $"e-{++_id}", TerminalId = terminal, Timestamp = Now.AddSeconds(-10), Gateway = "gw-1", Outcome = outcome, LatencyMs = 300,
            Stage = outcome == Outcome.Timeout ? Stage.Gateway : null, AmountMinor = outcome == Outcome.Approved ? 12_50 : null,
            Currency = outcome == Outcome.Approved ? "CNY" : null,
        })];
}
