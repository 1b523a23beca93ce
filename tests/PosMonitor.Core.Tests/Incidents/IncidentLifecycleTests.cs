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
