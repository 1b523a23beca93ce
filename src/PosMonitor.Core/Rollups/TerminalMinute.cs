using PosMonitor.Core.Telemetry;

namespace PosMonitor.Core.Rollups;

/// <summary>
/// Everything one terminal reported in one UTC minute, summed. The heatmap, detection and the
/// merchant views read these rollups, never raw events. Counters only add, so a rollup built from
/// one batch merges into the stored one with <see cref="Merge"/> (and with SQL "col = col + x").
/// </summary>
public sealed class TerminalMinute(string terminalId, DateTimeOffset minute)
{
    public const int StageCount = 8;

    /// <summary>
    /// A sale whose <c>host</c> or <c>gateway</c> stage took this long or longer was slow there
    /// (src/PosMonitor.Core/Detection/timeout-causes.md: a slow platform or gateway shows as long <c>stageMs.host</c> / <c>stageMs.gateway</c>,
    /// on every sale, well before most of them time out). Healthy stages take a fraction of a second.
    /// </summary>
    public const int SlowStageMs = 3000;

    public string TerminalId { get; private set; } = terminalId;
    /// <summary>
    /// The number a store of rollups gave the terminal (the portal's live window numbers its terminals once), or -1: lets
    /// detection find the terminal by number instead of hashing its id for every rollup of every changed minute.
    /// </summary>
    public int Number { get; set; } = -1;
    /// <summary>Start of the minute, UTC.</summary>
    public DateTimeOffset Minute { get; private set; } = minute;

    // Transactions
    public int Transactions { get; set; }
    public int Approved { get; set; }
    public int Declined { get; set; }
    public int Timeouts { get; set; }
    public int Errors { get; set; }
    public int Cancelled { get; set; }
    // The per-stage arrays are made at first use: most minutes hold heartbeats only, and a replay makes
    // hundreds of thousands of rollups, for which three empty arrays each were most of the garbage collected.
    private int[]? _timeoutsByStage, _errorsByStage;
    private long[]? _stageMsSum;

    /// <summary>Timeouts by failing stage, indexed by <see cref="Stage"/>.</summary>
    public int[] TimeoutsByStage => _timeoutsByStage ??= new int[StageCount];
    /// <summary>Error outcomes by failing stage, indexed by <see cref="Stage"/>.</summary>
    public int[] ErrorsByStage => _errorsByStage ??= new int[StageCount];
    public long LatencySumMs { get; set; }
    public int LatencyMaxMs { get; set; }
    /// <summary>Sum of <c>stageMs</c> per stage over the transactions that sent it.</summary>
    public long[] StageMsSum => _stageMsSum ??= new long[StageCount];

    /// <summary>Timeouts by stage without making the array: null while all are zero.</summary>
    internal int[]? TimeoutsByStageIfAny => _timeoutsByStage;
    /// <summary>Errors by stage without making the array: null while all are zero.</summary>
    internal int[]? ErrorsByStageIfAny => _errorsByStage;
    /// <summary>Stage time sums without making the array: null while no sale sent them.</summary>
    internal long[]? StageMsSumIfAny => _stageMsSum;
    public int StageMsSamples { get; set; }
    /// <summary>Sales whose <c>host</c> stage took <see cref="SlowStageMs"/> or longer (timed-out ones included).</summary>
    public int SlowHost { get; set; }
    /// <summary>Sales whose <c>gateway</c> stage took <see cref="SlowStageMs"/> or longer (timed-out ones included).</summary>
    public int SlowGateway { get; set; }
    public long AmountSumMinor { get; set; }
    public int AmountCount { get; set; }

    // Heartbeats
    public int Heartbeats { get; set; }
    public long NetLatencySumMs { get; set; }
    public int NetLatencyMaxMs { get; set; }
    public double PacketLossSumPct { get; set; }
    public double PacketLossMaxPct { get; set; }
    public int? SignalMinDbm { get; set; }
    public int? CpuMaxPct { get; set; }
    public int? MemoryMaxPct { get; set; }
    /// <summary>Heartbeats whose printer was not ok (absent counts as ok: no printer, no fault).</summary>
    public int PrinterFaults { get; set; }
    public int ScannerFaults { get; set; }
    /// <summary>Heartbeats whose uptime dropped: the terminal restarted.</summary>
    public int Restarts { get; set; }
    public int PendingOfflineMax { get; set; }

    public static DateTimeOffset MinuteOf(DateTimeOffset t) =>
        new(t.UtcTicks - t.UtcTicks % TimeSpan.TicksPerMinute, TimeSpan.Zero);

