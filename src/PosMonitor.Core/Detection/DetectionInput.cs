using PosMonitor.Core.Incidents;
using PosMonitor.Core.Rollups;

namespace PosMonitor.Core.Detection;

/// <summary>What the host hands the engine on every tick.</summary>
public sealed record DetectionInput
{
    public required Fleet.Fleet Fleet { get; init; }

    /// <summary>
    /// Rollups of at least the last <see cref="DetectionSettings.Lookback"/> (older ones are ignored).
    /// Not read when <see cref="MinuteBatches"/> is given.
    /// </summary>
    public IReadOnlyList<TerminalMinute> Minutes { get; init; } = [];

    /// <summary>
    /// The same rollups grouped by minute, each with a version that changes whenever a rollup of that
    /// minute changes (<see cref="Replay.InMemoryTelemetryStore"/> supplies them). The engine then re-reads
    /// only the minutes that changed since its last evaluation, which keeps a replay fast.
    /// </summary>
    public IReadOnlyList<MinuteBatch>? MinuteBatches { get; init; }

    /// <summary>Latest state per terminal id.</summary>
    public required IReadOnlyDictionary<string, TerminalState> States { get; init; }

    /// <summary>Firmware changes of the lookback span (tells which version a minute before a change ran).</summary>
    public IReadOnlyList<FirmwareChange> FirmwareChanges { get; init; } = [];

    public IReadOnlyList<MaintenanceWindow> MaintenanceWindows { get; init; } = [];

    /// <summary>
    /// Incidents the host holds as open. After a restart the engine adopts those it does not track,
    /// so a fault that is still on updates its incident instead of opening a duplicate.
    /// </summary>
    public IReadOnlyList<Incident> OpenIncidents { get; init; } = [];
}

/// <summary>Every terminal's rollup of one minute; <paramref name="Version"/> changes whenever one of them does.</summary>
/// <param name="Terminals">The minute's rollups; a store may refill one rollup as the enumeration moves on, so a reader
/// uses each row before taking the next and keeps none.</param>
public sealed record MinuteBatch(DateTimeOffset Minute, long Version, IReadOnlyCollection<TerminalMinute> Terminals)
{
    /// <summary>When the store can tell, the rows of this minute changed since an earlier read of it.</summary>
    public IMinuteChanges? Changes { get; init; }
}

/// <summary>
/// A minute's rows that can also tell which of them changed since an earlier read. Late events touch most minutes of
/// the lookback a few rows at a time; at 200,000 terminals reading each such minute whole was a third of a tick.
/// </summary>
public interface IMinuteChanges
{
    /// <summary>Marks this read, for a later <see cref="Since"/>.</summary>
    long Mark { get; }

    /// <summary>
    /// The rows written since the read marked <paramref name="mark"/>, each whole as it is now (read as the batch's
    /// <see cref="MinuteBatch.Terminals"/>: one row at a time); null when the store cannot tell (the minute was
    /// rewritten since), so the whole minute is read again.
    /// </summary>
    IReadOnlyCollection<TerminalMinute>? Since(long mark);

    /// <summary>
    /// Whether <see cref="Since"/> gives what was added to each row (the events that came since), not the rows whole: a
    /// store that gave up a minute's rows once the engine had read them (the live window, to hold the lookback once)
    /// keeps only the late events that came after. The batch's <see cref="MinuteBatch.Terminals"/> are then those
    /// additions too, and the minute cannot be read whole again.
    /// </summary>
    bool Increments => false;
}

/// <summary>What happened to an incident; <see cref="Reopened"/>: its fault was seen again after an agent resolved it.</summary>
public enum IncidentChangeKind { Opened, Updated, Resolved, Reopened }

public sealed record IncidentChange(IncidentChangeKind Kind, Incident Incident);

/// <summary>The changes of one evaluation, and any scope whose evaluation failed (the others still ran).</summary>
public sealed record DetectionResult(IReadOnlyList<IncidentChange> Changes, IReadOnlyList<string> Problems)
{
    /// <summary>The open incidents whose fault detection still saw at this evaluation, by id.</summary>
    public IReadOnlyDictionary<string, FaultNow> Failing { get; init; } = new Dictionary<string, FaultNow>();
}

/// <summary>
/// An open incident's fault as detection saw it at <paramref name="At"/>: <paramref name="Figure"/> is its scope and how it
/// fails now ("Gateway gw-wechat: 41% of sales time out at the gateway stage", over the last minute and the one under way).
/// </summary>
public sealed record FaultNow(string IncidentId, DateTimeOffset At, IncidentTitle Figure);
