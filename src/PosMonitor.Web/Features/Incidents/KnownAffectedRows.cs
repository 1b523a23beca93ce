namespace PosMonitor.Web.Features.Incidents;

/// <summary>
/// The affected rows (merchant, terminal; '' for none) each open incident has in the store, as one writer knows them from
/// what it read and wrote: detection's runner keeps one per term and hands it to
/// <see cref="IncidentRepository.SaveAsync(IReadOnlyList{Core.Detection.IncidentChange}, Core.Fleet.Fleet, Infrastructure.Cluster.LeaseFence?, KnownAffectedRows?, CancellationToken)"/>,
/// so an update of a wide incident is compared here instead of reading its 50,000 rows back. Not thread-safe: one writer at a time.
/// </summary>
public sealed class KnownAffectedRows
{
    private readonly Dictionary<string, Known> _rows = new(StringComparer.Ordinal);

    /// <param name="Terminals">The affected terminal ids of the incident as saved last, with <paramref name="Fleet"/>: its rows are all among <paramref name="Rows"/>.</param>
    private sealed record Known(HashSet<(string MerchantId, string TerminalId)> Rows, string[] Terminals, string[] Merchants, Core.Fleet.Fleet Fleet);

    internal HashSet<(string MerchantId, string TerminalId)>? Of(string incidentId) => _rows.GetValueOrDefault(incidentId)?.Rows;

    /// <summary>
    /// Whether <paramref name="incident"/> affects what it affected when saved last, with the same fleet: its rows, a function
    /// of those alone, are all stored. An update for a higher rate, and a resolve, keep them; comparing the two lists
    /// costs a fraction of looking up each row.
    /// </summary>
    internal bool SameAffected(Core.Incidents.Incident incident, Core.Fleet.Fleet fleet) =>
        _rows.TryGetValue(incident.Id, out var known) && ReferenceEquals(known.Fleet, fleet)
        && incident.AffectedTerminalIds.SequenceEqual(known.Terminals, StringComparer.Ordinal)
        && incident.AffectedMerchantIds.SequenceEqual(known.Merchants, StringComparer.Ordinal);

    /// <summary>
    /// A transaction committed: <paramref name="stored"/> (the set known, or read in it) holds <paramref name="added"/> too now,
    /// every row of <paramref name="last"/> with <paramref name="fleet"/> among them.
    /// </summary>
    internal void Learn(string incidentId, HashSet<(string, string)> stored, HashSet<(string, string)> added, Core.Incidents.Incident last,
        Core.Fleet.Fleet fleet)
    {
        stored.UnionWith(added);
        _rows[incidentId] = new Known(stored, [.. last.AffectedTerminalIds], [.. last.AffectedMerchantIds], fleet);
    }

    /// <summary>Drops every incident not among <paramref name="openIds"/>: resolved ones are read again if they ever reopen.</summary>
    public void KeepOnly(IReadOnlyCollection<string> openIds)
    {
        if (_rows.Count == 0) return;
        var open = openIds.ToHashSet(StringComparer.Ordinal);
        foreach (var id in _rows.Keys.Where(id => !open.Contains(id)).ToList()) _rows.Remove(id);
    }
}
