using System.Security.Cryptography;
using System.Text;
using Microsoft.Extensions.Options;
using StackExchange.Redis;

namespace PosMonitor.Web.Infrastructure.Cluster;

/// <summary>
/// What one node tells the others at once, over Redis pub/sub: one channel per topic (<c>{KeyPrefix}:bus:{topic}</c>),
/// each message stamped with the node it came from, so a node never handles its own messages again (no echo loops).
/// Pub/sub is fire and forget: a node that is away misses what was said meanwhile, which is why only views and caches
/// are fed this way; whatever must not be lost is in the database first. StackExchange.Redis reconnects and
/// resubscribes by itself, and holds what is published while it reconnects for a few seconds (its backlog).
/// </summary>
public sealed class ClusterBus(IConnectionMultiplexer redis, IOptions<ClusterOptions> options, ILogger<ClusterBus> logger)
{
    private static readonly TimeSpan RetrySubscribe = TimeSpan.FromSeconds(2);

    /// <summary>This node's name and a random part of this process: two nodes configured with the same name still tell their messages apart.</summary>
    private readonly byte[] _origin = Encoding.UTF8.GetBytes($"{Truncate(options.Value.ResolvedNodeName)}/{Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(4))}");

    public string NodeName => options.Value.ResolvedNodeName;

    private static string Truncate(string name) => name.Length <= 200 ? name : name[..200];

    private RedisChannel Channel(string topic) => RedisChannel.Literal(options.Value.Key($"bus:{topic}"));

    /// <summary>Sends <paramref name="payload"/> to every other node subscribed to <paramref name="topic"/>; returns at once and never throws.</summary>
    public void Publish(string topic, ReadOnlySpan<byte> payload)
    {
        var frame = new byte[1 + _origin.Length + payload.Length];
        frame[0] = (byte)_origin.Length;
        _origin.CopyTo(frame, 1);
        payload.CopyTo(frame.AsSpan(1 + _origin.Length));
        try
        {
            redis.GetSubscriber().Publish(Channel(topic), frame, CommandFlags.FireAndForget);
        }
        catch (Exception e)
        {
            // Redis is away: the other nodes' views miss this change; ours has it, and the database holds it.
            logger.LogWarning(e, "Could not publish {Topic} to the other nodes", topic);
        }
    }

    /// <summary>
    /// Calls <paramref name="onPeerMessage"/> with each payload another node publishes on <paramref name="topic"/>, one at a
    /// time in the order they arrive. Completes once subscribed, or at once while Redis is unreachable: then it keeps
    /// trying in the background. Dispose the result to unsubscribe.
    /// </summary>
    public async Task<IDisposable> SubscribeAsync(string topic, Func<ReadOnlyMemory<byte>, Task> onPeerMessage)
    {
        var stop = new CancellationTokenSource();
        if (await TrySubscribeAsync(topic) is { } queue) Handle(queue, topic, onPeerMessage, stop.Token);
        else _ = RetrySubscribeAsync(topic, onPeerMessage, stop.Token);
        return stop;
    }

    private async Task<ChannelMessageQueue?> TrySubscribeAsync(string topic)
    {
        try
        {
            // Only once connected (a subscription asked for while disconnected may wait out its timeout); from then on
            // the library resubscribes after every reconnect by itself.
            return redis.IsConnected ? await redis.GetSubscriber().SubscribeAsync(Channel(topic)) : null;
        }
        catch (Exception e)
        {
            logger.LogWarning(e, "Could not subscribe to {Topic} from the other nodes; trying again", topic);
            return null;
        }
    }

    private async Task RetrySubscribeAsync(string topic, Func<ReadOnlyMemory<byte>, Task> onPeerMessage, CancellationToken ct)
    {
        while (!ct.IsCancellationRequested)
        {
            try { await Task.Delay(RetrySubscribe, ct); } catch (OperationCanceledException) { return; }
            if (await TrySubscribeAsync(topic) is not { } queue) continue;
            Handle(queue, topic, onPeerMessage, ct);
            return;
        }
    }

    private void Handle(ChannelMessageQueue queue, string topic, Func<ReadOnlyMemory<byte>, Task> onPeerMessage, CancellationToken ct)
    {
        ct.Register(() => _ = queue.UnsubscribeAsync());
        queue.OnMessage(async message =>
        {
            var frame = (ReadOnlyMemory<byte>)(byte[])message.Message!;
            var originLength = frame.Span[0];
            if (frame.Span.Slice(1, originLength).SequenceEqual(_origin)) return;
            try
            {
                await onPeerMessage(frame[(1 + originLength)..]);
            }
            catch (Exception e)
            {
                logger.LogError(e, "Handling {Topic} from another node failed", topic);
            }
        });
    }
}
