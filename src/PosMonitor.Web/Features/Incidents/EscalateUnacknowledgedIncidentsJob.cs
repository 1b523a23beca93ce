using Microsoft.Extensions.Options;
using PosMonitor.Core.Incidents;
using PosMonitor.Web.Features.Identity;
using PosMonitor.Web.Features.Runbooks;
using Quartz;

namespace PosMonitor.Web.Features.Incidents;

/// <summary>
/// Escalates incidents nobody acknowledged in time (PosMonitor:Sla): level 1 when the acknowledgement
/// deadline passes, level 2 and 3 after two and three times that; each level once, recorded in the
/// timeline and sent to that level's contacts of the runbook version the incident started with.
/// </summary>
[DisallowConcurrentExecution]
public sealed class EscalateUnacknowledgedIncidentsJob(IncidentEscalation escalation) : IJob
{
    public Task Execute(IJobExecutionContext context) => escalation.RunAsync(context.CancellationToken);
}

public sealed class IncidentEscalation(TicketRepository tickets, IncidentRepository incidents, RunbookRepository runbooks, IncidentActions actions,
    IncidentTickets workflow, IOptionsMonitor<SlaOptions> sla, TimeProvider time)
{
    private static readonly Viewer Everyone = new(true, null, false);

    /// <summary>Escalates every overdue open incident one level at a time; returns the escalations made.</summary>
    public async Task<int> RunAsync(CancellationToken ct)
    {
        var now = time.GetUtcNow();
        var made = 0;
        foreach (var ticket in await tickets.ListAsync(now, ct))
        {
            if (ticket.Status != TicketStatus.Open) continue;
            var incident = await incidents.GetAsync(ticket.IncidentId, Everyone, ct);
            if (incident is null || incident.ResolvedAt is not null) continue;
            var due = sla.CurrentValue.LevelDue(incident.Severity, incident.OpenedAt, now);
            // One level per level passed, in order, so a job that was down catches up without skipping anyone.
            for (var level = ticket.EscalationLevel + 1; level <= due; level++)
            {
                var runbook = await runbooks.GetVersionAsync(ticket.RunbookId, ticket.RunbookVersion, ct);
                var contacts = runbook?.ContactsAt(level) ?? [];
                var names = contacts.Count == 0 ? "—" : string.Join(", ", contacts.Select(c => $"{c.Name} <{ContactAddresses.Shown(c.Channel, c.Address)}>"));
                if (!await tickets.EscalateAsync(ticket.IncidentId, level, $"{level}:{names}", now, ct)) continue;
                var reason = $"Not acknowledged within {sla.CurrentValue.For(incident.Severity).AcknowledgeMinutes * level} min";
                await actions.PublishAsync(new IncidentEscalated(incident, level, reason, contacts, now), ct);
                made++;
            }
        }
        if (made > 0) workflow.NotifyEscalated();
        return made;
    }
}
