using System.Globalization;
using Microsoft.AspNetCore.Components;
using Microsoft.AspNetCore.Components.Authorization;
using Microsoft.Extensions.Options;
using MudBlazor;
using PosMonitor.Core.Incidents;
using PosMonitor.Core.Rollups;
using PosMonitor.Core.Telemetry;
using PosMonitor.Web.Features.Audit;
using PosMonitor.Web.Features.Fleet;
using PosMonitor.Web.Features.Heatmap;
using PosMonitor.Web.Features.Identity;
using PosMonitor.Web.Features.Incidents;
using PosMonitor.Web.Features.Telemetry;
using PosMonitor.Web.Infrastructure.Time;

namespace PosMonitor.Web.Features.Terminals;

/// <summary>
/// One terminal: its current state and device notices, heartbeat and sales history from the per-minute rollups,
/// printer and scanner episodes, firmware changes and incidents. Reloads when a coalesced tick follows a batch that touched this terminal.
/// </summary>
public partial class TerminalPage
{
    [Parameter] public string Id { get; set; } = "";

    /// <summary>On Ethernet: no radio, so no signal figure or chart (a reported 0 would read as a perfect signal).</summary>
    private bool IsWired => _state?.NetworkType == NetworkType.Ethernet;
    [Inject] private PortalViewer Viewers { get; set; } = default!;
    [Inject] private FleetCache Fleet { get; set; } = default!;
    [Inject] private TerminalStateCache States { get; set; } = default!;
    [Inject] private RollupQueries Rollups { get; set; } = default!;
    [Inject] private TerminalQueries Queries { get; set; } = default!;
    [Inject] private IIncidentReader Incidents { get; set; } = default!;
    [Inject] private HeatmapService Heatmap { get; set; } = default!;
    [Inject] private TelemetryFeed Telemetry { get; set; } = default!;
    [Inject] private IOptions<IngestionOptions> Ingestion { get; set; } = default!;
    [Inject] private TimeProvider Time { get; set; } = default!;
    [Inject] private DisplayTime Clock { get; set; } = default!;
    [Inject] private AuthenticationStateProvider Authentication { get; set; } = default!;
    [Inject] private AuditLog Audit { get; set; } = default!;
    [Inject] private NavigationManager Nav { get; set; } = default!;

    private Viewer _viewer = Viewer.Nobody;
    private Core.Fleet.Terminal? _terminal;
    private string _merchantName = "";
    private TerminalState? _state;
    private TerminalHistory? _history;
    private IReadOnlyList<FirmwareChangeRow> _firmware = [];
    private IReadOnlyList<Incident> _incidents = [];
    private DeviceHistory _devices = DeviceHistory.None;
    private List<BreadcrumbItem> _crumbs = [];
    private int _hours = 1;
    private volatile bool _changed;
    private IDisposable? _ticks, _feed;

    protected override async Task OnParametersSetAsync()
    {
        _viewer = await Viewers.GetAsync();
        var fleet = Fleet.Current;
        _terminal = fleet.Terminals.TryGetValue(Id, out var t) && _viewer.MaySee(t.MerchantId) ? t : null;
        _crumbs = [_viewer.SeesEveryMerchant ? new BreadcrumbItem(L["Back"], "/") : new BreadcrumbItem(L["BackMine"], "/my"), new BreadcrumbItem(Id, null, disabled: true)];
        _ticks?.Dispose();
        _feed?.Dispose();
        if (_terminal is null)
        {
            // A merchant owner asking for a terminal not theirs (or none at all) gets the plain not-found
            // page, 404 when prerendered, so ids do not leak; the attempt is audited.
            if (!_viewer.SeesEveryMerchant)
            {
                await Audit.RecordCrossMerchantAsync((await Authentication.GetAuthenticationStateAsync()).User, "terminal", Id, CancellationToken.None);
                Nav.NotFound();
            }
            return;
        }
        _merchantName = fleet.Merchants.TryGetValue(_terminal.MerchantId, out var m) ? m.Name : _terminal.MerchantId;
        await LoadAsync();
        // The feed only flags (it runs on the writer loop); the coalesced tick does the reload.
        _feed = Telemetry.Subscribe(delta => { if (delta.States.ContainsKey(Id)) _changed = true; });
        _ticks = Heatmap.Subscribe(tick =>
        {
            if (!_changed) return;
            _changed = false;
            _ = InvokeAsync(async () =>
            {
                await LoadAsync();
                StateHasChanged();
            });
        });
    }

