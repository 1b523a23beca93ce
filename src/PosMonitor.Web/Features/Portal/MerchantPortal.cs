using Dapper;
using PosMonitor.Core.Rollups;
using PosMonitor.Core.Telemetry;
using PosMonitor.Web.Features.Fleet;
using PosMonitor.Web.Features.Telemetry;
using PosMonitor.Web.Features.Terminals;
using PosMonitor.Web.Infrastructure.Data;

namespace PosMonitor.Web.Features.Portal;

/// <summary>One of a merchant's terminals as its owner sees it: live status and today's figures.</summary>
/// <param name="NeverSeen">Registered but no heartbeat or sale has arrived from it yet (not installed, or not set up to report).</param>
public sealed record MyTerminal(
    string Id, string? Store, string Model, string Firmware, bool Online, bool NeverSeen, DateTimeOffset? LastHeartbeat, PrinterStatus? Printer,
    int SalesToday, long AmountTodayMinor, int TransactionsToday, int TimeoutsToday)
{
    public double? TimeoutRate => TransactionsToday == 0 ? null : (double)TimeoutsToday / TransactionsToday;

    /// <summary>The printer and scanner states it reports now (paper out, jam, …), since when: its device notices.</summary>
    public IReadOnlyList<DeviceEpisode> DeviceNotices { get; init; } = [];
}

/// <summary>What a terminal reported in its last minutes: attached to a "timing out now" report.</summary>
public sealed record TelemetrySummary(
    int Minutes, int Transactions, int Approved, int Timeouts, int Errors, IReadOnlyDictionary<string, int> TimeoutsByStage,
    int AverageLatencyMs, int MaxLatencyMs, int Heartbeats, int AverageNetworkLatencyMs, double MaxPacketLossPct, int? WeakestSignalDbm,
    int PrinterFaults, int Restarts, DateTimeOffset? LastSeen)
{
    public static TelemetrySummary From(IReadOnlyList<TerminalMinute> minutes, int window, DateTimeOffset? lastSeen)
    {
        var total = new TerminalMinute("", default);
        foreach (var m in minutes) total.Merge(m);
        var stages = new Dictionary<string, int>();
        for (var i = 0; i < TerminalMinute.StageCount; i++)
            if (total.TimeoutsByStage[i] > 0) stages[Wire.Name((Stage)i)] = total.TimeoutsByStage[i];
        return new TelemetrySummary(window, total.Transactions, total.Approved, total.Timeouts, total.Errors, stages,
            total.Transactions == 0 ? 0 : (int)(total.LatencySumMs / total.Transactions), total.LatencyMaxMs, total.Heartbeats,
            total.Heartbeats == 0 ? 0 : (int)(total.NetLatencySumMs / total.Heartbeats), total.PacketLossMaxPct, total.SignalMinDbm,
            total.PrinterFaults, total.Restarts, lastSeen);
    }
}

/// <summary>
/// The merchant owner's view of their terminals. Every method takes the merchant from the caller's
/// <see cref="Identity.Viewer"/>, never from what the page was asked for.
/// </summary>
public sealed class MerchantPortal(Db db, FleetCache fleet, TerminalStateCache states, RollupQueries rollups, TerminalQueries terminals, TimeProvider time)
{
    /// <summary>A terminal with no heartbeat or sale for this long counts as offline.</summary>
    public static readonly TimeSpan OfflineAfter = TimeSpan.FromMinutes(3);

    public string? MerchantName(string merchantId) => fleet.Current.Merchants.TryGetValue(merchantId, out var m) ? m.Name : null;

    public IReadOnlyList<Core.Fleet.Terminal> TerminalsOf(string merchantId) =>
        [.. fleet.Current.TerminalsOf(merchantId).OrderBy(t => t.Id, StringComparer.Ordinal)];

