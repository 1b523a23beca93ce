using PosMonitor.Core.Detection;

namespace PosMonitor.Web.Features.Incidents;

/// <summary>
/// Detection as an agent's resolve and reopen need it (incident-state.md): what it saw of an incident's fault at its last
/// run, and a moment between two runs to change the incident in, so detection's changes and an agent's never cross.
/// Detection registers its runner as this; incidents do not depend on detection.
/// </summary>
public interface IIncidentWatch
{
    /// <summary>
    /// Runs <paramref name="change"/> between two detection runs with the fault detection saw at its last run (null when it
    /// did not see one, or does not run).
    /// </summary>
    Task<T> BetweenRunsAsync<T>(string incidentId, Func<FaultNow?, Task<T>> change, CancellationToken ct);

    /// <summary>Inside <see cref="BetweenRunsAsync{T}"/>: the agent resolved the incident at <paramref name="at"/>; detection watches it from now.</summary>
    void ResolvedByHand(string incidentId, DateTimeOffset at);
}
