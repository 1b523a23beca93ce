using PosMonitor.Web.Features.Detection;
using Quartz;
using Quartz.Listener;

namespace PosMonitor.Web.Infrastructure.Cluster;

/// <summary>
/// With several nodes, every scheduled job (detection, escalation, notification delivery, pruning) fires on the
/// detection leader only, so each runs once cluster-wide; the other nodes' triggers are vetoed and fire again on time.
/// Detection also waits while the leader does not see the other nodes' telemetry (<see cref="PeerTelemetry"/>).
/// </summary>
internal sealed class LeaderOnlyJobs(DetectionLeadership leadership, PeerTelemetry peers, ILogger<LeaderOnlyJobs> logger) : TriggerListenerSupport
{
    private bool _held;

    public override string Name => nameof(LeaderOnlyJobs);

    public override Task<bool> VetoJobExecution(ITrigger trigger, IJobExecutionContext context, CancellationToken ct = default) =>
        Task.FromResult(Vetoes(context.JobDetail.JobType));

    internal bool Vetoes(Type job)
    {
        if (!leadership.Leads) return true;
        if (job != typeof(DetectIncidentsJob)) return false;
        var complete = peers.Complete;
        if (complete == _held)
        {
            // Said once per pause, not every 15 s.
            _held = !complete;
            if (_held) logger.LogWarning("Detection held: Redis, which carries the other nodes' telemetry, is unreachable or just back ({Grace} of catching up)", PeerTelemetry.Grace);
            else logger.LogInformation("Detection resumed: the other nodes' telemetry reaches this node again");
        }
        return !complete;
    }
}
