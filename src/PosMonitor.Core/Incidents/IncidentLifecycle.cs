namespace PosMonitor.Core.Incidents;

/// <summary>Where support stands with an incident: open → acknowledged → mitigated → resolved (and reopened).</summary>
public enum TicketStatus { Open, Acknowledged, Mitigated, Resolved }

public enum TicketAction { Acknowledge, Mitigate, Resolve, Reopen }

/// <summary>
/// Where an incident stands as its merchants are told (a status page's words): investigating → identified →
/// monitoring → resolved.
/// </summary>
public enum MerchantPhase { Investigating, Identified, Monitoring, Resolved }

/// <summary>Why a transition was refused; the portal shows each in the agent's language.</summary>
/// <remarks><see cref="StillFailing"/>: detection still sees the fault, and resolving over it needs a reason.</remarks>
public enum Refusal { None, AlreadyAcknowledged, AlreadyMitigated, AlreadyResolved, ResolvedReopenFirst, NotResolved, StillFailing }

/// <summary>A transition's outcome: the new status, or why it was refused.</summary>
public sealed record Transition(TicketStatus From, TicketAction Action, TicketStatus? To, Refusal Refusal)
{
    public bool Allowed => To is not null;

    public string Explain() => Refusal switch
    {
        Refusal.None => $"{From} → {To}",
        Refusal.AlreadyAcknowledged => "The incident is already acknowledged.",
        Refusal.AlreadyMitigated => "The incident is already mitigated; it can only be resolved now.",
        Refusal.AlreadyResolved => "The incident is already resolved.",
        Refusal.ResolvedReopenFirst => "The incident is resolved: reopen it first.",
        Refusal.StillFailing => "Detection still sees the fault: resolving now needs a reason.",
        _ => "Only a resolved incident can be reopened.",
    };
}

/// <summary>
/// The incident state machine. Skipping ahead is allowed (an incident may be mitigated or resolved
/// straight from open: fixing it comes before paperwork); going back is not, except reopening a
/// resolved incident, which starts it again as open.
/// </summary>
public static class IncidentLifecycle
{
    public static Transition Apply(TicketStatus from, TicketAction action) => Decide(from, action) with { From = from, Action = action };

    /// <summary>
    /// An agent's resolve (incident-state.md): refused while detection still sees the fault (<paramref name="stillFailing"/>)
    /// unless the agent gives a reason to override it.
    /// </summary>
    public static Transition Resolve(TicketStatus from, bool stillFailing, string? overrideReason)
    {
        var t = Apply(from, TicketAction.Resolve);
        return t.Allowed && stillFailing && string.IsNullOrWhiteSpace(overrideReason) ? t with { To = null, Refusal = Refusal.StillFailing } : t;
    }

    private static Transition Decide(TicketStatus from, TicketAction action) => (from, action) switch
    {
        (TicketStatus.Open, TicketAction.Acknowledge) => Ok(TicketStatus.Acknowledged),
        (TicketStatus.Acknowledged, TicketAction.Acknowledge) => No(Refusal.AlreadyAcknowledged),
        (TicketStatus.Mitigated, TicketAction.Acknowledge) => No(Refusal.AlreadyMitigated),
        (TicketStatus.Open or TicketStatus.Acknowledged, TicketAction.Mitigate) => Ok(TicketStatus.Mitigated),
        (TicketStatus.Mitigated, TicketAction.Mitigate) => No(Refusal.AlreadyMitigated),
        (TicketStatus.Resolved, TicketAction.Acknowledge or TicketAction.Mitigate) => No(Refusal.ResolvedReopenFirst),
        (TicketStatus.Resolved, TicketAction.Resolve) => No(Refusal.AlreadyResolved),
        (_, TicketAction.Resolve) => Ok(TicketStatus.Resolved),
        (TicketStatus.Resolved, TicketAction.Reopen) => Ok(TicketStatus.Open),
        _ => No(Refusal.NotResolved),
    };

    private static Transition Ok(TicketStatus to) => new(default, default, to, Refusal.None);
    private static Transition No(Refusal why) => new(default, default, null, why);

    /// <summary>
    /// The phase merchants are told: open is investigating; acknowledged (someone works the runbook) or a confirmed root
    /// cause is identified; mitigated is monitoring; resolved is resolved.
    /// </summary>
    public static MerchantPhase PhaseOf(TicketStatus status, bool causeConfirmed) => status switch
    {
        TicketStatus.Resolved => MerchantPhase.Resolved,
        TicketStatus.Mitigated => MerchantPhase.Monitoring,
        TicketStatus.Acknowledged => MerchantPhase.Identified,
        _ => causeConfirmed ? MerchantPhase.Identified : MerchantPhase.Investigating,
    };

    public static string Name(MerchantPhase p) => p.ToString().ToLowerInvariant();

    public static string Name(TicketStatus s) => s.ToString().ToLowerInvariant();

    public static bool TryParse(string? s, out TicketStatus status) => Enum.TryParse(s, ignoreCase: true, out status) && Enum.IsDefined(status);
}
