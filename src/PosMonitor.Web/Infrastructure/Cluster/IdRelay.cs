using System.Text;

namespace PosMonitor.Web.Infrastructure.Cluster;

/// <summary>
/// A relay whose message is one id: this node's changes go out on <paramref name="topic"/> as the id, the other nodes'
/// come in as it; what the id means (a revoked key, a changed ticket) is the subclass's.
/// </summary>
public abstract class IdRelay(ClusterBus bus, string topic) : IHostedService
{
    private IDisposable? _own, _peers;

    /// <summary>Subscribes <paramref name="send"/> to this node's own changes.</summary>
    protected abstract IDisposable SubscribeOwn(Action<string> send);

    /// <summary>Handles an id another node sent.</summary>
    protected abstract void OnPeer(string id);

    public async Task StartAsync(CancellationToken ct)
    {
        _own = SubscribeOwn(id => bus.Publish(topic, Encoding.UTF8.GetBytes(id)));
        _peers = await bus.SubscribeAsync(topic, message =>
        {
            OnPeer(Encoding.UTF8.GetString(message.Span));
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
