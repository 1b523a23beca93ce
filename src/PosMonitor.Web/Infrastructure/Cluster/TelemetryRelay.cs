using System.Threading.Channels;
using PosMonitor.Core.Rollups;
using Microsoft.Extensions.Options;
using PosMonitor.Web.Features.Telemetry;
using StackExchange.Redis;

namespace PosMonitor.Web.Infrastructure.Cluster;

/// <summary>
/// Committed telemetry between nodes: this node's rollup changes go to the others (merged while the previous one is
/// being sent, so a burst of commits is one message), and theirs come into this node's <see cref="TelemetryFeed"/> and
/// terminal states, so the heatmap, the pages, the hub and detection here see every node's telemetry.
/// </summary>
/// <remarks>
/// What another node committed while Redis was away never arrives here. Once Redis is back, after the other nodes' next
/// rollup flush, terminal states are read from the database and the per-minute figures of that gap are folded from the
/// raw events (<see cref="MissedTelemetry"/>).
/// </remarks>
public sealed class TelemetryRelay(
    ClusterBus bus, TelemetryFeed feed, TerminalStateCache states, MissedTelemetry missed, IConnectionMultiplexer redis,
    IOptions<IngestionOptions> ingestion, ILogger<TelemetryRelay> logger) : BackgroundService
{
    public const string Topic = "telemetry";
    private readonly Channel<RollupDelta> _outgoing = Channel.CreateUnbounded<RollupDelta>(new UnboundedChannelOptions { SingleReader = true });
    private IDisposable? _own, _peers;

    public override async Task StartAsync(CancellationToken ct)
    {
        missed.Started();
        _own = feed.SubscribeOwn(delta =>
        {
            missed.Own(delta);
            _outgoing.Writer.TryWrite(delta);
        });
        _peers = await bus.SubscribeAsync(Topic, FromPeer);
        redis.ConnectionFailed += OnRedisLost;
        redis.ConnectionRestored += OnRedisBack;
        // Started without Redis: the others' changes are missed from now until it is reached.
        if (!redis.IsConnected) missed.Lost();
        await base.StartAsync(ct);
    }

    private void OnRedisLost(object? sender, ConnectionFailedEventArgs e)
    {
        if (e.ConnectionType == ConnectionType.Subscription) missed.Lost();
    }

    private void OnRedisBack(object? sender, ConnectionFailedEventArgs e)
    {
        if (e.ConnectionType == ConnectionType.Subscription) _ = CatchUpAsync();
    }

    private async Task CatchUpAsync()
    {
        try
        {
            // The other nodes write the states they hold at their next rollup flush, and send what their Redis client
            // held back as soon as it reconnects; a margin on top.
            await Task.Delay(TimeSpan.FromMilliseconds(2 * ingestion.Value.RollupFlushMilliseconds + 1000));
            await states.LoadNewerAsync(CancellationToken.None);
            logger.LogInformation("Terminal states caught up from the database after Redis was back");
            // Lost again meanwhile: the next reconnection catches up the whole of it.
            if (redis.IsConnected) await missed.CatchUpAsync(CancellationToken.None);
        }
        catch (Exception e)
        {
            logger.LogWarning(e, "Could not catch up after Redis was back; this node's live views follow the other nodes' next changes");
        }
    }

    public override async Task StopAsync(CancellationToken ct)
    {
        redis.ConnectionFailed -= OnRedisLost;
        redis.ConnectionRestored -= OnRedisBack;
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
        missed.FromPeer(delta);
        return Task.CompletedTask;
    }
}
