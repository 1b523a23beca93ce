using PosMonitor.Core.Telemetry;

namespace PosMonitor.Core.Simulation;

/// <summary>How one terminal trades and connects when nothing is wrong.</summary>
/// <param name="PeakSalesPerHour">Sales in the merchant's busiest local hour.</param>
/// <param name="NormalTimeoutRate">Share of sales that time out on an ordinary day (0..1).</param>
/// <param name="IsHot">One of the few stores that always run high (weak signal in a basement, an old router).</param>
/// <param name="SendsNotifications">The merchant sends e-receipts or push notices after a sale (the <c>notify</c> stage).</param>
public sealed record TerminalTraffic(
    TerminalProfile Terminal, double PeakSalesPerHour, double NormalTimeoutRate, bool IsHot, bool SendsNotifications,
    double MedianAmountYuan, string Currency, int BaseLatencyMs, double BaseLossPct, int? BaseSignalDbm, int BaseCpuPct, int BaseMemoryPct,
    int GatewayMedianMs);

/// <summary>A sale as the simulator is about to report it.</summary>
internal struct SaleDraft
{
    public Outcome Outcome;
    public Stage? Stage;
    public int[] StageMs;
    public string? ErrorCode;
    public long? AmountMinor;

    public readonly int LatencyMs
    {
        get
        {
            var sum = 0;
            foreach (var ms in StageMs) sum += ms;
            return sum;
        }
    }
}

/// <summary>Heartbeat readings before faults are applied.</summary>
internal struct Readings
{
    public int LatencyMs;
    public double PacketLossPct;
    public int? SignalDbm;
    public int? BatteryPct;
    public int CpuPct;
    public int MemoryPct;
}

/// <summary>
/// The normal traffic of a fleet: a daily curve by local hour and kind of shop, per-merchant volume,
/// heterogeneous per-terminal timeout rates (a few "hot" stores always run high), a realistic mix of
/// failing stages, amounts in minor units (fen; CNY, HKD in Hong Kong), stage times and heartbeat readings. Faults are
/// laid on top by <see cref="Simulator"/>.
/// </summary>
public sealed class TrafficModel
{
    /// <summary>How long a terminal waits in each stage before it gives up, indexed by <see cref="Stage"/>.</summary>
    public static IReadOnlyList<int> StageTimeoutMs { get; } = [60_000, 10_000, 20_000, 30_000, 30_000, 15_000, 10_000, 20_000];

    // Where ordinary timeouts stop: mostly the network and the gateway, rarely the till itself.
    private static readonly double[] NormalTimeoutStages = [0.08, 0.25, 0.25, 0.1, 0.2, 0.07, 0.05, 0];
    private static readonly double[] HotTimeoutStages = [0.03, 0.47, 0.45, 0.02, 0.03, 0, 0, 0];

    private readonly TerminalTraffic[] _terminals;
    private readonly double _cancelledRate;

    /// <param name="background">Where the hot stores and cancelled sales come from; <see cref="BackgroundNoise.Default"/> when null.</param>
    public TrafficModel(SimulatedFleet fleet, int seed, BackgroundNoise? background = null)
    {
        Fleet = fleet;
        background ??= BackgroundNoise.Default;
        _cancelledRate = background.CancelledSaleRate;
        var merchantRng = SimRandom.For(seed, "merchant-traffic");
        var merchantVolume = new double[fleet.Merchants.Count];
        var merchantHot = new bool[fleet.Merchants.Count];
        var merchantNotify = new bool[fleet.Merchants.Count];
        var merchantTicket = new double[fleet.Merchants.Count];
        var tills = fleet.Terminals.GroupBy(t => t.Merchant.Index).ToDictionary(g => g.Key, g => g.Count());
        foreach (var m in fleet.Merchants)
        {
            merchantVolume[m.Index] = merchantRng.LogNormal(1, 0.45);
            // A few shops always run hot (about one in thirty): a single store (basement, old router), never a whole chain.
            merchantHot[m.Index] = merchantRng.Chance(background.HotStoreShare) && tills.GetValueOrDefault(m.Index) <= 4;
            merchantNotify[m.Index] = merchantRng.Chance(0.55);
            merchantTicket[m.Index] = m.Kind.MedianAmountYuan * merchantRng.LogNormal(1, 0.3);
        }
        // A fleet of any size shows at least one always-hot store: the decoy detection must live with.
        var small = fleet.Merchants.Where(m => tills.GetValueOrDefault(m.Index) <= 4).ToArray();
        if (background.HotStoreShare > 0 && !merchantHot.Any(h => h) && fleet.Merchants.Count >= 3 && small.Length > 0)
            merchantHot[small[merchantRng.Next(small.Length)].Index] = true;

        _terminals = new TerminalTraffic[fleet.Terminals.Count];
        foreach (var t in fleet.Terminals)
        {
            var rng = SimRandom.For(seed, "terminal-traffic", t.Index);
            var m = t.Merchant.Index;
            var hot = merchantHot[m];
            var timeoutRate = hot
                ? rng.Between(0.06, 0.12)
                : Math.Clamp(rng.LogNormal(0.005, 0.6), 0.0005, 0.03);
            var latency = t.Network switch
            {
                NetworkType.Ethernet => rng.LogNormal(35, 0.3),
                NetworkType.Wifi => rng.LogNormal(70, 0.35),
                _ => rng.LogNormal(140, 0.35),
            };
            var loss = t.Network switch
            {
                NetworkType.Ethernet => rng.Between(0, 0.2),
                NetworkType.Wifi => rng.Between(0, 1.0),
                _ => rng.Between(0.2, 2.0),
            };
            int? signal = t.Network switch
            {
                NetworkType.Wifi => rng.Between(-72, -45),
                NetworkType.Cellular => rng.Between(-100, -70),
                _ => null,
            };
            if (hot)
            {
                latency *= 3;
                loss += rng.Between(3, 6);
                if (signal is not null) signal = t.Network == NetworkType.Wifi ? rng.Between(-86, -80) : rng.Between(-115, -105);
            }
            _terminals[t.Index] = new TerminalTraffic(
                t, t.Merchant.Kind.PeakSalesPerHour * merchantVolume[m] * rng.LogNormal(1, 0.2), timeoutRate, hot, merchantNotify[m],
                merchantTicket[m], t.Merchant.Merchant.TimeZone == "Asia/Hong_Kong" ? "HKD" : "CNY", (int)latency, Math.Round(loss, 1), signal, rng.Between(6, 25), rng.Between(35, 65),
                GatewayMedianMs(t.Terminal.GatewayId));
        }
    }

