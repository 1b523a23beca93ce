using Dapper;
using PosMonitor.Web.Features.Identity;
using PosMonitor.Web.Infrastructure.Data;
using Incident = PosMonitor.Core.Incidents.Incident;

namespace PosMonitor.Web.Features.Incidents;

// The incident queue (/incidents): filtered, sorted and paged in SQL, so the page holds one page of incidents
// however many a large estate has, instead of the last thousand filtered in the circuit.
public sealed partial class IncidentRepository
{
    public const int QueuePageMax = 200;

    /// <summary>
    /// One page of the queue: incidents open now or resolved since <paramref name="since"/> that the viewer may see,
    /// matching <paramref name="filter"/>, in its order (SLA due first, oldest, or newest), with the total count.
    /// The status is support's (the ticket's), or detection's for incidents older than tickets.
    /// </summary>
    public async Task<GridPage<Incident>> QueueAsync(Viewer viewer, QueueFilter filter, SlaOptions sla, DateTimeOffset since,
        int skip, int take, CancellationToken ct)
    {
        if (!viewer.SeesEveryMerchant && viewer.MerchantId is null) return new GridPage<Incident>([], 0);
        var args = new
        {
            Since = DbTime.ToMs(since),
            MerchantId = viewer.SeesEveryMerchant ? null : viewer.MerchantId,
            filter.Status, filter.Severity, filter.Cause, filter.Scope,
            Merchant = filter.Merchant.Trim(),
            Assignee = filter.Assignee.Trim(),
            AssigneePattern = "%" + LikeEscaped(filter.Assignee.Trim().ToLowerInvariant()) + "%",
            CriticalAck = sla.Critical.AcknowledgeMinutes * 60_000L, CriticalResolve = sla.Critical.ResolveMinutes * 60_000L,
            MajorAck = sla.Major.AcknowledgeMinutes * 60_000L, MajorResolve = sla.Major.ResolveMinutes * 60_000L,
            MinorAck = sla.Minor.AcknowledgeMinutes * 60_000L, MinorResolve = sla.Minor.ResolveMinutes * 60_000L,
            Skip = Math.Max(0, skip),
            Take = Math.Clamp(take, 1, QueuePageMax),
        };
        // Ties keep the newest first, as the list the page filtered before did.
        var order = filter.Sort switch
        {
            "age" => "i.opened_at ASC, i.seq DESC",
            "newest" => "i.opened_at DESC, i.seq DESC",
            _ => $"CASE WHEN {EffectiveStatus} = 'resolved' THEN 1 ELSE 0 END, i.opened_at + {SlaWindow}, {SeverityRank}, i.opened_at DESC, i.seq DESC",
        };
        await using var c = await db.OpenAsync(ct);
        var total = await c.ExecuteScalarAsync<int>(new CommandDefinition(db.Sql(QueueCount), args, cancellationToken: ct));
        var rows = await c.QueryAsync<IncidentRow>(new CommandDefinition(Paging.Page(db.Sql(QueuePage), order), args, cancellationToken: ct));
        return new GridPage<Incident>([.. rows.Select(r => r.ToIncident([], []))], total);
    }

    private static string LikeEscaped(string s) => s.Replace("!", "!!").Replace("%", "!%").Replace("_", "!_").Replace("[", "![");

    private const string EffectiveStatus = "COALESCE(t.status, CASE WHEN i.resolved_at IS NULL THEN 'open' ELSE 'resolved' END)";

    /// <summary>Minutes to the SLA deadline as <see cref="SlaOptions"/> has them: to acknowledge while open, to resolve after.</summary>
    private const string SlaWindow =
        """
        CASE WHEN t.status IS NULL OR t.status = 'open'
             THEN CASE i.severity WHEN 'critical' THEN @CriticalAck WHEN 'major' THEN @MajorAck ELSE @MinorAck END
             ELSE CASE i.severity WHEN 'critical' THEN @CriticalResolve WHEN 'major' THEN @MajorResolve ELSE @MinorResolve END END
        """;

    private const string SeverityRank = "CASE i.severity WHEN 'critical' THEN 0 WHEN 'major' THEN 1 ELSE 2 END";

    private const string QueueFrom =
        $"""
        FROM incidents i LEFT JOIN incident_tickets t ON t.incident_id = i.id
        WHERE (i.resolved_at IS NULL OR i.resolved_at >= @Since)
          AND (@MerchantId IS NULL OR EXISTS (SELECT 1 FROM incident_affected a WHERE a.merchant_id = @MerchantId AND a.incident_id = i.id))
          AND (@Status = '' OR (@Status = 'active' AND {EffectiveStatus} <> 'resolved') OR {EffectiveStatus} = @Status)
          AND (@Severity = '' OR i.severity = @Severity)
          AND (@Cause = '' OR i.cause = @Cause)
          AND (@Scope = '' OR i.scope_type = @Scope)
          AND (@Merchant = '' OR EXISTS (SELECT 1 FROM incident_affected a WHERE a.merchant_id = @Merchant AND a.incident_id = i.id)
               OR (i.scope_type = 'merchant' AND i.scope_id = @Merchant))
          AND (@Assignee = '' OR LOWER(COALESCE(t.assignee, '')) LIKE @AssigneePattern ESCAPE '!')
        """;

    private static readonly SqlText QueuePage = Paging.Paged($"SELECT {Columns} {QueueFrom}");
    private static readonly SqlText QueueCount = SqlText.Same($"SELECT COUNT(*) {QueueFrom};");
}

public sealed partial class TicketRepository
{
    /// <summary>The tickets of these incidents (a page of the queue); incidents older than tickets have none.</summary>
    public async Task<IReadOnlyDictionary<string, Ticket>> ForIncidentsAsync(IReadOnlyCollection<string> incidentIds, CancellationToken ct)
    {
        if (incidentIds.Count == 0) return new Dictionary<string, Ticket>();
        await using var c = await db.OpenAsync(ct);
        var rows = await c.QueryAsync<TicketRow>(new CommandDefinition(db.Sql(SelectForIncidents),
            new { Ids = System.Text.Json.JsonSerializer.Serialize(incidentIds) }, cancellationToken: ct));
        return rows.Select(r => r.ToTicket()).ToDictionary(t => t.IncidentId, StringComparer.Ordinal);
    }

    // The ids as one JSON array parameter: the same statement for any page size, and plain SQL in both dialects.
    private static readonly SqlText SelectForIncidents = new(
        $"SELECT {Columns} FROM incident_tickets t WHERE t.incident_id IN (SELECT value FROM json_each(@Ids));",
        $"SELECT {Columns} FROM incident_tickets t WHERE t.incident_id IN (SELECT value FROM OPENJSON(@Ids));");
}
