namespace PosMonitor.Web.Features.Incidents;

/// <summary>
/// The affected rows (merchant, terminal; '' for none) each open incident has in the store, as one writer knows them from
/// what it read and wrote: detection's runner keeps one per term and hands it to
/// <see cref="IncidentRepository.SaveAsync(IReadOnlyList{Core.Detection.IncidentChange}, Core.Fleet.Fleet, Infrastructure.Cluster.LeaseFence?, KnownAffectedRows?, CancellationToken)"/>,
/// so an update of a wide incident is compared here instead of reading its 50,000 rows back. Not thread-safe: one writer at a time.
/// </summary>
public sealed class KnownAffectedRows
{
    private readonly Dictionary<string, HashSet<(string MerchantId, string TerminalId)>> _rows = new(StringComparer.Ordinal);

    internal HashSet<(string MerchantId, string TerminalId)>? Of(string incidentId) => _rows.GetValueOrDefault(incidentId);

    /// <summary>A transaction committed: <paramref name="stored"/> (the set known, or read in it) holds <paramref name="added"/> too now.</summary>
    internal void Learn(string incidentId, HashSet<(string, string)> stored, HashSet<(string, string)> added)
    {
        stored.UnionWith(added);
        _rows[incidentId] = stored;
    }

    /// <summary>Drops every incident not among <paramref name="openIds"/>: resolved ones are read again if they ever reopen.</summary>
    public void KeepOnly(IReadOnlyCollection<string> openIds)
    {
        if (_rows.Count == 0) return;
        var open = openIds.ToHashSet(StringComparer.Ordinal);
        foreach (var id in _rows.Keys.Where(id => !open.Contains(id)).ToList()) _rows.Remove(id);
    }
}