    private async Task LoadAsync()
    {
        var now = Time.GetUtcNow();
        _state = States.Get(Id);
        var to = TerminalMinute.MinuteOf(now).AddMinutes(1);
        var minutes = await Rollups.TerminalMinutesAsync(Id, to.AddHours(-_hours), to, CancellationToken.None);
        _incidents = await Incidents.ForTerminalAsync(Id, _viewer, CancellationToken.None);
        _history = TerminalHistory.Build(minutes, to.AddHours(-_hours), _hours, Clock.Zone, L, _incidents, TimeSpan.FromSeconds(Ingestion.Value.OfflineAfterSeconds));
        _firmware = await Queries.FirmwareHistoryAsync(Id, 50, CancellationToken.None);
        _devices = await Queries.DeviceHistoryAsync(Id, _state, now, CancellationToken.None);
    }

    /// <summary>A device notice outlasted its routine (or sales failed) and detection opened an incident for it.</summary>
    private bool HardwareIncidentOpen => _incidents.Any(i => i.ResolvedAt is null && i.Cause == Cause.Hardware);

    private async Task SetHours(int hours)
    {
        _hours = hours;
        await LoadAsync();
    }

    private bool? IsOnline => _state?.LastSeenAt is null ? null
        : _state.IsOnline(Time.GetUtcNow(), TimeSpan.FromSeconds(Ingestion.Value.OfflineAfterSeconds));

    private Color OnlineColor => IsOnline switch { true => Color.Success, false => Color.Error, _ => Color.Default };

    private string OnlineText => IsOnline switch { true => L["Online"], false => L["Offline"], _ => L["NeverSeen"] };

    private string Uptime(TimeSpan t) => L["UptimeValue", (int)t.TotalDays, t.Hours, t.Minutes];

    public void Dispose()
    {
        _ticks?.Dispose();
        _feed?.Dispose();
    }
}

