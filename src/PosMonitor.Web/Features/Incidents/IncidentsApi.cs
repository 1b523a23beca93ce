using System.Globalization;
using Microsoft.AspNetCore.Http.HttpResults;
using PosMonitor.Core.Incidents;
using PosMonitor.Web.Features.Audit;
using PosMonitor.Web.Features.Identity;
using PosMonitor.Web.Infrastructure.Api;

namespace PosMonitor.Web.Features.Incidents;

public sealed record TimelineEntry(DateTime At, string Kind, string Severity, string Title, AffectedBody Affected);

/// <summary>The runbook version the incident started with, and its steps' titles (English) as a checklist.</summary>
public sealed record RunbookRef(string Id, IReadOnlyList<string> Checklist, int? Version = null);

/// <summary>One incident with its timeline and runbook: the fields of src/PosMonitor.Core/Replay/replay.md plus those two.</summary>
public sealed record IncidentDetailBody(
    string Id, string ScopeType, string ScopeId, string Cause, string Severity,
    DateTime OpenedAt, DateTime? ResolvedAt, string RunbookId, string Title,
    IReadOnlyList<string> Evidence, AffectedBody Affected, IReadOnlyList<TimelineEntry> Timeline, RunbookRef Runbook);

/// <summary>
/// <c>GET /api/v1/incidents</c> and <c>GET /api/v1/incidents/{id}</c> (src/PosMonitor.Web/Features/Telemetry/telemetry-api.md, "Reading").
/// A read:merchant key sees only incidents that affect its merchant; another merchant's incident is
/// answered 404, as if it did not exist, so ids do not leak.
/// </summary>
public static class IncidentsApi
{
    public const int DefaultLimit = 200;

    public static IEndpointRouteBuilder MapIncidentsApi(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("/api/v1/incidents").RequireAuthorization(ApiPolicies.Read).WithTags("Incidents");
        group.MapGet("/", ListIncidents);
        group.MapGet("/{id}", GetIncident);
        return app;
    }

    /// <param name="status">open, resolved or all (default all).</param>
    /// <param name="since">ISO-8601 UTC time: only incidents open at some moment since then.</param>
    /// <param name="limit">At most this many, newest first (1–1000, default 200).</param>
    public static async Task<Results<Ok<IReadOnlyList<IncidentBody>>, ProblemHttpResult>> ListIncidents(
        HttpContext http, IncidentRepository incidents, string? status, string? since, string? limit, CancellationToken ct)
    {
        IncidentStatus parsedStatus;
        switch (status)
        {
            case null or "" or "all": parsedStatus = IncidentStatus.All; break;
            case "open": parsedStatus = IncidentStatus.Open; break;
            case "resolved": parsedStatus = IncidentStatus.Resolved; break;
            default: return BadParameter("status", "must be open, resolved or all");
        }
        DateTimeOffset? parsedSince = null;
        if (!string.IsNullOrEmpty(since))
        {
            if (!since.EndsWith('Z') || !DateTimeOffset.TryParse(since, CultureInfo.InvariantCulture,
                    DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal, out var s))
                return BadParameter("since", "must be an ISO-8601 UTC time with a Z suffix, such as 2026-11-25T08:00:00Z");
            parsedSince = s;
        }
        var parsedLimit = DefaultLimit;
        if (!string.IsNullOrEmpty(limit)
            && (!int.TryParse(limit, NumberStyles.None, CultureInfo.InvariantCulture, out parsedLimit) || parsedLimit is < 1 or > IncidentRepository.MaxListed))
            return BadParameter("limit", $"must be a whole number from 1 to {IncidentRepository.MaxListed}");

        var list = await incidents.ListAsync(Viewer.From(http.User), parsedStatus, parsedSince, parsedLimit, ct);
        return TypedResults.Ok<IReadOnlyList<IncidentBody>>(list.Select(IncidentBody.From).ToList());
    }

    public static async Task<Results<Ok<IncidentDetailBody>, ProblemHttpResult>> GetIncident(
        HttpContext http, IncidentRepository incidents, TicketRepository tickets, Runbooks.RunbookRepository runbooks, AuditLog audit, string id, CancellationToken ct)
    {
        var viewer = Viewer.From(http.User);
        var incident = await incidents.GetAsync(id, viewer, ct);
        if (incident is null)
        {
            // Another merchant's incident looks like none at all; a merchant-bound caller asking is audited.
            if (!viewer.SeesEveryMerchant) await audit.RecordCrossMerchantAsync(http.User, "incident", id, ct);
            return ApiProblems.NotFound($"There is no incident {id}.");
        }
        var events = await incidents.EventsAsync(id, ct);
        var ticket = await tickets.GetAsync(id, ct);
        var runbook = ticket is { RunbookVersion: > 0 }
            ? await runbooks.GetVersionAsync(ticket.RunbookId, ticket.RunbookVersion, ct)
            : await runbooks.CurrentVersionAsync(incident.RunbookId, ct);
        var b = IncidentBody.From(incident);
        return TypedResults.Ok(new IncidentDetailBody(b.Id, b.ScopeType, b.ScopeId, b.Cause, b.Severity, b.OpenedAt, b.ResolvedAt,
            b.RunbookId, b.Title, b.Evidence, b.Affected,
            events.Select(e => new TimelineEntry(e.At.UtcDateTime, e.Kind, Causes.Name(e.Severity), e.Title,
                new AffectedBody(e.AffectedMerchants, e.AffectedTerminals))).ToList(),
            new RunbookRef(incident.RunbookId, runbook?.Steps.Select(s => s.Title.En).ToList() ?? [], runbook?.Version)));
    }

    private static ProblemHttpResult BadParameter(string name, string rule) =>
        TypedResults.Problem(title: $"Invalid query parameter '{name}'", detail: $"'{name}' {rule}.",
            statusCode: StatusCodes.Status400BadRequest, extensions: new Dictionary<string, object?> { ["parameter"] = name });
}
