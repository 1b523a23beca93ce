using Microsoft.Extensions.DependencyInjection;
using PosMonitor.Web.Tests.Infrastructure;
using StackExchange.Redis;

namespace PosMonitor.Web.Tests.Cluster;

/// <summary>
/// Two portal nodes in this process on one SQLite file, clustered through the Redis of <c>POSMONITOR_TEST_REDIS</c> under
/// a key prefix of their own. Node A starts (and migrates) first. Without that variable nothing starts, and the tests skip.
/// </summary>
public sealed class TwoNodes : IAsyncLifetime
{
    public static readonly string? Redis = Environment.GetEnvironmentVariable("POSMONITOR_TEST_REDIS");
    public const string NoRedis = "POSMONITOR_TEST_REDIS is not set (e.g. 127.0.0.1:6379): the cluster tests need a Redis";
    /// <summary>Requests per second per key on each node: low, so the shared limit shows in a few requests.</summary>
    public const int RatePerSecond = 5;

    private readonly string _folder = Path.Combine(Path.GetTempPath(), "posmonitor-tests", "cluster-" + Guid.NewGuid().ToString("N"));

    public string KeyPrefix { get; } = "posmonitor-test-" + Guid.NewGuid().ToString("N")[..12];
    public string DatabasePath => Path.Combine(_folder, "shared.db");
    public ClusterNode A { get; private set; } = null!;
    public ClusterNode B { get; private set; } = null!;

    public async ValueTask InitializeAsync()
    {
        if (Redis is null) return;
        Directory.CreateDirectory(_folder);
        A = new ClusterNode("node-a", this);
        _ = A.Server;
        B = new ClusterNode("node-b", this);
        _ = B.Server;
        // The same fleet on both: a fleet change on one reaches the other too, but these tests need it there before they post.
        await A.PutFleetAsync(TestFleet.Small());
        await B.PutFleetAsync(TestFleet.Small());
    }

    public async ValueTask DisposeAsync()
    {
        if (Redis is null) return;
        // This fixture's keys only (its prefix): the key ring, rate counters.
        var redis = A.Services.GetRequiredService<IConnectionMultiplexer>();
        foreach (var endpoint in redis.GetEndPoints())
            await foreach (var key in redis.GetServer(endpoint).KeysAsync(pattern: KeyPrefix + ":*"))
                await redis.GetDatabase().KeyDeleteAsync(key);
        await B.DisposeAsync();
        await A.DisposeAsync();
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        try { Directory.Delete(_folder, recursive: true); } catch (IOException) { /* a file still closing; temp space */ }
    }
}

/// <summary>One node of <see cref="TwoNodes"/>.</summary>
public sealed class ClusterNode(string name, TwoNodes cluster) : PosMonitorFactory
{
    public string Name => name;

    protected override IEnumerable<KeyValuePair<string, string?>> Settings =>
    [
        new("ConnectionStrings:PosMonitor", $"Data Source={cluster.DatabasePath}"),
        new("PosMonitor:Cluster:Enabled", "true"),
        new("PosMonitor:Cluster:NodeName", name),
        new("PosMonitor:Cluster:Redis", TwoNodes.Redis),
        new("PosMonitor:Cluster:KeyPrefix", cluster.KeyPrefix),
        new("PosMonitor:Ingestion:RequestsPerSecondPerKey", TwoNodes.RatePerSecond.ToString(System.Globalization.CultureInfo.InvariantCulture)),
    ];
}