    public SimulatedFleet Fleet { get; }

    public IReadOnlyList<TerminalTraffic> Terminals => _terminals;

    public TerminalTraffic For(TerminalProfile terminal) => _terminals[terminal.Index];

    /// <summary>Expected sales per hour at <paramref name="utc"/>: the peak scaled by the daily curve; 0 while closed.</summary>
    public double SalesPerHour(TerminalTraffic t, DateTimeOffset utc)
    {
        var merchant = t.Terminal.Merchant;
        if (!merchant.IsOpen(utc)) return 0;
        var local = TimeZoneInfo.ConvertTime(utc, merchant.Zone);
        return t.PeakSalesPerHour * merchant.Kind.CurveAt(local.TimeOfDay);
    }

    /// <summary>An upper bound of <see cref="SalesPerHour"/>, for sampling by thinning.</summary>
    public static double MaxSalesPerHour(TerminalTraffic t) => t.PeakSalesPerHour;

    /// <summary>
    /// Draws a sale. With <paramref name="forced"/> the outcome and stage are the fault's; otherwise the
    /// terminal's normal mix. <paramref name="extraMs"/> (indexed by stage, may be null) slows the stages a fault slows.
    /// </summary>
    internal SaleDraft Sale(ref SimRandom rng, TerminalTraffic t, (Outcome Outcome, Stage? Stage, string? ErrorCode)? forced, int[]? extraMs)
    {
        var draft = new SaleDraft { StageMs = new int[TrafficModelStages] };
        if (forced is { } f)
        {
            draft.Outcome = f.Outcome;
            draft.Stage = f.Stage;
            draft.ErrorCode = f.ErrorCode;
        }
        else NormalOutcome(ref rng, t, ref draft);

        var terminal = t.Terminal;
        var lastStage = draft.Outcome switch
        {
            Outcome.Timeout or Outcome.Error or Outcome.Cancelled => draft.Stage ?? Telemetry.Stage.App,
            Outcome.Declined => Telemetry.Stage.Gateway,
            _ => Telemetry.Stage.Notify,
        };
        var ms = draft.StageMs;
        ms[(int)Telemetry.Stage.Input] = (int)Math.Clamp(rng.LogNormal(6000, 0.5), 800, 45_000);
        ms[(int)Telemetry.Stage.Connect] = (int)(rng.LogNormal(terminal.Network == NetworkType.Cellular ? 180 : 60, 0.3) + t.BaseLatencyMs);
        ms[(int)Telemetry.Stage.Send] = (int)(rng.LogNormal(150, 0.3) + 2 * t.BaseLatencyMs);
        ms[(int)Telemetry.Stage.Host] = (int)rng.LogNormal(120, 0.35);
        ms[(int)Telemetry.Stage.Gateway] = (int)rng.LogNormal(t.GatewayMedianMs, 0.4);
        ms[(int)Telemetry.Stage.Print] = terminal.HasPrinter ? (int)rng.LogNormal(2200, 0.2) : 0;
        ms[(int)Telemetry.Stage.Notify] = t.SendsNotifications ? (int)rng.LogNormal(250, 0.5) : 0;
        ms[(int)Telemetry.Stage.App] = (int)rng.LogNormal(60, 0.4);
        if (extraMs is not null)
            for (var i = 0; i < ms.Length; i++)
                if (ms[i] > 0) ms[i] += (int)(extraMs[i] * rng.Between(0.6, 1.4));

        if (draft.Outcome != Outcome.Approved)
        {
            // Stages after the one where the sale stopped never ran. A hang or crash in the app can come at any point.
            var clearFrom = lastStage == Telemetry.Stage.App
                ? rng.Between((int)Telemetry.Stage.Connect, (int)Telemetry.Stage.Notify)
                : (int)lastStage + 1;
            for (var i = clearFrom; i <= (int)Telemetry.Stage.Notify; i++) ms[i] = 0;
            var stopped = (int)lastStage;
            switch (draft.Outcome)
            {
                case Outcome.Timeout:
                    // The stage that timed out ran until the terminal gave up.
                    ms[stopped] = StageTimeoutMs[stopped] + rng.Next(400);
                    break;
                case Outcome.Cancelled:
                    ms[stopped] = (int)rng.LogNormal(lastStage == Telemetry.Stage.Input ? 15_000 : 3_000, 0.4);
                    break;
                case Outcome.Error when lastStage == Telemetry.Stage.App:
                    ms[stopped] += rng.Between(200, 3000);
                    break;
            }
        }

        // A sale cancelled while keying the amount has none yet.
        if (!(draft.Outcome == Outcome.Cancelled && rng.Chance(0.5)) && !(draft.Stage == Telemetry.Stage.Input && draft.Outcome == Outcome.Timeout && rng.Chance(0.3)))
            draft.AmountMinor = Amount(ref rng, t);
        return draft;
    }

