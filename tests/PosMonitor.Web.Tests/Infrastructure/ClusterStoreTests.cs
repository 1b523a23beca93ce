using Dapper;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;
using PosMonitor.Core.Detection;
using PosMonitor.Core.Incidents;
using PosMonitor.Web.Features.Identity;
using PosMonitor.Web.Features.Incidents;
using PosMonitor.Web.Infrastructure.Cluster;
using PosMonitor.Web.Infrastructure.Data;
using PosMonitor.Web.Tests.Incidents;
using FleetModel = PosMonitor.Core.Fleet.Fleet;

namespace PosMonitor.Web.Tests.Infrastructure;

/// <summary>
/// The detection lease between two nodes on one database: each node here has its own <see cref="Db"/> (its own
/// connections and, on SQLite, its own in-process writer lock), as two processes would.
/// </summary>
public class ClusterStoreTests
{
    private static readonly DateTimeOffset T0 = new(2026, 12, 7, 9, 0, 0, TimeSpan.Zero);
    private static readonly TimeSpan Lease = TimeSpan.FromSeconds(20);
    private static readonly FleetModel Fleet = FleetModel.FromDocument(TestFleet.Small());
    private static readonly CancellationToken None = CancellationToken.None;

    private static (ClusterStore A, ClusterStore B, Db DbA, Db DbB) TwoNodes(TestDatabase database)
    {
        var other = TestDatabase.MakeDb(database.Db.Provider, database.Db.ConnectionString, Path.GetTempPath());
        return (new ClusterStore(database.Db), new ClusterStore(other), database.Db, other);
    }

    [Theory]
    [MemberData(nameof(TestDatabase.Providers), MemberType = typeof(TestDatabase))]
    public async Task Two_nodes_racing_for_a_free_lease_leave_exactly_one_holder_in_term_1(DatabaseProvider provider)
    {
        await using var database = await TestDatabase.CreateAsync(provider);
        var (a, b, _, _) = TwoNodes(database);

        var results = await Task.WhenAll(
            Enumerable.Range(0, 8).Select(i => (i % 2 == 0 ? a : b).TryAcquireAsync(i % 2 == 0 ? "node-a" : "node-b", T0, Lease, None)));

        var final = await a.LeaseAsync(None);
        Assert.Contains(final.Holder, new[] { "node-a", "node-b" });
        Assert.Equal(1, final.Token);
        // Every racer saw the same holder: none believed it won while the other held the lease.
        Assert.All(results, r => Assert.Equal((final.Holder, 1L), (r.Holder, r.Token)));
    }

    [Theory]
    [MemberData(nameof(TestDatabase.Providers), MemberType = typeof(TestDatabase))]
    public async Task The_holder_renews_in_its_term_and_another_node_is_refused_until_the_lease_lapses(DatabaseProvider provider)
    {
        await using var database = await TestDatabase.CreateAsync(provider);
        var (a, b, _, _) = TwoNodes(database);

        Assert.Equal(("node-a", 1L), Pair(await a.TryAcquireAsync("node-a", T0, Lease, None)));
        Assert.Equal(("node-a", 1L), Pair(await b.TryAcquireAsync("node-b", T0.AddSeconds(5), Lease, None)));
        Assert.Equal(("node-a", 1L), Pair(await a.TryAcquireAsync("node-a", T0.AddSeconds(5), Lease, None)));
        // Renewed at +5 s, so still A's at +24 s; lapsed at +25 s.
        Assert.Equal(("node-a", 1L), Pair(await b.TryAcquireAsync("node-b", T0.AddSeconds(24), Lease, None)));
        Assert.Equal(("node-b", 2L), Pair(await b.TryAcquireAsync("node-b", T0.AddSeconds(25), Lease, None)));
        // A's late renewal does not take it back.
        Assert.Equal(("node-b", 2L), Pair(await a.TryAcquireAsync("node-a", T0.AddSeconds(26), Lease, None)));
    }

    [Theory]
    [MemberData(nameof(TestDatabase.Providers), MemberType = typeof(TestDatabase))]
    public async Task A_released_lease_is_taken_at_once_as_a_new_term(DatabaseProvider provider)
    {
        await using var database = await TestDatabase.CreateAsync(provider);
        var (a, b, _, _) = TwoNodes(database);
        await a.TryAcquireAsync("node-a", T0, Lease, None);

        await a.ReleaseAsync("node-a", 1, None);

        Assert.Equal(("node-b", 2L), Pair(await b.TryAcquireAsync("node-b", T0.AddSeconds(1), Lease, None)));
    }

