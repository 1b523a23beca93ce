using System.ComponentModel.DataAnnotations;
using PosMonitor.Core.Incidents;

namespace PosMonitor.Web.Features.Incidents;

/// <summary>Time to acknowledge and to resolve an incident of one severity.</summary>
public sealed class SlaTarget
{
    [Range(1, 525_600)]
    public int AcknowledgeMinutes { get; set; }

    [Range(1, 525_600)]
    public int ResolveMinutes { get; set; }
}

/// <summary>Settings under <c>PosMonitor:Sla</c>: <c>PosMonitor:Sla:&lt;Severity&gt;:AcknowledgeMinutes/ResolveMinutes</c>.</summary>
public sealed class SlaOptions
{
    public const string Section = "PosMonitor:Sla";

    public SlaTarget Critical { get; set; } = new() { AcknowledgeMinutes = 5, ResolveMinutes = 60 };
    public SlaTarget Major { get; set; } = new() { AcknowledgeMinutes = 15, ResolveMinutes = 240 };
    public SlaTarget Minor { get; set; } = new() { AcknowledgeMinutes = 60, ResolveMinutes = 1440 };

    /// <summary>How often EscalateUnacknowledgedIncidentsJob looks for overdue incidents.</summary>
    [Range(5, 3600)]
    public int EscalationCheckSeconds { get; set; } = 30;

    public SlaTarget For(Severity s) => s switch
    {
        Severity.Critical => Critical,
        Severity.Major => Major,
        _ => Minor,
    };

    public DateTimeOffset AcknowledgeBy(Severity s, DateTimeOffset openedAt) => openedAt.AddMinutes(For(s).AcknowledgeMinutes);
    public DateTimeOffset ResolveBy(Severity s, DateTimeOffset openedAt) => openedAt.AddMinutes(For(s).ResolveMinutes);

    /// <summary>
    /// The escalation level an unacknowledged incident has reached at <paramref name="now"/>: level 1
    /// when the acknowledgement deadline passes, 2 after twice that time, 3 after three times.
    /// </summary>
    public int LevelDue(Severity s, DateTimeOffset openedAt, DateTimeOffset now)
    {
        var window = Math.Max(1, For(s).AcknowledgeMinutes);
        var overdue = (now - openedAt).TotalMinutes;
        return overdue < window ? 0 : Math.Min(3, (int)(overdue / window));
    }
}
