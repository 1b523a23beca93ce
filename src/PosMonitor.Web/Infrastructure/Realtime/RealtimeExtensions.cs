using Microsoft.AspNetCore.SignalR.StackExchangeRedis;
using Microsoft.Extensions.Options;
using PosMonitor.Web.Infrastructure.Cluster;
using StackExchange.Redis;

namespace PosMonitor.Web.Infrastructure.Realtime;

public static class RealtimeExtensions
{
    /// <summary>
    /// SignalR, the <c>/hubs/live</c> hub and what forwards the feeds to it. With several nodes (PosMonitor:Cluster) the hub
    /// runs on the Redis backplane, on the node's one Redis connection, its channels under the cluster's key prefix.
    /// </summary>
    public static IHostApplicationBuilder AddRealtime(this IHostApplicationBuilder builder)
    {
        var services = builder.Services;
        services.AddSingleton<LiveGroups>();
        services.AddSingleton<HubBackplane>();
        services.AddSingleton<LiveConnections>();
        services.AddHostedService<LiveIncidentForwarder>();
        var signalR = services.AddSignalR();
        if (ClusterExtensions.IsEnabled(builder.Configuration))
        {
            signalR.AddStackExchangeRedis();
            services.AddOptions<RedisOptions>().Configure<IServiceProvider, IOptions<ClusterOptions>>((o, sp, cluster) =>
            {
                o.Configuration.ChannelPrefix = RedisChannel.Literal(cluster.Value.Key("signalr"));
                o.ConnectionFactory = _ => Task.FromResult(sp.GetRequiredService<IConnectionMultiplexer>());
            });
        }
        return builder;
    }

    public static IEndpointRouteBuilder MapRealtime(this IEndpointRouteBuilder app)
    {
        app.MapHub<LiveHub>(LiveHub.Path);
        return app;
    }
}
