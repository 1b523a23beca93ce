using PosMonitor.Core.Telemetry;

namespace PosMonitor.Core.Detection;

/// <summary>
/// The printer or scanner state each terminal reports in its heartbeats when it is not ok, since when, and how long such
/// states last when they clear on their own. A paper roll running out and being changed within minutes is routine in
/// every shop: a reported state is a device notice until it outlasts what the fleet shows as routine for it
/// (<see cref="PersistenceOf"/>), and the receipts that fail meanwhile are explained by it, not an incident of their own.
/// </summary>
internal sealed class DeviceStates(DetectionSettings settings)
{
    /// <summary>How long the durations of states that cleared on their own are remembered.</summary>
    private static readonly TimeSpan RoutineMemory = TimeSpan.FromHours(24);

    /// <summary>
    /// How long after a state cleared failing receipts are still taken as its own: as long as its failures stay in the
    /// windows detection judges (<see cref="DetectionSettings.LongWindow"/> and the minute under way).
    /// </summary>
    private TimeSpan Aftermath => settings.LongWindow + TimeSpan.FromMinutes(1);

    /// <summary>
    /// How long a state is routine before the fleet has shown any: a paper roll is a consumable, changed within a few
    /// minutes (a cashier finds the spare roll); a jam, an offline printer or a scanner error is not expected at all.
    /// </summary>
    private static TimeSpan Prior(string device, string state) =>
        device == "printer" && state == Wire.Name(PrinterStatus.PaperOut) ? TimeSpan.FromMinutes(5) : TimeSpan.Zero;

    private readonly Dictionary<string, DeviceState> _reported = new(StringComparer.Ordinal);
    private readonly Dictionary<string, DateTimeOffset> _cleared = new(StringComparer.Ordinal);
    private readonly Queue<(DateTimeOffset At, string Key, TimeSpan Lasted)> _routine = new();

    /// <summary>
    /// Takes in the newest heartbeat of every terminal: a new state starts its clock, ok ends it. A state that ended
    /// while its terminal had no incident open is remembered as routine.
    /// </summary>
    /// <param name="inIncident">Terminal ids inside an open incident.</param>
    public void Update(DetectionFrame f, IReadOnlySet<string> inIncident)
    {
        for (var t = 0; t < f.States.Length; t++)
        {
            var id = f.Index.TerminalIds[t];
            if (f.States[t] is not { LastHeartbeatAt: { } at } state) continue;
            var now = Reported(state);
            if (_reported.TryGetValue(id, out var before))
            {
                if (now is { } same && before.Device == same.Device && before.State == same.State) continue;
                _reported.Remove(id);
                _cleared[id] = at;
                if (!inIncident.Contains(id)) _routine.Enqueue((at, Key(before.Device, before.State), at - before.Since));
            }
            if (now is { } started) _reported[id] = new DeviceState(started.Device, started.State, at);
        }
        while (_routine.TryPeek(out var r) && f.Now - r.At > RoutineMemory) _routine.Dequeue();
        foreach (var id in _cleared.Where(c => f.Now - c.Value > Aftermath).Select(c => c.Key).ToList()) _cleared.Remove(id);
    }

    /// <summary>The state terminal <paramref name="terminalId"/> reports now, if it is not ok.</summary>
    public DeviceState? Of(string terminalId) => _reported.GetValueOrDefault(terminalId);

    /// <summary>
    /// How long <paramref name="state"/> must last to be more than routine: twice the longest the fleet lately showed
    /// clearing on its own (or its <see cref="Prior"/>), at least <see cref="DetectionSettings.UnusualDevicePersistence"/>,
    /// at most <see cref="DetectionSettings.DevicePersistence"/>.
    /// </summary>
    public TimeSpan PersistenceOf(DeviceState state)
    {
        var key = Key(state.Device, state.State);
        var routine = Prior(state.Device, state.State);
        foreach (var r in _routine)
            if (r.Key == key && r.Lasted > routine) routine = r.Lasted;
        var wait = 2 * routine;
        if (wait < settings.UnusualDevicePersistence) wait = settings.UnusualDevicePersistence;
        return wait > settings.DevicePersistence ? settings.DevicePersistence : wait;
    }

    /// <summary>
    /// Whether the terminal's failing receipts are its printer state's own: it reports one that has not yet outlasted
    /// its routine, or cleared one moments ago.
    /// </summary>
    public bool ExplainsPrintFailures(string terminalId, DateTimeOffset now) =>
        _cleared.ContainsKey(terminalId)
        || (_reported.TryGetValue(terminalId, out var state) && state.Device == "printer" && now - state.Since < PersistenceOf(state));

    private static string Key(string device, string state) => device + ":" + state;

    private static (string Device, string State)? Reported(Rollups.TerminalState state)
    {
        if (state.Printer is { } p && p is not (PrinterStatus.Ok or PrinterStatus.Absent)) return ("printer", Wire.Name(p));
        if (state.Scanner is ScannerStatus.Error) return ("scanner", "error");
        return null;
    }
}

/// <param name="Device">"printer" or "scanner".</param>
/// <param name="State">Its wire name ("paper_out").</param>
/// <param name="Since">The first heartbeat that reported it.</param>
internal sealed record DeviceState(string Device, string State, DateTimeOffset Since);
