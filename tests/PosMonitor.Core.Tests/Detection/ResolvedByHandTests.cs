using PosMonitor.Core.Detection;
using PosMonitor.Core.Incidents;
using PosMonitor.Core.Telemetry;

namespace PosMonitor.Core.Tests.Detection;

/// <summary>An agent resolves an incident detection holds (src/PosMonitor.Web/Features/Incidents/incident-state.md).</summary>
public class ResolvedByHandTests
{
    private static readonly DateTimeOffset Start = TrafficScenario.Monday9Utc;
    private static readonly DateTimeOffset FaultAt = Start + TimeSpan.FromMinutes(60);

    /// <summary>gw-b times out 40% of its sales from <see cref="FaultAt"/> until <paramref name="until"/>.</summary>
    private static TrafficScenario GatewayFault(DateTimeOffset until) => new(TrafficScenario.MakeFleet(), Start)
    {
        Inject = (t, at) => t.GatewayId == "gw-b" && at >= FaultAt && at < until ? new Fault { Rate = 0.4, Stage = Stage.Gateway } : null,
    };

    private static Incident OpenedIncident(TrafficScenario s)
    {
        s.Run(FaultAt - Start + TimeSpan.FromMinutes(5));
        Assert.True(s.Opened.Count == 1, DetectionEngineTests.Describe(s));
        return s.Opened[0];
    }

    private static List<IncidentChange> ChangesOf(TrafficScenario s, string id, DateTimeOffset after) =>
        [.. s.Changes.Where(c => c.Incident.Id == id && c.Incident.UpdatedAt > after)];

    [Fact]
    public void Detection_says_how_an_open_incident_fails_now()
    {
        var s = GatewayFault(until: DateTimeOffset.MaxValue);
        var incident = OpenedIncident(s);

        var failing = s.Evaluate().Failing;

        var now = Assert.Single(failing).Value;
        Assert.Equal(incident.Id, now.IncidentId);
        Assert.Equal((ScopeType.Gateway, "gw-b", "rate:Gateway"), (now.Figure.ScopeType, now.Figure.ScopeId, now.Figure.What));
        var pct = double.Parse(now.Figure.Rate!.TrimEnd('%'), System.Globalization.CultureInfo.InvariantCulture);
        Assert.InRange(pct, 20, 60);
        Assert.Matches(@"^Gateway gw-b: \d+% of sales time out at the gateway stage$", now.Figure.ToString());
    }

    [Fact]
    public void An_incident_resolved_while_its_fault_runs_is_not_updated_and_reopens_itself_on_the_minutes_after_the_resolve()
    {
        var s = GatewayFault(until: DateTimeOffset.MaxValue);
        var incident = OpenedIncident(s);
        var resolvedAt = s.Now;

        Assert.True(s.ResolveByHand(incident.Id));
        s.Run(TimeSpan.FromMinutes(3));

        var after = ChangesOf(s, incident.Id, resolvedAt);
        var reopened = Assert.Single(after, c => c.Kind == IncidentChangeKind.Reopened);
        // Nothing before the reopening: a resolved incident is not updated, and no duplicate opens.
        Assert.Equal(IncidentChangeKind.Reopened, after[0].Kind);
        Assert.Single(s.Opened);
        Assert.Null(reopened.Incident.ResolvedAt);
        Assert.Equal(incident.OpenedAt, reopened.Incident.OpenedAt);
        Assert.Matches(@"^Gateway gw-b: \d+% of sales time out at the gateway stage$", reopened.Incident.Title);
        // Judged only on what was reported since the resolve (the minutes that started at it or later), within a minute.
        Assert.Equal(0, resolvedAt.UtcTicks % TimeSpan.TicksPerMinute);
        Assert.InRange(reopened.Incident.UpdatedAt, resolvedAt + s.Settings.Interval, resolvedAt + TimeSpan.FromMinutes(1));
        Assert.Equal(incident.Id, Assert.Single(s.OpenIncidents).Id);
        Assert.Contains(incident.Id, s.Evaluate().Failing.Keys);
    }

    [Fact]
    public void A_resolve_over_detection_s_warning_is_confirmed_once_the_minutes_after_it_are_clean()
    {
        // The fault ends the moment the agent resolves (the provider fixed it): the windows still hold its minutes.
        var end = FaultAt + TimeSpan.FromMinutes(5);
        var s = GatewayFault(until: end);
        var incident = OpenedIncident(s);
        Assert.Contains(incident.Id, s.Evaluate().Failing.Keys);

        Assert.True(s.ResolveByHand(incident.Id));
        var resolvedAt = s.Now;
        s.Run(TimeSpan.FromMinutes(15));

        var after = ChangesOf(s, incident.Id, resolvedAt - TimeSpan.FromSeconds(1));
        var confirmed = Assert.Single(after);
        Assert.Equal(IncidentChangeKind.Resolved, confirmed.Kind);
        Assert.Equal(resolvedAt, confirmed.Incident.ResolvedAt);
        Assert.Single(s.Opened);
        Assert.Empty(s.OpenIncidents);
    }

    [Fact]
    public void A_fault_back_within_the_quiet_period_after_a_resolve_reopens_the_same_incident_and_later_opens_a_new_one()
    {
        var s = new TrafficScenario(TrafficScenario.MakeFleet(), Start);
        var back = FaultAt + TimeSpan.FromMinutes(15);
        s.Inject = (t, at) => t.GatewayId == "gw-b" && ((at >= FaultAt && at < FaultAt + TimeSpan.FromMinutes(4)) || at >= back)
            ? new Fault { Rate = 0.4, Stage = Stage.Gateway } : null;
        var incident = OpenedIncident(s);
        s.Run(TimeSpan.FromMinutes(5)); // the fault ended at +4 min; the windows forget it
        Assert.DoesNotContain(incident.Id, s.Evaluate().Failing.Keys);

        Assert.True(s.ResolveByHand(incident.Id));
        var resolvedAt = s.Now;
        s.Run(back + TimeSpan.FromMinutes(3) - s.Now);

        var after = ChangesOf(s, incident.Id, resolvedAt);
        Assert.Equal([IncidentChangeKind.Reopened], after.Select(c => c.Kind)); // no confirmation: detection agreed when resolved
        Assert.True(after[0].Incident.UpdatedAt >= back);
        Assert.Single(s.Opened);
    }
}
