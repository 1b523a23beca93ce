using System.Text;
using PosMonitor.Web.Features.Identity;

namespace PosMonitor.Web.Infrastructure.Cluster;

/// <summary>
/// API key revocations between nodes: a key revoked on one node is dropped from every node's lookup cache and its live
/// connections there are closed, as soon as the message arrives (milliseconds). Should Redis be away, the cache's few
/// seconds bound how long another node still accepts the key.
/// </summary>
public sealed class KeyRevocationRelay(ClusterBus bus, ApiKeyRepository keys) : IHostedService
{
    public const string Topic = "key-revoked";
    private IDisposable? _own, _peers;

    public async Task StartAsync(CancellationToken ct)
    {
        _own = keys.SubscribeOwnRevoked(id => bus.Publish(Topic, Encoding.UTF8.GetBytes(id)));
        _peers = await bus.SubscribeAsync(Topic, message =>
        {
            keys.RevokedOnPeer(Encoding.UTF8.GetString(message.Span));
            return Task.CompletedTask;
        });
    }

    public Task StopAsync(CancellationToken ct)
    {
        _own?.Dispose();
        _peers?.Dispose();
        return Task.CompletedTask;
    }
}
