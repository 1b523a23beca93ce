using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;
using PosMonitor.Web.Features.Detection;
using PosMonitor.Web.Features.Incidents;
using PosMonitor.Web.Features.Telemetry;
using PosMonitor.Web.Features.Notifications;
using PosMonitor.Web.Infrastructure.Cluster;

namespace PosMonitor.Web.Tests.Cluster;

/// <summary>
/// The leader holds detection while Redis, which carries the other nodes' telemetry, is away and while the relays catch
/// up after it: terminals reporting to other nodes would look silent here. Other jobs (notifications, escalation) go on.
/// </summary>
public class PeerTelemetryTests
{
    private readonly FakeTimeProvider _clock = new(new DateTimeOffset(2026, 12, 7, 9, 0, 0, TimeSpan.Zero));
    private bool _connected = true;

    private (PeerTelemetry Peers, LeaderOnlyJobs Jobs) Leader()
    {
        var peers = new PeerTelemetry(() => _connected, _clock);
        // Cluster off in the options: this node leads, so only the telemetry rule decides.
        var leadership = new DetectionLeadership(Options.Create(new ClusterOptions()), _clock);
        return (peers, new LeaderOnlyJobs(leadership, peers, NullLogger<LeaderOnlyJobs>.Instance));
    }

    [Fact]
    public void Detection_is_held_while_Redis_is_away_and_for_the_grace_after_it_is_back_other_jobs_are_not()
    {
        var (peers, jobs) = Leader();
        Assert.False(jobs.Vetoes(typeof(DetectIncidentsJob)));

        _connected = false;
        peers.Lost();
        Assert.True(jobs.Vetoes(typeof(DetectIncidentsJob)));
        Assert.False(jobs.Vetoes(typeof(DeliverNotificationsJob)));

        _connected = true;
        peers.Restored();
        _clock.Advance(PeerTelemetry.Grace - TimeSpan.FromSeconds(1));
        Assert.True(jobs.Vetoes(typeof(DetectIncidentsJob)));

        _clock.Advance(TimeSpan.FromSeconds(1));
        Assert.False(jobs.Vetoes(typeof(DetectIncidentsJob)));
    }

    [Theory]
    [InlineData(typeof(DetectIncidentsJob))]
    [InlineData(typeof(EscalateUnacknowledgedIncidentsJob))]
    [InlineData(typeof(DeliverNotificationsJob))]
    [InlineData(typeof(PruneTelemetryJob))]
    [InlineData(typeof(AdoptRollupsJob))]
    public void A_node_that_does_not_hold_the_lease_runs_no_scheduled_job_and_runs_each_once_it_does(Type job)
    {
        var leadership = new DetectionLeadership(Options.Create(new ClusterOptions { Enabled = true, NodeName = "node-b" }), _clock);
        var jobs = new LeaderOnlyJobs(leadership, new PeerTelemetry(() => _connected, _clock), NullLogger<LeaderOnlyJobs>.Instance);
        Assert.True(jobs.Vetoes(job));

        leadership.Held(token: 2, calledAt: _clock.GetTimestamp());
        Assert.False(jobs.Vetoes(job));

        // The lease lapses unrenewed (this node paused, or cut off from the database): another node may lead by now.
        _clock.Advance(new ClusterOptions().LeaseDuration);
        Assert.True(jobs.Vetoes(job));
    }

    [Fact]
    public void The_first_connection_at_start_up_holds_nothing()
    {
        var (peers, jobs) = Leader();
        peers.Restored();
        Assert.False(jobs.Vetoes(typeof(DetectIncidentsJob)));
    }
}
