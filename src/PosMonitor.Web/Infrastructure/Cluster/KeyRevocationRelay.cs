using PosMonitor.Web.Features.Identity;

namespace PosMonitor.Web.Infrastructure.Cluster;

/// <summary>
/// API key revocations between nodes: a key revoked on one node is dropped from every node's lookup cache and its live
/// connections there are closed, as soon as the message arrives (milliseconds). Should Redis be away, the cache's few
/// seconds bound how long another node still accepts the key.
/// </summary>
public sealed class KeyRevocationRelay(ClusterBus bus, ApiKeyRepository keys) : IdRelay(bus, Topic)
{
    public const string Topic = "key-revoked";

    protected override IDisposable SubscribeOwn(Action<string> send) => keys.SubscribeOwnRevoked(send);

    protected override void OnPeer(string id) => keys.RevokedOnPeer(id);
}
