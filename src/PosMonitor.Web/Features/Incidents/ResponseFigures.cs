using PosMonitor.Core.Incidents;

namespace PosMonitor.Web.Features.Incidents;

/// <summary>Mean time to acknowledge and to resolve, in minutes, over groups of tickets.</summary>
public static class ResponseFigures
{
    public sealed record Group(string Label, int Count, double? Mtta, double? Mttr);

    /// <summary>
    /// MTTA counts acknowledged tickets only and MTTR resolved ones only (an open incident has no
    /// time yet); a ticket resolved without acknowledgement counts its resolution as acknowledgement.
    /// </summary>
    public static List<Group> By(IEnumerable<(Ticket Ticket, DateTimeOffset OpenedAt, Severity Severity, Cause Cause)> rows,
        Func<(Ticket Ticket, DateTimeOffset OpenedAt, Severity Severity, Cause Cause), string> key) =>
        [.. rows.GroupBy(key).Select(g =>
        {
            var ack = g.Select(r => (r.Ticket.AcknowledgedAt ?? r.Ticket.ResolvedAt) - r.OpenedAt).Where(d => d is not null).Select(d => d!.Value.TotalMinutes).ToList();
            var res = g.Select(r => r.Ticket.ResolvedAt - r.OpenedAt).Where(d => d is not null).Select(d => d!.Value.TotalMinutes).ToList();
            return new Group(g.Key, g.Count(), ack.Count == 0 ? null : ack.Average(), res.Count == 0 ? null : res.Average());
        }).OrderBy(g => g.Label, StringComparer.CurrentCulture)];
}
