using PosMonitor.Core.Fleet;
using PosMonitor.Core.Telemetry;

namespace PosMonitor.Core.Simulation;

/// <summary>Events that fell due, split the way <c>POST /api/v1/telemetry</c> takes them.</summary>
public sealed record LiveBatch(IReadOnlyList<Heartbeat> Heartbeats, IReadOnlyList<Transaction> Transactions)
{
    public int Count => Heartbeats.Count + Transactions.Count;
    public bool IsEmpty => Count == 0;
}

/// <summary>
/// A simulation that runs on the wall clock, for the portal's Development demo: a new user sees
/// terminals, sales and (with a fault) an incident within minutes, without any outside tool.
/// <para>
/// Usage from a hosted service (every second, with the injected <see cref="TimeProvider"/>):
/// <code>
/// var now = time.GetUtcNow();
/// var live = new LiveSimulation(new SimulationOptions
/// {
///     Terminals = 200, Seed = 7,
///     Start = now - TimeSpan.FromMinutes(30),   // 30 minutes of history arrive with the first calls
///     Duration = null,                          // runs until the portal stops
///     Faults = [FaultSpec.Parse("gateway:random:45%:20m:at=40m")],
///     Decoys = Decoys.HotStores,
/// });
/// await fleetService.UpsertAsync(live.Fleet);       // the same document as PUT /api/v1/fleet
/// // each tick:
/// var batch = live.TakeDue(time.GetUtcNow());
/// if (!batch.IsEmpty) await ingestion.AcceptAsync(batch.Heartbeats, batch.Transactions, ct);
/// </code>
/// <see cref="TakeDue"/> hands out each event exactly once, when it reaches the platform
/// (<see cref="SimulatedEvent.ArrivesAt"/>: the background delays some, so timestamps are a little out of
/// order and a few minutes late at times, as a TMS relays them), up to <c>max</c> per call, so a backlog
/// (the history, or a stall) drains over a few ticks rather than in one huge batch.
/// Faults' <c>at=</c> offsets count from <see cref="SimulationOptions.Start"/>; without <c>at=</c> a
/// fault starts 10 minutes in. The <see cref="GroundTruth"/> can be shown on a demo page. Thread-safe.
/// Timestamps are real UTC times, so events pass the API's "no more than 5 minutes ahead, 7 days back" check.
/// </para>
/// </summary>
public sealed class LiveSimulation : IDisposable
{
    private readonly Lock _lock = new();
    private readonly IEnumerator<SimulatedEvent> _events;
    private SimulatedEvent? _next;
    private bool _done;

    /// <exception cref="ArgumentException">A fault names a scope the fleet does not have.</exception>
    public LiveSimulation(SimulationOptions options) : this(new Simulator(options))
    {
    }

    public LiveSimulation(Simulator simulator)
    {
        Simulator = simulator;
        _events = simulator.Events().GetEnumerator();
    }

    public Simulator Simulator { get; }

    /// <summary>The fleet to register before the first batch (the body of <c>PUT /api/v1/fleet</c>).</summary>
    public FleetDocument Fleet => Simulator.Fleet.Document;

    public IReadOnlyList<GroundTruthEntry> GroundTruth => Simulator.GroundTruth;

    /// <summary>Events handed out so far.</summary>
    public long Delivered { get; private set; }

    /// <summary>When the next event not yet handed out reaches the platform; null when a run with an end is over.</summary>
    public DateTimeOffset? NextDueAt
    {
        get
        {
            lock (_lock) return Peek()?.ArrivesAt;
        }
    }

    /// <summary>Every event that reached the platform at or before <paramref name="now"/> not handed out yet, at most <paramref name="max"/>.</summary>
    public LiveBatch TakeDue(DateTimeOffset now, int max = 5000)
    {
        var heartbeats = new List<Heartbeat>();
        var transactions = new List<Transaction>();
        lock (_lock)
        {
            while (heartbeats.Count + transactions.Count < max && Peek() is { } e && e.ArrivesAt <= now)
            {
                if (e.Heartbeat is { } hb) heartbeats.Add(hb);
                else transactions.Add(e.Transaction!);
                _next = null;
                Delivered++;
            }
        }
        return new LiveBatch(heartbeats, transactions);
    }

    public void Dispose()
    {
        lock (_lock) _events.Dispose();
    }

    private SimulatedEvent? Peek()
    {
        if (_next is null && !_done)
        {
            if (_events.MoveNext()) _next = _events.Current;
            else _done = true;
        }
        return _next;
    }
}
