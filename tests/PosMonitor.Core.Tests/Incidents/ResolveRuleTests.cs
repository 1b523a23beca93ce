using PosMonitor.Core.Incidents;

namespace PosMonitor.Core.Tests.Incidents;

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
