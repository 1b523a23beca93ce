using System.Text;
using PosMonitor.Core.Detection;
using PosMonitor.Web.Features.Identity;
using PosMonitor.Web.Features.Incidents;

namespace PosMonitor.Web.Infrastructure.Cluster;

/// <summary>
/// Incident changes between nodes. Only the kind and the id cross: the change is saved before it is published, so the
/// other nodes read the incident from the database (the system of record) and hand it to their views. Their tickets and
/// notifications are not run again: those subscribe to this node's own changes only.
/// </summary>
public sealed class IncidentRelay(ClusterBus bus, IncidentFeed feed, IncidentRepository incidents, ILogger<IncidentRelay> logger) : IHostedService
{
    public const string Topic = "incidents";
    private static readonly Viewer Everything = new(SeesEveryMerchant: true, MerchantId: null, IsDisplay: false);
    private IDisposable? _own, _peers;

    public async Task StartAsync(CancellationToken ct)
    {
        _own = feed.SubscribeOwn((kind, incident) => bus.Publish(Topic, Encoding.UTF8.GetBytes($"{(int)kind}:{incident.Id}")));
        _peers = await bus.SubscribeAsync(Topic, FromPeerAsync);
    }

    public Task StopAsync(CancellationToken ct)
    {
        _own?.Dispose();
        _peers?.Dispose();
        return Task.CompletedTask;
    }

    private async Task FromPeerAsync(ReadOnlyMemory<byte> message)
    {
        var text = Encoding.UTF8.GetString(message.Span);
        var colon = text.IndexOf(':');
        if (colon < 0 || !int.TryParse(text.AsSpan(0, colon), out var kind) || !Enum.IsDefined((IncidentChangeKind)kind)) return;
        var id = text[(colon + 1)..];
        if (await incidents.GetAsync(id, Everything, CancellationToken.None) is { } incident)
            feed.PublishFromPeer((IncidentChangeKind)kind, incident);
        else
            logger.LogWarning("Incident {Id} changed on another node is not in the database", id);
    }
}
