using PosMonitor.Core.Detection;
using PosMonitor.Core.Incidents;

namespace PosMonitor.Web.Features.Notifications;

/// <summary>Event names on the wire (webhook body, outbox rows, channel filters).</summary>
public static class NotificationEvents
{
    public const string Opened = "incident.opened";
    public const string Escalated = "incident.escalated";
    public const string Resolved = "incident.resolved";
    /// <summary>The fault was there again after the incident was resolved (detection), or an agent reopened it.</summary>
    public const string Reopened = "incident.reopened";
    public const string Test = "test";

    public static string? Of(IncidentChangeKind kind) => kind switch
    {
        IncidentChangeKind.Opened => Opened,
        IncidentChangeKind.Resolved => Resolved,
        IncidentChangeKind.Reopened => Reopened,
        // Updates (wider scope, more terminals) are too frequent to page anyone with; the incident page shows them.
        _ => null,
    };
}

/// <summary>
/// What a notification says, stored as JSON in the outbox and rendered per channel only when it
/// is delivered (so a fixed formatter also fixes what is still queued).
/// </summary>
public sealed record NotificationMessage
{
    public required string Event { get; init; }
    public required DateTimeOffset OccurredAt { get; init; }
    public string? IncidentId { get; init; }
    public required string Title { get; init; }
    public string? Cause { get; init; }
    public string? Severity { get; init; }
    public string? ScopeType { get; init; }
    public string? ScopeId { get; init; }
    public DateTimeOffset? OpenedAt { get; init; }
    public DateTimeOffset? ResolvedAt { get; init; }
    public int AffectedMerchants { get; init; }
    public int AffectedTerminals { get; init; }
    public double? PeakRate { get; init; }
    public string? RunbookId { get; init; }
    /// <summary>Escalation level 1–3 of an <see cref="NotificationEvents.Escalated"/> notification.</summary>
    public int? Level { get; init; }
    /// <summary>A free sentence from whoever raised it (escalation reason, test text).</summary>
    public string? Note { get; init; }

    public static NotificationMessage From(string @event, Incident i, DateTimeOffset at, int? level = null, string? note = null) => new()
    {
        Event = @event, OccurredAt = at, IncidentId = i.Id, Title = i.Title, Cause = Causes.Name(i.Cause),
        Severity = Causes.Name(i.Severity), ScopeType = Causes.Name(i.ScopeType), ScopeId = i.ScopeId, OpenedAt = i.OpenedAt,
        ResolvedAt = i.ResolvedAt, AffectedMerchants = i.AffectedMerchants, AffectedTerminals = i.AffectedTerminals,
        PeakRate = i.PeakRate, RunbookId = i.RunbookId, Level = level, Note = note,
    };
}
