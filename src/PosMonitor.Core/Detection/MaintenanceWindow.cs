using PosMonitor.Core.Incidents;

namespace PosMonitor.Core.Detection;

public enum MaintenanceRecurrence { None, Daily, Weekly }

/// <summary>
/// A planned maintenance window (定期维护): detection stays silent for the terminals of its scope
/// while it is active; their telemetry is still stored and shown.
/// </summary>
/// <remarks>
/// One-off windows use <see cref="StartsAt"/>/<see cref="EndsAt"/> (UTC). Recurring windows start every
/// day (or on <see cref="Weekdays"/>) at <see cref="LocalStart"/> and last <see cref="Duration"/>, in
/// <see cref="TimeZone"/> when set, else in the merchant's zone for terminal and merchant scopes and
/// in UTC for the wider ones (a region or gateway spans zones, so its owner names one explicitly).
/// For recurring windows, StartsAt/EndsAt, when set, bound the days on which the rule applies.
/// </remarks>
public sealed record MaintenanceWindow
{
    public required string Id { get; init; }
    public required ScopeType ScopeType { get; init; }
    /// <summary>Terminal, merchant, region or gateway id, firmware version, or "platform".</summary>
    public required string ScopeId { get; init; }
    public MaintenanceRecurrence Recurrence { get; init; } = MaintenanceRecurrence.None;
    public DateTimeOffset? StartsAt { get; init; }
    public DateTimeOffset? EndsAt { get; init; }
    public TimeOnly LocalStart { get; init; }
    public TimeSpan Duration { get; init; }
    /// <summary>Weekly windows: the local days on which a window starts.</summary>
    public IReadOnlyList<DayOfWeek> Weekdays { get; init; } = [];
    /// <summary>IANA zone of a recurring window; null: see the remarks.</summary>
    public string? TimeZone { get; init; }

    /// <summary>Whether the window covers <paramref name="utc"/>, with recurring times read in <paramref name="zone"/>.</summary>
    public bool IsActive(DateTimeOffset utc, TimeZoneInfo zone)
    {
        if (Recurrence == MaintenanceRecurrence.None)
            return StartsAt is { } s && EndsAt is { } e && utc >= s && utc < e;
        if (Duration <= TimeSpan.Zero) return false;
        if (StartsAt is { } from && utc < from) return false;
        if (EndsAt is { } until && utc >= until) return false;

        var local = TimeZoneInfo.ConvertTime(utc, zone).DateTime;
        // A window may have started on an earlier day and still be running (it may pass midnight).
        var daysBack = (int)Math.Ceiling(Duration.TotalDays);
        for (var back = 0; back <= daysBack; back++)
        {
            var day = local.Date.AddDays(-back);
            if (Recurrence == MaintenanceRecurrence.Weekly && !Weekdays.Contains(day.DayOfWeek)) continue;
            var start = day + LocalStart.ToTimeSpan();
            if (local >= start && local < start + Duration) return true;
        }
        return false;
    }

    /// <summary>The zone recurring times are read in, for a terminal of a merchant in <paramref name="merchantZone"/>.</summary>
    public TimeZoneInfo ZoneFor(TimeZoneInfo merchantZone) =>
        TimeZone is not null ? Fleet.TimeZones.FindOrUtc(TimeZone)
        : ScopeType is ScopeType.Terminal or ScopeType.Merchant ? merchantZone
        : TimeZoneInfo.Utc;
}
