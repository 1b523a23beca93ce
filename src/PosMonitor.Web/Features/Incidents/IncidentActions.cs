using PosMonitor.Core.Incidents;
using PosMonitor.Web.Features.Runbooks;

namespace PosMonitor.Web.Features.Incidents;

/// <summary>An agent resolved the incident (it may already have been resolved by detection).</summary>
public sealed record IncidentResolvedByAgent(Incident Incident, string By, DateTimeOffset At);

/// <summary>Nobody acknowledged the incident in time: it reached escalation <paramref name="Level"/>, whose runbook contacts are <paramref name="Contacts"/>.</summary>
public sealed record IncidentEscalated(Incident Incident, int Level, string Reason, IReadOnlyList<EscalationContact> Contacts, DateTimeOffset At);

/// <summary>Told of what support does to incidents beyond the state changes on <see cref="IncidentFeed"/> (Notifications is one).</summary>
public interface IIncidentActionHandler
{
    Task OnResolvedByAgentAsync(IncidentResolvedByAgent action, CancellationToken ct);

    Task OnEscalatedAsync(IncidentEscalated action, CancellationToken ct);
}

/// <summary>
/// Publishes support's actions to every registered <see cref="IIncidentActionHandler"/>, so Incidents needs to know
/// nothing of who listens. Handlers are awaited in turn and their failures reach the action, as a direct call's would:
/// when an agent's resolve returns, its notification is in the outbox.
/// </summary>
public sealed class IncidentActions(IEnumerable<IIncidentActionHandler> handlers)
{
    public async Task PublishAsync(IncidentResolvedByAgent action, CancellationToken ct)
    {
        foreach (var handler in handlers) await handler.OnResolvedByAgentAsync(action, ct);
    }

    public async Task PublishAsync(IncidentEscalated action, CancellationToken ct)
    {
        foreach (var handler in handlers) await handler.OnEscalatedAsync(action, ct);
    }
}
