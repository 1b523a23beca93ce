using System.Data.Common;
using Dapper;
using PosMonitor.Web.Infrastructure.Data;

namespace PosMonitor.Web.Infrastructure.Cluster;

/// <summary>A node as the database last heard from it.</summary>
public sealed record ClusterNode(string Name, DateTimeOffset StartedAt, DateTimeOffset HeartbeatAt, string Version);

/// <summary>The detection lease as stored: who holds it, until when, and the term's fencing token.</summary>
public sealed record LeaseState(string? Holder, DateTimeOffset AcquiredAt, DateTimeOffset ExpiresAt, long Token);

/// <summary>What a detection write carries: the node and the term it believes it leads.</summary>
public sealed record LeaseFence(string Node, long Token);

/// <summary>Thrown inside a write whose fencing token is no longer the lease's: the transaction rolls back.</summary>
public sealed class LeaseLostException(LeaseFence fence)
    : InvalidOperationException($"Node {fence.Node} no longer holds the detection lease of term {fence.Token}; its write was refused");

/// <summary>
/// The <c>cluster_nodes</c> and <c>cluster_lease</c> tables. Acquiring, renewing and taking over the lease is one
/// UPDATE, so two nodes racing for it serialise on the row (SQLite's single writer, SQL Server's row lock) and only
/// one of them matches its WHERE.
/// </summary>
public sealed class ClusterStore(Db db)
{
    /// <summary>Writes this node's heartbeat (its row created on the first).</summary>
    public Task HeartbeatAsync(string node, DateTimeOffset startedAt, string version, DateTimeOffset now, CancellationToken ct) =>
        db.WriteAsync((c, tx) => c.ExecuteAsync(new CommandDefinition(db.Sql(UpsertNode),
            new { Name = node, StartedAt = DbTime.ToMs(startedAt), Now = DbTime.ToMs(now), Version = version }, tx, cancellationToken: ct)), ct);

    /// <summary>Removes this node's row at a graceful stop, and rows not heard from since <paramref name="forgetBefore"/>.</summary>
    public Task ForgetAsync(string? node, DateTimeOffset forgetBefore, CancellationToken ct) =>
        db.WriteAsync((c, tx) => c.ExecuteAsync(new CommandDefinition(db.Sql(DeleteNodes),
            new { Name = node, Before = DbTime.ToMs(forgetBefore) }, tx, cancellationToken: ct)), ct);

    public async Task<IReadOnlyList<ClusterNode>> NodesAsync(CancellationToken ct)
    {
        await using var c = await db.OpenAsync(ct);
        var rows = await c.QueryAsync<NodeRow>(new CommandDefinition(db.Sql(SelectNodes), cancellationToken: ct));
        return [.. rows.Select(r => new ClusterNode(r.Name, DbTime.FromMs(r.StartedAt), DbTime.FromMs(r.HeartbeatAt), r.Version))];
    }

    public async Task<LeaseState> LeaseAsync(CancellationToken ct)
    {
        await using var c = await db.OpenAsync(ct);
        return (await c.QuerySingleAsync<LeaseRow>(new CommandDefinition(db.Sql(SelectLease), cancellationToken: ct))).ToState();
    }

    /// <summary>
    /// Takes the lease for <paramref name="node"/> until <paramref name="now"/> + <paramref name="duration"/> when it is free,
    /// lapsed or already this node's; a new term (token + 1) starts unless this node renews a lease that has not lapsed.
    /// </summary>
    /// <returns>The lease as it stands afterwards, whoever holds it.</returns>
    public Task<LeaseState> TryAcquireAsync(string node, DateTimeOffset now, TimeSpan duration, CancellationToken ct) =>
        db.WriteAsync(async (c, tx) =>
        {
            await c.ExecuteAsync(new CommandDefinition(db.Sql(Acquire),
                new { Node = node, Now = DbTime.ToMs(now), Until = DbTime.ToMs(now + duration) }, tx, cancellationToken: ct));
            return (await c.QuerySingleAsync<LeaseRow>(new CommandDefinition(db.Sql(SelectLease), transaction: tx, cancellationToken: ct))).ToState();
        }, ct);

