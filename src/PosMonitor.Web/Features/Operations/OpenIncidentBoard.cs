using PosMonitor.Core.Incidents;
using PosMonitor.Web.Features.Identity;
using PosMonitor.Web.Features.Incidents;

namespace PosMonitor.Web.Features.Operations;

/// <summary>
/// The open incidents a viewer may see and support's ticket for each (acknowledged, owner, SLA), as the dashboard and the
/// wall both show them: read on <see cref="LoadAsync"/>, and <see cref="Subscribe"/> says when an incident or a ticket
/// changed so the page reloads on its own thread. One per circuit.
/// </summary>
public sealed class OpenIncidentBoard(IIncidentReader incidents, TicketRepository tickets, IncidentFeed feed, IncidentTickets workflow, TimeProvider time)
{
    private Dictionary<string, Ticket> _tickets = new(StringComparer.Ordinal);

    public IReadOnlyList<Incident> List { get; private set; } = [];

    /// <summary>Whether incidents come from the database (else only those since this process started).</summary>
    public bool IsDurable => incidents.IsDurable;

    public Ticket? TicketOf(Incident incident) => _tickets.GetValueOrDefault(incident.Id);

    public async Task LoadAsync(Viewer viewer, CancellationToken ct)
    {
        List = await incidents.OpenAsync(viewer, ct);
        _tickets = List.Count == 0 ? new(StringComparer.Ordinal)
            : (await tickets.ListAsync(time.GetUtcNow(), ct)).ToDictionary(t => t.IncidentId, StringComparer.Ordinal);
    }

    /// <summary>Calls <paramref name="changed"/> (on the feed's thread) when an incident or its ticket changed; dispose to stop.</summary>
    public IDisposable Subscribe(Action changed)
    {
        var incidentChanges = feed.Subscribe((_, _) => changed());
        var ticketChanges = workflow.SubscribeChanges(_ => changed());
        return new Both(incidentChanges, ticketChanges);
    }

    private sealed class Both(IDisposable a, IDisposable b) : IDisposable
    {
        public void Dispose()
        {
            a.Dispose();
            b.Dispose();
        }
    }
}
