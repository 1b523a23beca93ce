using Microsoft.AspNetCore.DataProtection;
using Microsoft.AspNetCore.DataProtection.KeyManagement;
using Microsoft.AspNetCore.DataProtection.StackExchangeRedis;
using Microsoft.Extensions.Options;
using Quartz;
using StackExchange.Redis;

namespace PosMonitor.Web.Infrastructure.Cluster;

public static class ClusterExtensions
{
    /// <summary>Every node protects cookies and antiforgery tokens as this application, whatever its path or machine.</summary>
    public const string ApplicationName = "PosMonitor";

    /// <summary>
    /// <c>PosMonitor:Cluster</c>: off by default, and then nothing here changes how a single node runs: it leads
    /// detection by itself, with no lease traffic.
    /// Enabled: one Redis connection for the node, data-protection keys kept in Redis (a cookie issued by one node
    /// is read by every other), the <see cref="ClusterBus"/> that carries the in-process feeds between nodes, a
    /// heartbeat per node, the detection lease in the database, and scheduled jobs on the leader only.
    /// </summary>
    public static IHostApplicationBuilder AddCluster(this IHostApplicationBuilder builder)
    {
        var services = builder.Services;
        services.AddValidatedOptions<ClusterOptions>(ClusterOptions.Section);
        services.AddSingleton<DetectionLeadership>();
        services.AddSingleton<ClusterStore>();
        services.AddSingleton<ClusterOverview>();
        if (!IsEnabled(builder.Configuration)) return builder;

        services.AddSingleton<IConnectionMultiplexer>(sp => ConnectRedis(sp.GetRequiredService<IOptions<ClusterOptions>>().Value, sp.GetRequiredService<ILoggerFactory>()));
        services.AddSingleton<ClusterBus>();
        services.AddSingleton<PeerTelemetry>();
        services.AddSingleton<MissedTelemetry>();
        services.AddSingleton<SharedRateLimits>();
        services.AddDataProtection().SetApplicationName(ApplicationName);
        services.AddOptions<KeyManagementOptions>().Configure<IServiceProvider, IOptions<ClusterOptions>>((o, sp, cluster) =>
            o.XmlRepository = new RedisXmlRepository(() => sp.GetRequiredService<IConnectionMultiplexer>().GetDatabase(), cluster.Value.Key("data-protection-keys")));
        // Registered early: hosted services stop in reverse order, so the lease is given up after the jobs stopped.
        services.AddHostedService<ClusterHeartbeat>();
        services.AddQuartz(q => q.AddTriggerListener<LeaderOnlyJobs>());
        return builder;
    }

    /// <summary>
    /// With PosMonitor:Cluster, the relays that carry the in-process feeds between nodes: views see every node's changes,
    /// side effects (tickets, notifications) stay on the node where the change happened. Registered after the features,
    /// so they start once every subscriber of a feed is there.
    /// </summary>
    public static IHostApplicationBuilder AddClusterFeeds(this IHostApplicationBuilder builder)
    {
        if (!IsEnabled(builder.Configuration)) return builder;
        var services = builder.Services;
        services.AddHostedService<FleetRelay>();
        services.AddHostedService<TelemetryRelay>();
        services.AddHostedService<IncidentRelay>();
        services.AddHostedService<TicketRelay>();
        services.AddHostedService<KeyRevocationRelay>();
        return builder;
    }

    /// <summary>Whether <c>PosMonitor:Cluster:Enabled</c> is set: what is registered depends on it, so it is read before the options are bound.</summary>
    public static bool IsEnabled(IConfiguration configuration) => configuration.GetValue<bool>($"{ClusterOptions.Section}:{nameof(ClusterOptions.Enabled)}");

    private static ConnectionMultiplexer ConnectRedis(ClusterOptions options, ILoggerFactory loggers)
    {
        var configuration = ConfigurationOptions.Parse(options.Redis!);
        // Start, and keep serving, while Redis is away: the library reconnects (and resubscribes) by itself. The
        // database is the system of record, so nothing acknowledged depends on Redis being there.
        configuration.AbortOnConnectFail = false;
        configuration.ClientName ??= options.ResolvedNodeName;
        configuration.LoggerFactory ??= loggers;
        return ConnectionMultiplexer.Connect(configuration);
    }

    /// <summary>A Redis key or channel name of this cluster: <c>{KeyPrefix}:{name}</c>.</summary>
    public static string Key(this ClusterOptions options, string name) => $"{options.KeyPrefix}:{name}";
}
