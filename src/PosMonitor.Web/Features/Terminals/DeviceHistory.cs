using PosMonitor.Core.Rollups;
using PosMonitor.Core.Telemetry;

namespace PosMonitor.Web.Features.Terminals;

public enum Device { Printer, Scanner }

/// <summary>One terminal-minute's heartbeats and how many of them reported a printer or scanner fault (terminal_minutes).</summary>
public sealed record DeviceMinute(DateTimeOffset Minute, int Heartbeats, int PrinterFaults, int ScannerFaults);

/// <summary>A stretch of minutes whose heartbeats reported a printer or scanner fault.</summary>
/// <param name="State">
/// Its wire name ("paper_out") when known: the current state's comes from the terminal's state, a scanner has one fault
/// state; the rollups count printer faults, not which, so an ended printer episode's is null.
/// </param>
/// <param name="From">Start of the first minute a heartbeat reported it.</param>
/// <param name="To">End of the last minute that reported it; null while the terminal still reports it.</param>
/// <param name="StartedEarlier">Reported from the first minute read: it may have started before.</param>
public sealed record DeviceEpisode(Device Device, string? State, DateTimeOffset From, DateTimeOffset? To, bool StartedEarlier)
{
    public bool IsCurrent => To is null;

    /// <summary>"printer_paper_out", "scanner_error"; "printer_fault" for an ended printer episode (which state is not kept).</summary>
    public string Key => (Device == Device.Printer ? "printer_" : "scanner_") + (State ?? "fault");

    /// <summary>The resource naming it ("Printer out of paper").</summary>
    public string NameKey => "Device_" + Key;
}

/// <summary>
/// A terminal's printer and scanner episodes of the last <see cref="Window"/>, newest first; the current ones are its
/// device notices. A state is routine until it persists (detection opens an incident only then), so the pages show it
/// as a notice with the time it was first reported.
/// </summary>
public sealed record DeviceHistory(IReadOnlyList<DeviceEpisode> Episodes)
{
    public static readonly TimeSpan Window = TimeSpan.FromHours(24);
    public static readonly DeviceHistory None = new([]);

    public IEnumerable<DeviceEpisode> Current => Episodes.Where(e => e.IsCurrent);

    /// <summary>Whether <paramref name="state"/> reports a printer or scanner state other than ok or absent.</summary>
    public static bool Reports(TerminalState? state) => PrinterState(state) is not null || ScannerState(state) is not null;

    /// <summary>
    /// Episodes from the rollups of [<paramref name="from"/>, …), sorted by minute, and the terminal's latest state.
    /// Consecutive minutes whose heartbeats reported a fault form an episode; only a minute whose heartbeats all said ok
    /// ends it. Minutes without a heartbeat neither end nor start one: terminals report every one to a few minutes,
    /// and a gap is no evidence that the paper was changed.
    /// </summary>
    public static DeviceHistory Build(IReadOnlyList<DeviceMinute> minutes, TerminalState? state, DateTimeOffset from)
    {
        var episodes = new List<DeviceEpisode>();
        Runs(episodes, Device.Printer, minutes, m => m.PrinterFaults, PrinterState(state), state, from);
        Runs(episodes, Device.Scanner, minutes, m => m.ScannerFaults, ScannerState(state), state, from);
        return new DeviceHistory([.. episodes.OrderByDescending(e => e.From).ThenBy(e => e.Device)]);
    }

    private static void Runs(List<DeviceEpisode> into, Device device, IReadOnlyList<DeviceMinute> minutes, Func<DeviceMinute, int> faults,
        string? current, TerminalState? state, DateTimeOffset from)
    {
        // The only fault a scanner reports is "error", so its past episodes are named too.
        var pastState = device == Device.Scanner ? Wire.Name(ScannerStatus.Error) : null;
        DateTimeOffset? start = null, last = null;
        foreach (var m in minutes)
        {
            if (m.Heartbeats == 0) continue;
            if (faults(m) > 0)
            {
                start ??= m.Minute;
                last = m.Minute;
            }
            else if (start is { } began)
            {
                into.Add(new DeviceEpisode(device, pastState, began, last!.Value.AddMinutes(1), began <= from));
                start = null;
            }
        }
        if (current is null)
        {
            // The heartbeat that said ok again may not be in the rollups yet (they are flushed seconds behind the state).
            if (start is { } began) into.Add(new DeviceEpisode(device, pastState, began, last!.Value.AddMinutes(1), began <= from));
        }
        else if (start is { } since)
        {
            into.Add(new DeviceEpisode(device, current, since, null, since <= from));
        }
        else if (state?.LastHeartbeatAt is { } reported)
        {
            // The heartbeat that reported it is not in the rollups yet: it started in that heartbeat's minute.
            var first = TerminalMinute.MinuteOf(reported);
            into.Add(new DeviceEpisode(device, current, first, null, first < from));
        }
    }

    private static string? PrinterState(TerminalState? state) =>
        state?.Printer is { } p && p is not (PrinterStatus.Ok or PrinterStatus.Absent) ? Wire.Name(p) : null;

    private static string? ScannerState(TerminalState? state) =>
        state?.Scanner is ScannerStatus.Error ? Wire.Name(ScannerStatus.Error) : null;
}