    [Theory]
    [MemberData(nameof(TestDatabase.Providers), MemberType = typeof(TestDatabase))]
    public async Task An_incident_write_of_the_old_term_is_refused_after_a_takeover_and_the_new_term_is_stamped(DatabaseProvider provider)
    {
        await using var database = await TestDatabase.CreateAsync(provider);
        var (a, b, dbA, dbB) = TwoNodes(database);
        var repoA = new IncidentRepository(dbA);
        var repoB = new IncidentRepository(dbB);
        await a.TryAcquireAsync("node-a", T0, Lease, None);
        var first = TestIncidents.GatewayOutage("inc-000001", T0, ["T-000001"]);
        await repoA.SaveAsync([new IncidentChange(IncidentChangeKind.Opened, first)], Fleet, new LeaseFence("node-a", 1), None);

        // A pauses past its lease; B takes over and updates the incident.
        await b.TryAcquireAsync("node-b", T0.AddSeconds(30), Lease, None);
        await repoB.SaveAsync([new IncidentChange(IncidentChangeKind.Updated, first with { AffectedTerminals = 2, UpdatedAt = T0.AddSeconds(30) })],
            Fleet, new LeaseFence("node-b", 2), None);
        // A wakes up with a resolve computed in its old term, and a second opening of the same fault.
        var stale = first with { ResolvedAt = T0.AddSeconds(31), UpdatedAt = T0.AddSeconds(31) };
        var duplicate = TestIncidents.GatewayOutage("inc-000002", T0.AddSeconds(31), ["T-000001"]);
        await Assert.ThrowsAsync<LeaseLostException>(() => repoA.SaveAsync(
            [new IncidentChange(IncidentChangeKind.Resolved, stale), new IncidentChange(IncidentChangeKind.Opened, duplicate)], Fleet, new LeaseFence("node-a", 1), None));

        var open = await repoB.OpenAsync(None);
        var only = Assert.Single(open);
        Assert.Equal(("inc-000001", 2), (only.Id, only.AffectedTerminals));
        Assert.Null(await repoB.GetAsync("inc-000002", new Viewer(true, null, false), None));
        await using var c = await dbB.OpenAsync(None);
        Assert.Equal(2L, await c.ExecuteScalarAsync<long>("SELECT lease_token FROM incidents WHERE id = 'inc-000001'"));
        Assert.Single(await repoB.EventsAsync("inc-000001", None), e => e.Kind == "opened");
        Assert.DoesNotContain(await repoB.EventsAsync("inc-000001", None), e => e.Kind == "resolved");
    }

    [Theory]
    [MemberData(nameof(TestDatabase.Providers), MemberType = typeof(TestDatabase))]
    public async Task Nodes_are_listed_with_their_last_heartbeat_and_a_stopped_one_is_forgotten(DatabaseProvider provider)
    {
        await using var database = await TestDatabase.CreateAsync(provider);
        var (a, b, _, _) = TwoNodes(database);
        await a.HeartbeatAsync("node-a", T0, "1.0", T0.AddSeconds(5), None);
        await b.HeartbeatAsync("node-b", T0, "1.0", T0.AddSeconds(6), None);
        await a.HeartbeatAsync("node-a", T0, "1.0", T0.AddSeconds(10), None);

        Assert.Equal([("node-a", T0.AddSeconds(10)), ("node-b", T0.AddSeconds(6))], (await a.NodesAsync(None)).Select(n => (n.Name, n.HeartbeatAt)));

        await b.ForgetAsync("node-b", DateTimeOffset.MinValue, None);
        Assert.Equal(["node-a"], (await a.NodesAsync(None)).Select(n => n.Name));
    }

    [Fact]
    public void A_single_node_leads_in_term_0_without_a_lease()
    {
        var leadership = new DetectionLeadership(Options.Create(new ClusterOptions { NodeName = "solo" }), new FakeTimeProvider(T0));

        Assert.Equal(new LeaseFence("solo", 0), leadership.Current);
    }

    [Fact]
    public void A_cluster_node_stops_leading_on_its_own_clock_when_its_lease_is_not_renewed()
    {
        var clock = new FakeTimeProvider(T0);
        var leadership = new DetectionLeadership(Options.Create(new ClusterOptions { Enabled = true, Redis = "localhost", NodeName = "node-a" }), clock);
        Assert.Null(leadership.Current);
        var changes = new List<bool>();
        leadership.Changed += changes.Add;

        leadership.Held(3, clock.GetTimestamp());
        clock.Advance(Lease - TimeSpan.FromMilliseconds(1));
        Assert.Equal(new LeaseFence("node-a", 3), leadership.Current);
        clock.Advance(TimeSpan.FromMilliseconds(1));
        Assert.Null(leadership.Current);
        Assert.Equal([true], changes);
    }

    private static (string?, long) Pair(LeaseState s) => (s.Holder, s.Token);
}
