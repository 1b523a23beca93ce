namespace PosMonitor.Web.Infrastructure.Cluster;

public static class ClusterExtensions
{
    /// <summary>
    /// <c>PosMonitor:Cluster</c>: off by default, and then nothing here changes how a single node runs.
    /// </summary>
    public static IHostApplicationBuilder AddCluster(this IHostApplicationBuilder builder)
    {
        builder.Services.AddValidatedOptions<ClusterOptions>(ClusterOptions.Section);
        return builder;
    }
}