    /// <summary>Heartbeat readings of a healthy terminal.</summary>
    internal static Readings NormalReadings(ref SimRandom rng, TerminalTraffic t, DateTimeOffset utc, DateTimeOffset bootedAt)
    {
        var r = new Readings
        {
            LatencyMs = (int)(t.BaseLatencyMs * rng.LogNormal(1, 0.25)),
            PacketLossPct = Math.Round(Math.Max(0, t.BaseLossPct * rng.Between(0.4, 1.6)), 1),
            SignalDbm = t.BaseSignalDbm is { } s ? Math.Clamp(s + rng.Between(-3, 3), -140, 0) : null,
            CpuPct = Math.Clamp(t.BaseCpuPct + rng.Between(-4, 8), 1, 100),
            MemoryPct = Math.Clamp(t.BaseMemoryPct + rng.Between(-2, 3), 1, 100),
        };
        if (t.Terminal.HasBattery)
        {
            // Charged overnight, drains through the shift, never quite flat (staff put it on the cradle).
            var hoursOn = Math.Max(0, (utc - bootedAt).TotalHours);
            r.BatteryPct = Math.Clamp(100 - (int)(hoursOn * 6) % 70, 25, 100);
        }
        return r;
    }

    private const int TrafficModelStages = 8;

    private void NormalOutcome(ref SimRandom rng, TerminalTraffic t, ref SaleDraft draft)
    {
        var x = rng.NextDouble();
        if ((x -= t.NormalTimeoutRate) < 0)
        {
            draft.Outcome = Outcome.Timeout;
            draft.Stage = NormalTimeoutStage(ref rng, t);
        }
        else if ((x -= 0.03) < 0)
        {
            draft.Outcome = Outcome.Declined;
            draft.ErrorCode = DeclineCodes[rng.Next(DeclineCodes.Length)];
        }
        else if ((x -= _cancelledRate) < 0)
        {
            draft.Outcome = Outcome.Cancelled;
            draft.Stage = Telemetry.Stage.Input;
        }
        else if ((x -= 0.002) < 0)
        {
            draft.Outcome = Outcome.Error;
            draft.Stage = rng.Chance(0.5) ? Telemetry.Stage.App : Telemetry.Stage.Host;
            draft.ErrorCode = draft.Stage == Telemetry.Stage.App ? "E-APP-STATE" : "96";
        }
        else draft.Outcome = Outcome.Approved;
    }

    private static Stage NormalTimeoutStage(ref SimRandom rng, TerminalTraffic t)
    {
        for (var attempt = 0; attempt < 8; attempt++)
        {
            var stage = (Stage)rng.Weighted(t.IsHot ? HotTimeoutStages : NormalTimeoutStages);
            if (stage == Telemetry.Stage.Print && !t.Terminal.HasPrinter) continue;
            if (stage == Telemetry.Stage.Notify && !t.SendsNotifications) continue;
            return stage;
        }
        return Telemetry.Stage.Send;
    }

    // ISO 8583 response codes: insufficient funds, do not honour, wrong PIN, expired card.
    private static readonly string[] DeclineCodes = ["51", "51", "05", "55", "54"];

    private static long Amount(ref SimRandom rng, TerminalTraffic t)
    {
        var yuan = Math.Clamp(rng.LogNormal(t.MedianAmountYuan, 0.7), 1, 200_000);
        // Prices end in whole yuan more often than not.
        return rng.Chance(0.6) ? (long)Math.Round(yuan) * 100 : (long)Math.Round(yuan * 10) * 10;
    }

    private static int GatewayMedianMs(string gatewayId) => gatewayId switch
    {
        "gw-unionpay" => 520,
        "gw-alipay" => 300,
        "gw-wechat" => 330,
        "gw-lakala" => 610,
        _ => 300 + (int)(SimRandom.Hash(gatewayId) % 350),
    };
}