    /// <summary>Gives the lease up at a graceful stop, so another node takes over at its next heartbeat instead of after the lease lapses.</summary>
    public Task ReleaseAsync(string node, long token, CancellationToken ct) =>
        db.WriteAsync((c, tx) => c.ExecuteAsync(new CommandDefinition(db.Sql(Release), new { Node = node, Token = token }, tx, cancellationToken: ct)), ct);

    /// <summary>
    /// Inside a write transaction: refuses it (<see cref="LeaseLostException"/>) unless <paramref name="fence"/> is still the
    /// lease's term. The UPDATE locks the lease row until commit, so a takeover waits for this write, and a write after a
    /// takeover finds another token. (A lapsed lease nobody took yet still passes: no other node wrote in between.)
    /// </summary>
    public static async Task CheckFenceAsync(DbConnection c, DbTransaction tx, LeaseFence fence, CancellationToken ct)
    {
        var held = await c.ExecuteAsync(new CommandDefinition(Fence.Sqlite, new { fence.Node, fence.Token }, tx, cancellationToken: ct));
        if (held != 1) throw new LeaseLostException(fence);
    }

    private sealed class NodeRow
    {
        public string Name { get; init; } = "";
        public long StartedAt { get; init; }
        public long HeartbeatAt { get; init; }
        public string Version { get; init; } = "";
    }

    private sealed class LeaseRow
    {
        public string? Holder { get; init; }
        public long AcquiredAt { get; init; }
        public long ExpiresAt { get; init; }
        public long Token { get; init; }

        public LeaseState ToState() => new(Holder, DbTime.FromMs(AcquiredAt), DbTime.FromMs(ExpiresAt), Token);
    }

    private static readonly SqlText UpsertNode = new(
        """
        INSERT INTO cluster_nodes (name, started_at, heartbeat_at, version) VALUES (@Name, @StartedAt, @Now, @Version)
        ON CONFLICT (name) DO UPDATE SET started_at = excluded.started_at, heartbeat_at = excluded.heartbeat_at, version = excluded.version;
        """,
        """
        MERGE cluster_nodes WITH (HOLDLOCK) AS t
        USING (SELECT @Name AS name) AS s ON t.name = s.name
        WHEN MATCHED THEN UPDATE SET started_at = @StartedAt, heartbeat_at = @Now, version = @Version
        WHEN NOT MATCHED THEN INSERT (name, started_at, heartbeat_at, version) VALUES (@Name, @StartedAt, @Now, @Version);
        """);

    private static readonly SqlText DeleteNodes = SqlText.Same("DELETE FROM cluster_nodes WHERE name = @Name OR heartbeat_at < @Before;");

    private static readonly SqlText SelectNodes = SqlText.Same(
        "SELECT name AS Name, started_at AS StartedAt, heartbeat_at AS HeartbeatAt, version AS Version FROM cluster_nodes ORDER BY name;");

    private static readonly SqlText SelectLease = SqlText.Same(
        "SELECT holder AS Holder, acquired_at AS AcquiredAt, expires_at AS ExpiresAt, token AS Token FROM cluster_lease WHERE id = 1;");

    // One statement decides: the holder renews within its term; anyone takes a free or lapsed lease as a new term.
    private static readonly SqlText Acquire = SqlText.Same(
        """
        UPDATE cluster_lease
        SET token = CASE WHEN holder = @Node AND expires_at > @Now THEN token ELSE token + 1 END,
            acquired_at = CASE WHEN holder = @Node AND expires_at > @Now THEN acquired_at ELSE @Now END,
            holder = @Node,
            expires_at = @Until
        WHERE id = 1 AND (holder = @Node OR holder IS NULL OR expires_at <= @Now);
        """);

    private static readonly SqlText Release = SqlText.Same(
        "UPDATE cluster_lease SET holder = NULL, expires_at = 0 WHERE id = 1 AND holder = @Node AND token = @Token;");

    // Matches the row (and so locks it) only while the term is this node's; the same SQL in both dialects.
    private static readonly SqlText Fence = SqlText.Same(
        "UPDATE cluster_lease SET token = token WHERE id = 1 AND holder = @Node AND token = @Token;");
}
