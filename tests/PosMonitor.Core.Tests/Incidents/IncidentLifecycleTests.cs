using PosMonitor.Core.Incidents;

namespace PosMonitor.Core.Tests.Incidents;

public class IncidentLifecycleTests
{
    [Theory]
    [InlineData(TicketStatus.Open, TicketAction.Acknowledge, TicketStatus.Acknowledged)]
    [InlineData(TicketStatus.Open, TicketAction.Mitigate, TicketStatus.Mitigated)]
    [InlineData(TicketStatus.Open, TicketAction.Resolve, TicketStatus.Resolved)]
    [InlineData(TicketStatus.Acknowledged, TicketAction.Mitigate, TicketStatus.Mitigated)]
    [InlineData(TicketStatus.Acknowledged, TicketAction.Resolve, TicketStatus.Resolved)]
    [InlineData(TicketStatus.Mitigated, TicketAction.Resolve, TicketStatus.Resolved)]
    [InlineData(TicketStatus.Resolved, TicketAction.Reopen, TicketStatus.Open)]
    public void Allowed_transitions_move_forward_or_reopen(TicketStatus from, TicketAction action, TicketStatus to)
    {
        var t = IncidentLifecycle.Apply(from, action);

        Assert.True(t.Allowed);
        Assert.Equal(to, t.To);
        Assert.Equal(Refusal.None, t.Refusal);
    }

    [Theory]
    [InlineData(TicketStatus.Acknowledged, TicketAction.Acknowledge, Refusal.AlreadyAcknowledged)]
    [InlineData(TicketStatus.Mitigated, TicketAction.Acknowledge, Refusal.AlreadyMitigated)]
    [InlineData(TicketStatus.Mitigated, TicketAction.Mitigate, Refusal.AlreadyMitigated)]
    [InlineData(TicketStatus.Resolved, TicketAction.Acknowledge, Refusal.ResolvedReopenFirst)]
    [InlineData(TicketStatus.Resolved, TicketAction.Mitigate, Refusal.ResolvedReopenFirst)]
    [InlineData(TicketStatus.Resolved, TicketAction.Resolve, Refusal.AlreadyResolved)]
    [InlineData(TicketStatus.Open, TicketAction.Reopen, Refusal.NotResolved)]
    [InlineData(TicketStatus.Acknowledged, TicketAction.Reopen, Refusal.NotResolved)]
    [InlineData(TicketStatus.Mitigated, TicketAction.Reopen, Refusal.NotResolved)]
    public void Refused_transitions_say_why_and_go_nowhere(TicketStatus from, TicketAction action, Refusal why)
    {
        var t = IncidentLifecycle.Apply(from, action);

        Assert.False(t.Allowed);
        Assert.Null(t.To);
        Assert.Equal(why, t.Refusal);
        Assert.Equal(from, t.From);
        Assert.False(string.IsNullOrWhiteSpace(t.Explain()));
    }

    [Fact]
    public void Every_status_and_action_pair_is_decided() =>
        Assert.All(Enum.GetValues<TicketStatus>().SelectMany(s => Enum.GetValues<TicketAction>().Select(a => IncidentLifecycle.Apply(s, a))),
            t => Assert.True(t.Allowed ^ (t.Refusal != Refusal.None)));
}

public class ResolveRuleTests
{
    [Theory]
    [InlineData(TicketStatus.Open)]
    [InlineData(TicketStatus.Acknowledged)]
    [InlineData(TicketStatus.Mitigated)]
    public void Resolving_while_detection_still_sees_the_fault_is_refused_without_a_reason(TicketStatus from)
    {
        Assert.Equal(Refusal.StillFailing, IncidentLifecycle.Resolve(from, stillFailing: true, overrideReason: null).Refusal);
        Assert.Equal(Refusal.StillFailing, IncidentLifecycle.Resolve(from, stillFailing: true, overrideReason: "  ").Refusal);
        Assert.False(IncidentLifecycle.Resolve(from, stillFailing: true, overrideReason: "").Allowed);
    }

    [Fact]
    public void A_reason_overrides_detection_and_a_fault_detection_no_longer_sees_needs_none()
    {
        Assert.Equal(TicketStatus.Resolved, IncidentLifecycle.Resolve(TicketStatus.Acknowledged, true, "provider confirmed the fix at 03:10").To);
        Assert.Equal(TicketStatus.Resolved, IncidentLifecycle.Resolve(TicketStatus.Open, false, null).To);
        Assert.Equal(Refusal.AlreadyResolved, IncidentLifecycle.Resolve(TicketStatus.Resolved, true, "again").Refusal);
    }

    [Theory]
    [InlineData(TicketStatus.Open, false, MerchantPhase.Investigating)]
    [InlineData(TicketStatus.Open, true, MerchantPhase.Identified)]
    [InlineData(TicketStatus.Acknowledged, false, MerchantPhase.Identified)]
    [InlineData(TicketStatus.Mitigated, false, MerchantPhase.Monitoring)]
    [InlineData(TicketStatus.Resolved, true, MerchantPhase.Resolved)]
    public void Merchants_are_told_a_phase_that_walks_from_investigating_to_resolved(TicketStatus status, bool causeConfirmed, MerchantPhase phase) =>
        Assert.Equal(phase, IncidentLifecycle.PhaseOf(status, causeConfirmed));
}
