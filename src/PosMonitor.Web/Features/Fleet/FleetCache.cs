namespace PosMonitor.Web.Features.Fleet;

/// <summary>The fleet, in memory for per-event lookups; reloaded when the fleet API changes it.</summary>
public sealed class FleetCache
{
    private readonly FleetRepository _repository;
    private volatile Core.Fleet.Fleet _fleet = new([], [], [], []);

    public FleetCache(FleetRepository repository, FleetChanges changes)
    {
        _repository = repository;
        changes.Subscribe(ReloadAsync);
    }

    public Core.Fleet.Fleet Current => _fleet;

    public async Task ReloadAsync(CancellationToken ct) => _fleet = await _repository.LoadAsync(ct);

    /// <summary>Sets the fleet directly, for component tests that have no database.</summary>
    internal void Replace(Core.Fleet.Fleet fleet) => _fleet = fleet;
}
