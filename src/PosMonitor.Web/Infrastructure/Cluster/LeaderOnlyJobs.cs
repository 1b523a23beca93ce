using Quartz;
using Quartz.Listener;

namespace PosMonitor.Web.Infrastructure.Cluster;

/// <summary>
/// With several nodes, every scheduled job (detection, escalation, notification delivery, pruning) fires on the
/// detection leader only, so each runs once cluster-wide; the other nodes' triggers are vetoed and fire again on time.
/// </summary>
internal sealed class LeaderOnlyJobs(DetectionLeadership leadership) : TriggerListenerSupport
{
    public override string Name => nameof(LeaderOnlyJobs);

    public override Task<bool> VetoJobExecution(ITrigger trigger, IJobExecutionContext context, CancellationToken ct = default) =>
        Task.FromResult(!leadership.Leads);
}
