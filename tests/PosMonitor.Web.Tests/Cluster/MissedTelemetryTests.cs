using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;
using PosMonitor.Core.Rollups;
using PosMonitor.Core.Telemetry;
using PosMonitor.Web.Features.Telemetry;
using PosMonitor.Web.Infrastructure.Cluster;
using PosMonitor.Web.Infrastructure.Data;
using PosMonitor.Web.Tests.Infrastructure;

namespace PosMonitor.Web.Tests.Cluster;

/// <summary>
/// Node B's live views (its feed) while Redis is away: A's commits of that time never reach B through the relay, and
/// once Redis is back B folds exactly those from the raw events, so its views hold every node's sales once.
/// </summary>
public class MissedTelemetryTests
{
    private static readonly DateTimeOffset T0 = new(2026, 12, 7, 9, 0, 0, TimeSpan.Zero);
    private readonly FakeTimeProvider _clock = new(T0);
    private int _id;

    [Theory]
    [MemberData(nameof(TestDatabase.Providers), MemberType = typeof(TestDatabase))]
    public async Task After_Redis_is_back_a_node_folds_the_others_commits_it_missed_once_and_drops_their_late_messages(DatabaseProvider provider)
    {
        await using var database = await TestDatabase.CreateAsync(provider);
        var a = Store(database, "node-a");
        var b = Store(database, "node-b");
        using var feed = new TelemetryFeed(NullLogger<TelemetryFeed>.Instance);
        var seen = new Dictionary<string, int>();
        using var view = feed.Subscribe(delta =>
        {
            foreach (var m in delta.Minutes.Values) seen[m.TerminalId] = seen.GetValueOrDefault(m.TerminalId) + m.Transactions;
        });
        var missed = new MissedTelemetry(b, feed, new TerminalStateCache(database.Db), _clock, NullLogger<MissedTelemetry>.Instance);

        Own(missed, feed, await Commit(b, 1, Sales(2, "T-000001")));
        missed.FromPeer(await Commit(a, 2, Sales(3, "T-000001")));
        missed.Lost();
        // While Redis is away A's commits reach only the database; B's own go on to its views.
        await Commit(a, 4, Sales(4, "T-000002"));
        var heldBack = await Commit(a, 5, Sales(1, "T-000001"));
        Own(missed, feed, await Commit(b, 6, Sales(2, "T-000002")));
        // Back: A's next commit comes through the relay again.
        missed.FromPeer(await Commit(a, 15, Sales(5, "T-000003")));
        _clock.SetUtcNow(T0.AddSeconds(20));

        Assert.Equal(5, await missed.CatchUpAsync(CancellationToken.None));
        // A message A's Redis client held back, arriving after the catch-up, is not counted again.
        missed.FromPeer(heldBack);
        // Nothing left to catch up.
        Assert.Equal(0, await missed.CatchUpAsync(CancellationToken.None));

        feed.Publish(new RollupDelta());
        await feed.DeliveredAsync();
        Assert.Equal(new Dictionary<string, int> { ["T-000001"] = 6, ["T-000002"] = 6, ["T-000003"] = 5 }, seen);
    }

    [Fact]
    public async Task A_node_started_without_Redis_folds_only_what_came_after_its_start_its_seed_holds_the_rest()
    {
        await using var database = await TestDatabase.CreateAsync(DatabaseProvider.Sqlite);
        var a = Store(database, "node-a");
        using var feed = new TelemetryFeed(NullLogger<TelemetryFeed>.Instance);
        var seen = 0;
        using var view = feed.Subscribe(delta => seen += delta.Minutes.Values.Sum(m => m.Transactions));
        var missed = new MissedTelemetry(Store(database, "node-b"), feed, new TerminalStateCache(database.Db), _clock, NullLogger<MissedTelemetry>.Instance);

        // A's sales before B started are in the rollups B's views were seeded from.
        await Commit(a, 1, Sales(3, "T-000001"));
        _clock.SetUtcNow(T0.AddSeconds(2));
        missed.Started();
        missed.Lost();
        await Commit(a, 3, Sales(2, "T-000001"));
        _clock.SetUtcNow(T0.AddSeconds(20));

        Assert.Equal(2, await missed.CatchUpAsync(CancellationToken.None));
        feed.Publish(new RollupDelta());
        await feed.DeliveredAsync();
        Assert.Equal(2, seen);
    }

    private static void Own(MissedTelemetry missed, TelemetryFeed feed, RollupDelta delta)
    {
        // As the writer and the relay do: to the feed, and remembered as seen.
        missed.Own(delta);
        feed.Publish(delta);
    }

    private static TelemetryStore Store(TestDatabase database, string node) => Telemetry.NodeStores.Of(database, node);

    /// <summary>A commit at <paramref name="second"/> s after T0, and its change as the writer folds it.</summary>
    private async Task<RollupDelta> Commit(TelemetryStore store, int second, Transaction[] sales)
    {
        _clock.SetUtcNow(T0.AddSeconds(second));
        await store.LoadRecentKeysAsync(CancellationToken.None);
        var stamp = T0.AddSeconds(second).ToUnixTimeMilliseconds();
        var delta = (await store.CommitAsync([new IngestBatch([], sales)], stamp, CancellationToken.None)).Fold(_ => null);
        delta.Commits.Add(stamp);
        return delta;
    }

    private Transaction[] Sales(int count, string terminal) =>
        [.. Enumerable.Range(0, count).Select(_ => new Transaction
        {
            EventId = $"m-{++_id}", TerminalId = terminal, Timestamp = T0, Gateway = "gw-1", Outcome = Outcome.Approved, LatencyMs = 300,
        })];
}
