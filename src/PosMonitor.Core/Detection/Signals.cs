using PosMonitor.Core.Incidents;
using PosMonitor.Core.Rollups;
using PosMonitor.Core.Telemetry;

namespace PosMonitor.Core.Detection;

/// <summary>
/// The symptoms detection counts. Each points at one cause of src/PosMonitor.Core/Detection/timeout-causes.md: the failing stage
/// decides the cause before anything else does.
/// </summary>
internal enum Signal
{
    /// <summary>Sales failing at <c>connect</c> or <c>send</c>.</summary>
    Network,
    /// <summary>Sales failing at <c>host</c>.</summary>
    Host,
    /// <summary>Sales failing at <c>gateway</c>.</summary>
    Gateway,
    /// <summary>Sales failing inside the terminal <c>app</c> (and errors without a stage).</summary>
    App,
    /// <summary>Sales failing at <c>print</c>.</summary>
    Print,
    /// <summary>Sales failing at <c>notify</c>.</summary>
    Notify,
    /// <summary>
    /// Sales timing out (or failing) at <c>input</c>: the customer or cashier never finished entering the sale. Rare on an
    /// ordinary day (about one sale in a thousand), so a quiet shop's few are judged over <see cref="DetectionSettings.RareWindow"/> too.
    /// </summary>
    Input,
    /// <summary>Heartbeat minutes with a poor link: high latency, heavy packet loss or a very weak signal.</summary>
    PoorLink,
    /// <summary>
    /// Heartbeat minutes with CPU or memory pinned. A printer or scanner state is the device's own word, not a rate:
    /// <see cref="DeviceStates"/> follows it, and failing receipts show as <see cref="Print"/>.
    /// </summary>
    DeviceFault,
    // Added later: a baseline saved before them is of another layout (Baselines.LayoutVersion) and relearned.
    /// <summary>Sales whose <c>host</c> stage took <see cref="TerminalMinute.SlowStageMs"/> or longer: a slow platform.</summary>
    SlowHost,
    /// <summary>Sales whose <c>gateway</c> stage took <see cref="TerminalMinute.SlowStageMs"/> or longer: a slow gateway.</summary>
    SlowGateway,
    /// <summary>
    /// Sales the cashier cancelled. Apart from <see cref="Input"/> since they are ten times as common on an ordinary day
    /// (a wrong amount, a customer changing their mind): counted together, a shop's input timeouts drowned in them.
    /// </summary>
    Cancelled,
}

/// <summary>
/// Per-terminal (and per-scope) figures are kept as flat vectors of <see cref="Width"/> doubles:
/// sales, heartbeat minutes, then the failures of each <see cref="Signal"/>.
/// </summary>
internal static class Signals
{
    public const int Count = 12;
    public const int Sales = 0;
    public const int HeartbeatMinutes = 1;
    public const int First = 2;
    public const int Width = First + Count;

    public static readonly Signal[] All = Enum.GetValues<Signal>();
    public static readonly Signal[] Sale =
        [Signal.Network, Signal.Host, Signal.Gateway, Signal.App, Signal.Print, Signal.Notify, Signal.Input, Signal.SlowHost, Signal.SlowGateway, Signal.Cancelled];

    // What makes a heartbeat minute count as poor link / device fault: far outside what a healthy terminal shows.
    private const double PoorLatencyMs = 1500, PoorLossPct = 10;
    private const int PoorSignalDbm = -110, PinnedPct = 95;

    private static readonly int[] NoStages = new int[TerminalMinute.StageCount];

    public static void Add(TerminalMinute m, Span<double> v)
    {
        // A minute without failures has no per-stage arrays: read zeros instead of making them.
        ReadOnlySpan<int> t = m.TimeoutsByStageIfAny ?? NoStages;
        ReadOnlySpan<int> e = m.ErrorsByStageIfAny ?? NoStages;
        v[Sales] += m.Transactions;
        v[First + (int)Signal.Network] += t[(int)Stage.Connect] + t[(int)Stage.Send] + e[(int)Stage.Connect] + e[(int)Stage.Send];
        v[First + (int)Signal.Host] += t[(int)Stage.Host] + e[(int)Stage.Host];
        v[First + (int)Signal.Gateway] += t[(int)Stage.Gateway] + e[(int)Stage.Gateway];
        var stagedErrors = 0;
        for (var i = 0; i < TerminalMinute.StageCount; i++) stagedErrors += e[i];
        v[First + (int)Signal.App] += t[(int)Stage.App] + e[(int)Stage.App] + Math.Max(0, m.Errors - stagedErrors);
        v[First + (int)Signal.Print] += t[(int)Stage.Print] + e[(int)Stage.Print];
        v[First + (int)Signal.Notify] += t[(int)Stage.Notify] + e[(int)Stage.Notify];
        v[First + (int)Signal.Input] += t[(int)Stage.Input] + e[(int)Stage.Input];
        v[First + (int)Signal.Cancelled] += m.Cancelled;
        v[First + (int)Signal.SlowHost] += m.SlowHost;
        v[First + (int)Signal.SlowGateway] += m.SlowGateway;
        if (m.Heartbeats == 0) return;
        v[HeartbeatMinutes] += 1;
        var poorLink = (double)m.NetLatencySumMs / m.Heartbeats >= PoorLatencyMs
            || m.PacketLossMaxPct >= PoorLossPct
            || m.SignalMinDbm <= PoorSignalDbm;
        if (poorLink) v[First + (int)Signal.PoorLink] += 1;
        var deviceFault = m.CpuMaxPct >= PinnedPct || m.MemoryMaxPct >= PinnedPct;
        if (deviceFault) v[First + (int)Signal.DeviceFault] += 1;
    }

