using System.Threading.Channels;
using PosMonitor.Core.Rollups;
using PosMonitor.Web.Features.Telemetry;

namespace PosMonitor.Web.Infrastructure.Cluster;

/// <summary>
/// Committed telemetry between nodes: this node's rollup changes go to the others (merged while the previous one is
/// being sent, so a burst of commits is one message), and theirs come into this node's <see cref="TelemetryFeed"/> and
/// terminal states, so the heatmap, the pages, the hub and detection here see every node's telemetry.
/// </summary>
public sealed class TelemetryRelay(ClusterBus bus, TelemetryFeed feed, TerminalStateCache states) : BackgroundService
{
    public const string Topic = "telemetry";
    private readonly Channel<RollupDelta> _outgoing = Channel.CreateUnbounded<RollupDelta>(new UnboundedChannelOptions { SingleReader = true });
    private IDisposable? _own, _peers;

    public override Task StartAsync(CancellationToken ct)
    {
        _own = feed.SubscribeOwn(delta => _outgoing.Writer.TryWrite(delta));
        _peers = bus.Subscribe(Topic, FromPeer);
        return base.StartAsync(ct);
    }

    public override async Task StopAsync(CancellationToken ct)
    {
        _own?.Dispose();
        _peers?.Dispose();
        await base.StopAsync(ct);
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        while (await _outgoing.Reader.WaitToReadAsync(stoppingToken))
        {
            if (!_outgoing.Reader.TryRead(out var delta)) continue;
            if (_outgoing.Reader.TryRead(out var next))
            {
                // Published deltas are shared with this node's subscribers: merge into a copy.
                var merged = new RollupDelta();
                merged.MergeFrom(delta);
                do merged.MergeFrom(next);
                while (_outgoing.Reader.TryRead(out next));
                delta = merged;
            }
            bus.Publish(Topic, RollupDeltaWire.Write(delta));
        }
    }

    private Task FromPeer(ReadOnlyMemory<byte> message)
    {
        if (RollupDeltaWire.Read(message) is not { } delta) return Task.CompletedTask;
        // A terminal may post to several nodes: the state seen last wins, whichever node saw it.
        states.Apply(delta.States.Values.Where(s => states.Get(s.TerminalId) is not { } known || s.LastSeenAt >= known.LastSeenAt));
        feed.PublishFromPeer(delta);
        return Task.CompletedTask;
    }
}
