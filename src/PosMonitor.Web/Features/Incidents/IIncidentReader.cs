using PosMonitor.Core.Detection;
using PosMonitor.Core.Incidents;
using PosMonitor.Web.Features.Identity;

namespace PosMonitor.Web.Features.Incidents;

/// <summary>
/// What the live views read of incidents. The portal's is the incident store (<see cref="IncidentRepository"/>,
/// registered by <c>AddIncidents</c>); <see cref="FeedIncidentReader"/> serves only the incidents published on
/// <see cref="IncidentFeed"/> since it was created, for a host without the store.
/// </summary>
public interface IIncidentReader
{
    /// <summary>Open incidents the viewer may see, newest first.</summary>
    Task<IReadOnlyList<Incident>> OpenAsync(Viewer viewer, CancellationToken ct);

    /// <summary>Incidents (open and resolved) that name this terminal, newest first.</summary>
    Task<IReadOnlyList<Incident>> ForTerminalAsync(string terminalId, Viewer viewer, CancellationToken ct);

    /// <summary>Whether incidents before the current process start are included (false for the feed-only reader).</summary>
    bool IsDurable { get; }
}

/// <summary>Incidents seen on the feed since start, in memory: real incidents, but none from before a restart.</summary>
public sealed class FeedIncidentReader : IIncidentReader, IDisposable
{
    private const int Keep = 2_000;
    private readonly Dictionary<string, Incident> _incidents = new(StringComparer.Ordinal);
    private readonly IDisposable _subscription;

    public FeedIncidentReader(IncidentFeed feed) => _subscription = feed.Subscribe(OnChange);

    public bool IsDurable => false;

    private void OnChange(IncidentChangeKind kind, Incident incident)
    {
        lock (_incidents)
        {
            _incidents[incident.Id] = incident;
            if (_incidents.Count > Keep)
                foreach (var old in _incidents.Values.Where(i => i.ResolvedAt is not null).OrderBy(i => i.UpdatedAt).Take(_incidents.Count - Keep).ToList())
                    _incidents.Remove(old.Id);
        }
    }

    public Task<IReadOnlyList<Incident>> OpenAsync(Viewer viewer, CancellationToken ct) =>
        Task.FromResult(Select(i => i.ResolvedAt is null && Visible(i, viewer)));

    public Task<IReadOnlyList<Incident>> ForTerminalAsync(string terminalId, Viewer viewer, CancellationToken ct) =>
        Task.FromResult(Select(i => Visible(i, viewer)
            && ((i.ScopeType == ScopeType.Terminal && i.ScopeId == terminalId) || i.AffectedTerminalIds.Contains(terminalId))));

    private IReadOnlyList<Incident> Select(Func<Incident, bool> where)
    {
        lock (_incidents) return [.. _incidents.Values.Where(where).OrderByDescending(i => i.OpenedAt)];
    }

    /// <summary>A merchant-bound viewer sees incidents of its merchant or that affect it.</summary>
    public static bool Visible(Incident i, Viewer viewer) =>
        viewer.SeesEveryMerchant
        || (viewer.MerchantId is { } m && ((i.ScopeType == ScopeType.Merchant && i.ScopeId == m) || i.AffectedMerchantIds.Contains(m)));

    public void Dispose() => _subscription.Dispose();
}