/// <summary>
/// The terminal's rollups in buckets (1, 5 or 15 minutes by window), as chart series on one time axis shared by every
/// chart and titled with the window ("1 h"), with the incidents naming the terminal marked on it where they opened (▲)
/// and were resolved (✓).
/// </summary>
public sealed record TerminalHistory(
    bool Any, string[] Labels, string Axis, bool Marked, List<ChartSeries<double>> Latency, List<ChartSeries<double>> PacketLoss,
    List<ChartSeries<double>> Signal, List<ChartSeries<double>> CpuMemory, List<ChartSeries<double>> Outcomes,
    List<ChartSeries<double>> Stages, List<ChartSeries<double>> Devices)
{
    public const string OpenedMark = "▲", ResolvedMark = "✓";

    /// <param name="offlineAfter">
    /// How long without a heartbeat a terminal counts as offline (<see cref="IngestionOptions.OfflineAfterSeconds"/>):
    /// shorter gaps between readings are drawn as one line, longer ones as a break in it.
    /// </param>
    public static TerminalHistory Build(IReadOnlyList<TerminalMinute> minutes, DateTimeOffset from, int hours,
        TimeZoneInfo zone, Microsoft.Extensions.Localization.IStringLocalizer<TerminalStrings> l, IReadOnlyList<Incident>? incidents = null,
        TimeSpan? offlineAfter = null)
    {
        var bucketMinutes = hours switch { <= 1 => 1, <= 6 => 5, _ => 15 };
        var count = hours * 60 / bucketMinutes;
        var buckets = new TerminalMinute[count];
        for (var i = 0; i < count; i++) buckets[i] = new TerminalMinute("", from.AddMinutes(i * bucketMinutes));
        foreach (var m in minutes)
        {
            var i = (int)((m.Minute - from).TotalMinutes / bucketMinutes);
            if (i >= 0 && i < count) buckets[i].Merge(m);
        }
        var marks = Marks(incidents ?? [], from, bucketMinutes, count);
        var labels = TimeLabels(buckets, zone, marks);
        var bridged = Bridged(buckets, bucketMinutes, offlineAfter ?? TimeSpan.FromMinutes(3));

        ChartSeries<double> S(string name, Func<TerminalMinute, double> value) => new() { Name = name, Data = buckets.Select(value).ToArray() };
        ChartSeries<double> H(string name, Func<TerminalMinute, double> value) => new() { Name = name, Data = new ChartData<double>(Readings(buckets, bridged, value)) };
        double Avg(long sum, int n) => n == 0 ? 0 : (double)sum / n;

        var stages = Enumerable.Range(0, TerminalMinute.StageCount)
            .Where(s => buckets.Any(b => b.TimeoutsByStage[s] + b.ErrorsByStage[s] > 0))
            .Select(s => S(l["Stage_" + Wire.Stages[s]], b => b.TimeoutsByStage[s] + b.ErrorsByStage[s])).ToList();

        return new TerminalHistory(
            minutes.Count > 0, labels, l["Axis", hours], marks.Count > 0,
            [H(l["Latency"], b => Avg(b.NetLatencySumMs, b.Heartbeats))],
            [H(l["PacketLoss"], b => b.PacketLossMaxPct)],
            [H(l["Signal"], b => b.SignalMinDbm ?? 0)],
            [H(l["Cpu"], b => b.CpuMaxPct ?? 0), H(l["Memory"], b => b.MemoryMaxPct ?? 0)],
            [
                S(l["Outcome_Approved"], b => b.Approved), S(l["Outcome_Declined"], b => b.Declined),
                S(l["Outcome_Timeout"], b => b.Timeouts), S(l["Outcome_Error"], b => b.Errors), S(l["Outcome_Cancelled"], b => b.Cancelled),
            ],
            stages.Count > 0 ? stages : [S(l["Outcome_Timeout"], _ => 0)],
            [S(l["PrinterFaults"], b => b.PrinterFaults), S(l["ScannerFaults"], b => b.ScannerFaults)]);
    }

    /// <summary>
    /// The buckets without a heartbeat that lie in a gap short enough to draw across: shorter than going offline, or
    /// than two of the terminal's usual spacings between readings. MudBlazor leaves a lone point between two gaps
    /// without a segment, so a terminal reporting every other minute would otherwise draw nothing at all.
    /// </summary>
    private static bool[] Bridged(TerminalMinute[] buckets, int bucketMinutes, TimeSpan offlineAfter)
    {
        var readings = Enumerable.Range(0, buckets.Length).Where(i => buckets[i].Heartbeats > 0).ToArray();
        var spacings = readings.Zip(readings.Skip(1), (a, b) => b - a).Order().ToArray();
        var usual = spacings.Length == 0 ? 1 : spacings[spacings.Length / 2];
        var longest = Math.Max(offlineAfter.TotalMinutes / bucketMinutes, 2 * usual);
        var bridged = new bool[buckets.Length];
        foreach (var (a, b) in readings.Zip(readings.Skip(1)))
        {
            if (b - a <= longest)
                for (var i = a + 1; i < b; i++) bridged[i] = true;
        }
        return bridged;
    }

    /// <summary>
    /// A heartbeat figure per bucket: the reading where there is one, a straight line's value across a bridged gap,
    /// else none, so the line breaks where the terminal was off the air (a missing reading is not a zero).
    /// </summary>
    private static double?[] Readings(TerminalMinute[] buckets, bool[] bridged, Func<TerminalMinute, double> value)
    {
        var data = buckets.Select(b => b.Heartbeats > 0 ? value(b) : (double?)null).ToArray();
        for (var i = 0; i < data.Length; i++)
        {
            if (!bridged[i]) continue;
            var (before, after) = (Array.FindLastIndex(data, i, v => v.HasValue), Array.FindIndex(buckets, i, b => b.Heartbeats > 0));
            data[i] = data[before] + (value(buckets[after]) - data[before]) * (i - before) / (after - before);
        }
        return data;
    }

    /// <summary>
    /// About five readable time labels whatever the number of points; the rest stay blank (eight ran into each other on
    /// a phone). A bucket where an incident opened or was resolved is labelled too, with its mark: the axis is the one
    /// place every chart shares, so the mark lines up with the bars and lines above it.
    /// </summary>
    private static string[] TimeLabels(TerminalMinute[] buckets, TimeZoneInfo zone, IReadOnlyDictionary<int, string> marks)
    {
        var every = Math.Max(1, (buckets.Length + 4) / 5);
        string Time(TerminalMinute b) => TimeZoneInfo.ConvertTime(b.Minute, zone).ToString("HH:mm", CultureInfo.CurrentCulture);
        return [.. buckets.Select((b, i) => marks.TryGetValue(i, out var mark) ? $"{mark} {Time(b)}" : i % every == 0 ? Time(b) : "")];
    }

    /// <summary>The buckets in which an incident opened or was resolved, with their marks (both when one bucket saw both).</summary>
    private static Dictionary<int, string> Marks(IReadOnlyList<Incident> incidents, DateTimeOffset from, int bucketMinutes, int count)
    {
        var marks = new Dictionary<int, string>();
        void Mark(DateTimeOffset at, string mark)
        {
            var i = (int)Math.Floor((at - from).TotalMinutes / bucketMinutes);
            if (i < 0 || i >= count) return;
            marks[i] = marks.TryGetValue(i, out var already) ? (already.Contains(mark, StringComparison.Ordinal) ? already : already + mark) : mark;
        }
        foreach (var incident in incidents)
        {
            Mark(incident.OpenedAt, OpenedMark);
            if (incident.ResolvedAt is { } resolved) Mark(resolved, ResolvedMark);
        }
        return marks;
    }
}
