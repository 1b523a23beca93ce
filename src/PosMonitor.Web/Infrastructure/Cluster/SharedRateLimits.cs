using System.Threading.RateLimiting;
using Microsoft.Extensions.Options;
using StackExchange.Redis;

namespace PosMonitor.Web.Infrastructure.Cluster;

/// <summary>
/// Per-key request rates held across the cluster: each key's requests of the current second are counted in Redis, so
/// a client spreading its requests over the nodes gets the same rate as from one node.
/// </summary>
/// <remarks>
/// While Redis is unreachable each node limits the key on its own, as a single node does: telemetry keeps flowing at up
/// to the rate times the number of nodes for that while. Refusing every request instead would make a cache outage an
/// outage of ingestion, and the rate limit exists to protect the nodes, which each still protect themselves.
/// </remarks>
public sealed class SharedRateLimits(IConnectionMultiplexer redis, IOptions<ClusterOptions> options, ILogger<SharedRateLimits> logger)
{
    // INCR and its expiry in one step: a counter never outlives its second by more than one more.
    private const string CountScript = "local n = redis.call('INCR', KEYS[1]) if n == 1 then redis.call('PEXPIRE', KEYS[1], 2000) end return n";

    /// <summary>The partition of <paramref name="key"/>, allowing <paramref name="perSecond"/> requests each second across the cluster.</summary>
    public RateLimitPartition<string> Partition(string key, int perSecond, Func<RateLimiter> local) =>
        RateLimitPartition.Get(key, k => new Limiter(this, k, perSecond, local()));

    private async ValueTask<long?> CountAsync(string key, long second)
    {
        if (!redis.IsConnected) return null;
        try
        {
            var count = await redis.GetDatabase().ScriptEvaluateAsync(CountScript, [(RedisKey)options.Value.Key($"rate:{key}:{second}")]);
            return (long)count;
        }
        catch (Exception e) when (e is RedisException or TimeoutException)
        {
            logger.LogWarning(e, "Rate of key {Key} could not be counted in Redis; this node limits it alone meanwhile", key);
            return null;
        }
    }

    private sealed class Limiter(SharedRateLimits owner, string key, int perSecond, RateLimiter local) : RateLimiter
    {
        public override TimeSpan? IdleDuration => null;

        public override RateLimiterStatistics? GetStatistics() => null;

        // Counting takes a round trip to Redis: the middleware then asks AcquireAsync, which does.
        protected override RateLimitLease AttemptAcquireCore(int permitCount) => Lease.Refused(TimeSpan.Zero);

        protected override async ValueTask<RateLimitLease> AcquireAsyncCore(int permitCount, CancellationToken ct)
        {
            var now = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds();
            var count = await owner.CountAsync(key, now / 1000);
            if (count is null) return await local.AcquireAsync(permitCount, ct);
            return count <= perSecond ? Lease.Granted : Lease.Refused(TimeSpan.FromMilliseconds(1000 - now % 1000));
        }

        protected override void Dispose(bool disposing)
        {
            if (disposing) local.Dispose();
            base.Dispose(disposing);
        }
    }

    private sealed class Lease(bool acquired, TimeSpan? retryAfter) : RateLimitLease
    {
        public static readonly Lease Granted = new(true, null);

        public static Lease Refused(TimeSpan retryAfter) => new(false, retryAfter);

        public override bool IsAcquired => acquired;

        public override IEnumerable<string> MetadataNames => retryAfter is null ? [] : [MetadataName.RetryAfter.Name];

        public override bool TryGetMetadata(string metadataName, out object? metadata)
        {
            metadata = retryAfter;
            return retryAfter is not null && metadataName == MetadataName.RetryAfter.Name;
        }
    }
}
