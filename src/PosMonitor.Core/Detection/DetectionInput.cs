using PosMonitor.Core.Incidents;
using PosMonitor.Core.Rollups;

namespace PosMonitor.Core.Detection;

/// <summary>What the host hands the engine on every tick.</summary>
public sealed record DetectionInput
{
    public required Fleet.Fleet Fleet { get; init; }

    /// <summary>Rollups of at least the last <see cref="DetectionSettings.Lookback"/> (older ones are ignored).</summary>
    public required IReadOnlyList<TerminalMinute> Minutes { get; init; }

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

public enum IncidentChangeKind { Opened, Updated, Resolved }

public sealed record IncidentChange(IncidentChangeKind Kind, Incident Incident);

/// <summary>The changes of one evaluation, and any scope whose evaluation failed (the others still ran).</summary>
public sealed record DetectionResult(IReadOnlyList<IncidentChange> Changes, IReadOnlyList<string> Problems);