    public void Add(Transaction tx)
    {
        Transactions++;
        switch (tx.Outcome)
        {
            case Outcome.Approved: Approved++; break;
            case Outcome.Declined: Declined++; break;
            case Outcome.Timeout: Timeouts++; if (tx.Stage is { } ts) TimeoutsByStage[(int)ts]++; break;
            case Outcome.Error: Errors++; if (tx.Stage is { } es) ErrorsByStage[(int)es]++; break;
            case Outcome.Cancelled: Cancelled++; break;
        }
        LatencySumMs += tx.LatencyMs;
        LatencyMaxMs = Math.Max(LatencyMaxMs, tx.LatencyMs);
        if (tx.StageMs is { } stageMs)
        {
            StageMsSamples++;
            var sums = StageMsSum;
            for (var i = 0; i < StageCount; i++) sums[i] += stageMs[i];
            if (stageMs[(int)Stage.Host] >= SlowStageMs) SlowHost++;
            if (stageMs[(int)Stage.Gateway] >= SlowStageMs) SlowGateway++;
        }
        if (tx.AmountMinor is { } amount)
        {
            AmountSumMinor += amount;
            AmountCount++;
        }
    }

    public void Add(Heartbeat hb, bool restarted)
    {
        Heartbeats++;
        NetLatencySumMs += hb.LatencyMs;
        NetLatencyMaxMs = Math.Max(NetLatencyMaxMs, hb.LatencyMs);
        PacketLossSumPct += hb.PacketLossPct;
        PacketLossMaxPct = Math.Max(PacketLossMaxPct, hb.PacketLossPct);
        SignalMinDbm = Min(SignalMinDbm, hb.SignalDbm);
        CpuMaxPct = Max(CpuMaxPct, hb.CpuPct);
        MemoryMaxPct = Max(MemoryMaxPct, hb.MemoryPct);
        if (hb.Printer is not (PrinterStatus.Ok or PrinterStatus.Absent)) PrinterFaults++;
        if (hb.Scanner == ScannerStatus.Error) ScannerFaults++;
        if (restarted) Restarts++;
        PendingOfflineMax = Math.Max(PendingOfflineMax, hb.PendingOffline);
    }

    public void Merge(TerminalMinute other)
    {
        Transactions += other.Transactions;
        Approved += other.Approved;
        Declined += other.Declined;
        Timeouts += other.Timeouts;
        Errors += other.Errors;
        Cancelled += other.Cancelled;
        if (other._timeoutsByStage is { } timeouts) AddTo(TimeoutsByStage, timeouts);
        if (other._errorsByStage is { } errors) AddTo(ErrorsByStage, errors);
        if (other._stageMsSum is { } stageMs)
        {
            var into = StageMsSum;
            for (var i = 0; i < StageCount; i++) into[i] += stageMs[i];
        }
        LatencySumMs += other.LatencySumMs;
        LatencyMaxMs = Math.Max(LatencyMaxMs, other.LatencyMaxMs);
        StageMsSamples += other.StageMsSamples;
        SlowHost += other.SlowHost;
        SlowGateway += other.SlowGateway;
        AmountSumMinor += other.AmountSumMinor;
        AmountCount += other.AmountCount;
        Heartbeats += other.Heartbeats;
        NetLatencySumMs += other.NetLatencySumMs;
        NetLatencyMaxMs = Math.Max(NetLatencyMaxMs, other.NetLatencyMaxMs);
        PacketLossSumPct += other.PacketLossSumPct;
        PacketLossMaxPct = Math.Max(PacketLossMaxPct, other.PacketLossMaxPct);
        SignalMinDbm = Min(SignalMinDbm, other.SignalMinDbm);
        CpuMaxPct = Max(CpuMaxPct, other.CpuMaxPct);
        MemoryMaxPct = Max(MemoryMaxPct, other.MemoryMaxPct);
        PrinterFaults += other.PrinterFaults;
        ScannerFaults += other.ScannerFaults;
        Restarts += other.Restarts;
        PendingOfflineMax = Math.Max(PendingOfflineMax, other.PendingOfflineMax);
    }

    /// <summary>
    /// Makes this rollup as a new one for <paramref name="terminalId"/> and <paramref name="minute"/> would be,
    /// for an aggregator refilling rollups nobody reads any more (every field here must be reset).
    /// </summary>
    internal void Reset(string terminalId, DateTimeOffset minute)
    {
        TerminalId = terminalId;
        Minute = minute;
        Number = -1;
        Transactions = Approved = Declined = Timeouts = Errors = Cancelled = 0;
        _timeoutsByStage = _errorsByStage = null;
        _stageMsSum = null;
        LatencySumMs = 0;
        LatencyMaxMs = 0;
        StageMsSamples = SlowHost = SlowGateway = 0;
        AmountSumMinor = 0;
        AmountCount = 0;
        Heartbeats = 0;
        NetLatencySumMs = 0;
        NetLatencyMaxMs = 0;
        PacketLossSumPct = PacketLossMaxPct = 0;
        SignalMinDbm = CpuMaxPct = MemoryMaxPct = null;
        PrinterFaults = ScannerFaults = Restarts = PendingOfflineMax = 0;
    }

    private static void AddTo(int[] into, int[] other)
    {
        for (var i = 0; i < StageCount; i++) into[i] += other[i];
    }

    private static int? Min(int? a, int? b) => a is null ? b : b is null ? a : Math.Min(a.Value, b.Value);
    private static int? Max(int? a, int? b) => a is null ? b : b is null ? a : Math.Max(a.Value, b.Value);
}
