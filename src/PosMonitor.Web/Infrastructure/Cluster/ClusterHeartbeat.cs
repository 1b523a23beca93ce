using Microsoft.Extensions.Options;
using PosMonitor.Web.Features.Detection;

namespace PosMonitor.Web.Infrastructure.Cluster;

/// <summary>
/// A cluster node's heartbeat: every <see cref="ClusterOptions.HeartbeatInterval"/> it writes its row in
/// <c>cluster_nodes</c> and acquires or renews the detection lease. A leader that dies stops renewing; the lease
/// lapses after <see cref="ClusterOptions.LeaseDuration"/> and the next node to beat takes it as a new term.
/// A graceful stop gives the lease up at once.
/// </summary>
internal sealed class ClusterHeartbeat(
    ClusterStore store, DetectionLeadership leadership, IOptions<ClusterOptions> options, DetectionHostOptions detection, TimeProvider time,
    IHostApplicationLifetime lifetime, ILogger<ClusterHeartbeat> logger) : BackgroundService
{
    private readonly DateTimeOffset _startedAt = time.GetUtcNow();
    private long _heldToken;

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        // The first beat waits for start-up to finish: migrations create the tables it writes.
        if (!await Started(stoppingToken)) return;
        var o = options.Value;
        try
        {
            await store.ForgetAsync(null, time.GetUtcNow() - TimeSpan.FromDays(1), stoppingToken);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            logger.LogWarning(e, "Could not forget nodes gone for a day");
        }
        using var timer = new PeriodicTimer(o.HeartbeatInterval, time);
        try
        {
            do await BeatAsync(o, stoppingToken);
            while (await timer.WaitForNextTickAsync(stoppingToken));
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            // Stopping: StopAsync gives the lease up.
        }
    }

    private async Task BeatAsync(ClusterOptions o, CancellationToken ct)
    {
        var calledAt = time.GetTimestamp();
        var now = time.GetUtcNow();
        try
        {
            await store.HeartbeatAsync(leadership.NodeName, _startedAt, ClusterOverview.Version, now, ct);
            // A node that may not run detection (Detection:Enabled false) must not hold the lease others would lead with.
            if (!detection.Enabled) return;
            var lease = await store.TryAcquireAsync(leadership.NodeName, now, o.LeaseDuration, ct);
            if (lease.Holder == leadership.NodeName)
            {
                if (lease.Token != _heldToken)
                    logger.LogInformation("Node {Node} leads detection from now on (term {Token})", leadership.NodeName, lease.Token);
                _heldToken = lease.Token;
                leadership.Held(lease.Token, calledAt);
            }
            else
            {
                if (_heldToken != 0)
                    logger.LogWarning("Node {Node} no longer leads detection: {Holder} holds term {Token}", leadership.NodeName, lease.Holder, lease.Token);
                _heldToken = 0;
                leadership.NotHeld();
            }
        }
        catch (Exception e) when (e is not OperationCanceledException || !ct.IsCancellationRequested)
        {
            // Leadership runs out on its own clock (DetectionLeadership) if the database stays unreachable.
            logger.LogWarning(e, "Cluster heartbeat of {Node} failed; it retries in {Interval}", leadership.NodeName, o.HeartbeatInterval);
        }
    }

    public override async Task StopAsync(CancellationToken ct)
    {
        await base.StopAsync(ct);
        try
        {
            if (_heldToken != 0)
            {
                var token = _heldToken;
                _heldToken = 0;
                leadership.NotHeld();
                await store.ReleaseAsync(leadership.NodeName, token, ct);
                logger.LogInformation("Node {Node} gave up the detection lease (term {Token}) as it stops", leadership.NodeName, token);
            }
            await store.ForgetAsync(leadership.NodeName, DateTimeOffset.MinValue, ct);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            logger.LogWarning(e, "Node {Node} could not give up its lease at stop; another node takes over when it lapses", leadership.NodeName);
        }
    }

    private async Task<bool> Started(CancellationToken ct)
    {
        var started = new TaskCompletionSource();
        using var a = lifetime.ApplicationStarted.Register(() => started.TrySetResult());
        using var b = ct.Register(() => started.TrySetCanceled(ct));
        try
        {
            await started.Task;
            return true;
        }
        catch (OperationCanceledException)
        {
            return false;
        }
    }
}
