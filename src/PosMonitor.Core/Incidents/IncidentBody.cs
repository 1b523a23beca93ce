using System.Text.Json;
using System.Text.Json.Serialization;

namespace PosMonitor.Core.Incidents;

public sealed record AffectedBody(int Merchants, int Terminals);

/// <summary>
/// An incident exactly as src/PosMonitor.Core/Replay/replay.md lists its fields: the replay's output lines and the body of
/// <c>GET /api/v1/incidents</c> share this shape, so a tuned replay reads like the live API.
/// </summary>
/// <remarks>Times are UTC <see cref="DateTime"/>s so System.Text.Json writes them with a Z suffix.</remarks>
public sealed record IncidentBody(
    string Id, string ScopeType, string ScopeId, string Cause, string Severity,
    DateTime OpenedAt, DateTime? ResolvedAt, string RunbookId, string Title,
    IReadOnlyList<string> Evidence, AffectedBody Affected)
{
    /// <summary>camelCase, and resolvedAt written as null while open (src/PosMonitor.Core/Replay/replay.md).</summary>
    public static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web)
    {
        DefaultIgnoreCondition = JsonIgnoreCondition.Never,
        Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
    };

    public static IncidentBody From(Incident i) => new(
        i.Id, Causes.Name(i.ScopeType), i.ScopeId, Causes.Name(i.Cause), Causes.Name(i.Severity),
        i.OpenedAt.UtcDateTime, i.ResolvedAt?.UtcDateTime, i.RunbookId, i.Title, i.Evidence,
        new AffectedBody(i.AffectedMerchants, i.AffectedTerminals));
}