    /// <summary>The time the merchant's shop opens (its own zone) when its opening hours say it is closed now; null when open or always open.</summary>
    public TimeOnly? OpensAt(string merchantId)
    {
        if (!fleet.Current.Merchants.TryGetValue(merchantId, out var m) || !Core.Fleet.OpeningHours.TryParse(m.OpeningHours, out var hours)) return null;
        var local = TimeZoneInfo.ConvertTime(time.GetUtcNow(), Core.Fleet.TimeZones.FindOrUtc(m.TimeZone));
        return hours.Contains(TimeOnly.FromDateTime(local.DateTime)) ? null : hours.Opens;
    }

    public bool Owns(string merchantId, string terminalId) =>
        fleet.Current.Terminals.TryGetValue(terminalId, out var t) && t.MerchantId == merchantId;

    public async Task<IReadOnlyList<MyTerminal>> TerminalsAsync(string merchantId, CancellationToken ct)
    {
        var now = time.GetUtcNow();
        var today = await TodayAsync(merchantId, now, ct);
        var mine = new List<MyTerminal>();
        foreach (var t in TerminalsOf(merchantId))
        {
            var s = states.Get(t.Id);
            today.TryGetValue(t.Id, out var d);
            // Only a terminal reporting a state now needs its rollups read for since when (mostly none of them).
            var notices = DeviceHistory.Reports(s) ? [.. (await terminals.DeviceHistoryAsync(t.Id, s, now, ct)).Current] : Array.Empty<DeviceEpisode>();
            mine.Add(new MyTerminal(t.Id, t.Store, t.Model, s?.Firmware ?? t.Firmware, s?.IsOnline(now, OfflineAfter) == true, s?.LastSeenAt is null, s?.LastHeartbeatAt,
                s?.Printer, (int)(d?.Approved ?? 0), d?.AmountSumMinor ?? 0, (int)(d?.Transactions ?? 0), (int)(d?.Timeouts ?? 0)) { DeviceNotices = notices });
        }
        return mine;
    }

    public async Task<TelemetrySummary> SummaryAsync(string terminalId, int minutes, CancellationToken ct)
    {
        var now = time.GetUtcNow();
        var rows = await rollups.TerminalMinutesAsync(terminalId, TerminalMinute.MinuteOf(now).AddMinutes(-minutes + 1), now.AddMinutes(1), ct);
        return TelemetrySummary.From(rows, minutes, states.Get(terminalId)?.LastSeenAt);
    }

    /// <summary>Since midnight in the merchant's own time zone.</summary>
    private async Task<Dictionary<string, DayRow>> TodayAsync(string merchantId, DateTimeOffset now, CancellationToken ct)
    {
        var zone = fleet.Current.Merchants.TryGetValue(merchantId, out var m) && TimeZoneInfo.TryFindSystemTimeZoneById(m.TimeZone, out var z) ? z : TimeZoneInfo.Utc;
        var local = TimeZoneInfo.ConvertTime(now, zone);
        var midnight = new DateTimeOffset(local.Date, zone.GetUtcOffset(local.Date));
        await using var c = await db.OpenAsync(ct);
        var rows = await c.QueryAsync<DayRow>(new CommandDefinition(db.Sql(SelectToday),
            new { MerchantId = merchantId, From = DbTime.ToMs(midnight) }, cancellationToken: ct));
        return rows.ToDictionary(r => r.TerminalId, StringComparer.Ordinal);
    }

    // Settable properties: SUM is INTEGER in SQLite and INT/BIGINT in SQL Server; Dapper converts either.
    private sealed class DayRow
    {
        public string TerminalId { get; set; } = "";
        public long Transactions { get; set; }
        public long Approved { get; set; }
        public long Timeouts { get; set; }
        public long AmountSumMinor { get; set; }
    }

    private static readonly SqlText SelectToday = SqlText.Same(
        """
        SELECT m.terminal_id AS TerminalId, SUM(m.transactions) AS Transactions, SUM(m.approved) AS Approved,
               SUM(m.timeouts) AS Timeouts, SUM(m.amount_sum_minor) AS AmountSumMinor
        FROM terminal_minutes m JOIN terminals t ON t.id = m.terminal_id
        WHERE t.merchant_id = @MerchantId AND m.minute >= @From
        GROUP BY m.terminal_id;
        """);
}