    public static bool PerHeartbeatMinute(Signal s) => s is Signal.PoorLink or Signal.DeviceFault;

    /// <summary>Whether figure <paramref name="i"/> of a terminal's minute is one or none (a heartbeat minute, a poor link or device fault in it), not a count.</summary>
    public static bool OncePerMinute(int i) => i == HeartbeatMinutes || (i >= First && PerHeartbeatMinute((Signal)(i - First)));

    public static int Denominator(Signal s) => PerHeartbeatMinute(s) ? HeartbeatMinutes : Sales;

    public static int Index(Signal s) => First + (int)s;

    public static Cause CauseOf(Signal s) => s switch
    {
        Signal.Network or Signal.PoorLink => Cause.Network,
        Signal.Host or Signal.SlowHost => Cause.Server,
        Signal.Gateway or Signal.SlowGateway => Cause.Gateway,
        Signal.App => Cause.Software,
        Signal.Print or Signal.DeviceFault => Cause.Hardware,
        Signal.Notify => Cause.ThirdParty,
        _ => Cause.Operator,
    };

    /// <summary>The signals that can keep an incident of <paramref name="cause"/> alive.</summary>
    public static IEnumerable<Signal> Of(Cause cause) => All.Where(s => CauseOf(s) == cause);

    /// <summary>Heartbeat signals describe one device; they are attributed to terminals and merchants only.</summary>
    public static bool IsDeviceLevel(Signal s) => PerHeartbeatMinute(s);

    /// <summary>Normal rates assumed before the platform has learned its own (the root of every prior).</summary>
    public static double Prior(Signal s) => s switch
    {
        Signal.Network => 0.01,
        Signal.Input => 0.002,
        Signal.Cancelled => 0.02,
        Signal.PoorLink or Signal.DeviceFault => 0.02,
        _ => 0.005,
    };

    private const int SlowSeconds = TerminalMinute.SlowStageMs / 1000;

    /// <summary>"gateway stage timeouts", "poor-link heartbeat minutes", … for evidence lines.</summary>
    public static string Describe(Signal s) => s switch
    {
        Signal.Network => "connect/send stage failures",
        Signal.Host => "host stage failures",
        Signal.Gateway => "gateway stage failures",
        Signal.App => "app failures",
        Signal.Print => "print stage failures",
        Signal.Notify => "notify stage failures",
        Signal.Input => "input timeouts",
        Signal.Cancelled => "cancelled sales",
        Signal.PoorLink => "heartbeat minutes with a poor link",
        Signal.SlowHost => $"sales taking {SlowSeconds} s or more at the host stage",
        Signal.SlowGateway => $"sales taking {SlowSeconds} s or more at the gateway stage",
        _ => "heartbeat minutes with CPU or memory pinned",
    };

    /// <summary>The end of a title: "of sales time out at the gateway stage".</summary>
    public static string TitleTail(Signal s) => s switch
    {
        Signal.Network => "of sales time out connecting to the platform",
        Signal.Host => "of sales time out at the platform hosts",
        Signal.Gateway => "of sales time out at the gateway stage",
        Signal.App => "of sales fail in the terminal app",
        Signal.Print => "of sales fail at receipt printing",
        Signal.Notify => "of sale notifications time out",
        Signal.Input => "of sales time out at input",
        Signal.Cancelled => "of sales are cancelled",
        Signal.PoorLink => "of heartbeats show a poor network link",
        Signal.SlowHost => $"of sales take {SlowSeconds} s or more at the platform hosts",
        Signal.SlowGateway => $"of sales take {SlowSeconds} s or more at the gateway stage",
        _ => "of heartbeats show CPU or memory pinned",
    };
}
