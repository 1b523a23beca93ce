using PosMonitor.Web.Features.Fleet;

namespace PosMonitor.Web.Infrastructure.Cluster;

/// <summary>
/// Fleet changes between nodes: every node reloads the fleet when one changes it, so telemetry from a terminal
/// registered through one node is taken by all of them.
/// </summary>
public sealed class FleetRelay(ClusterBus bus, FleetChanges changes) : IHostedService
{
    public const string Topic = "fleet";
    private IDisposable? _peers;

    public async Task StartAsync(CancellationToken ct)
    {
        changes.SubscribeOwn(() => bus.Publish(Topic, []));
        _peers = await bus.SubscribeAsync(Topic, _ => changes.NotifyChangedFromPeerAsync(CancellationToken.None));
    }

    public Task StopAsync(CancellationToken ct)
    {
        _peers?.Dispose();
        return Task.CompletedTask;
    }
}
