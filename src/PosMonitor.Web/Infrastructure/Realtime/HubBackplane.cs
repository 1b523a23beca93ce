using Microsoft.Extensions.Options;
using PosMonitor.Web.Infrastructure.Cluster;
using StackExchange.Redis;

namespace PosMonitor.Web.Infrastructure.Realtime;

/// <summary>
/// Whether a message sent to the hub can go out now. On one node it always can. With several nodes every hub message
/// goes through Redis (the backplane), and while Redis is away a send waits for its timeout and fails: the forwarders
/// skip the hub then instead of holding up the pages' own updates, which never need Redis.
/// </summary>
public sealed class HubBackplane(IServiceProvider services, IOptions<ClusterOptions> cluster)
{
    private readonly Lazy<IConnectionMultiplexer?> _redis = new(() => cluster.Value.Enabled ? services.GetRequiredService<IConnectionMultiplexer>() : null);

    public bool IsReachable => _redis.Value?.IsConnected ?? true;
}
