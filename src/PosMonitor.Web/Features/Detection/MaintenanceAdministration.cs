using System.Globalization;
using System.Security.Claims;
using PosMonitor.Core;
using PosMonitor.Core.Detection;
using PosMonitor.Core.Fleet;
using PosMonitor.Core.Incidents;
using PosMonitor.Core.Telemetry;
using PosMonitor.Web.Features.Audit;
using PosMonitor.Web.Features.Fleet;
using FleetModel = PosMonitor.Core.Fleet.Fleet;

namespace PosMonitor.Web.Features.Detection;

/// <summary>
/// What an admin fills in on /admin/maintenance. Times are local to the scope's zone (the merchant's
/// for terminal and merchant scopes, UTC for the wider ones), as the browser's date/time inputs send them.
/// </summary>
public sealed class MaintenanceForm
{
    public ScopeType ScopeType { get; set; } = ScopeType.Merchant;
    public string? ScopeId { get; set; }
    public MaintenanceRecurrence Kind { get; set; } = MaintenanceRecurrence.None;
    /// <summary>One-off: "yyyy-MM-ddTHH:mm" (an HTML datetime-local value).</summary>
    public string? Start { get; set; }
    public string? End { get; set; }
    /// <summary>Daily/weekly: "HH:mm".</summary>
    public string? LocalStart { get; set; }
    public int? DurationMinutes { get; set; }
    public HashSet<DayOfWeek> Weekdays { get; set; } = [];
    public string? Reason { get; set; }
}

/// <summary>A stored window with the zone its times are read in, for the list.</summary>
public sealed record MaintenanceRow(MaintenanceWindowEntry Entry, TimeZoneInfo Zone)
{
    public MaintenanceWindow Window => Entry.Window;
    public DateTimeOffset? LocalStartsAt => Window.StartsAt is { } s ? TimeZoneInfo.ConvertTime(s, Zone) : null;
    public DateTimeOffset? LocalEndsAt => Window.EndsAt is { } e ? TimeZoneInfo.ConvertTime(e, Zone) : null;
}

/// <summary>
/// The admin's side of maintenance windows: turns the form into a <see cref="MaintenanceWindow"/> in
/// the scope's zone, checks the scope against the fleet, stores through
/// <see cref="MaintenanceWindowRepository"/> and audits adds and deletes. Detection reads the same
/// table on its next run, so nothing else is told.
/// </summary>
public sealed class MaintenanceAdministration(MaintenanceWindowRepository repository, FleetRepository fleetRepository, AuditLog audit)
{
    public Task<FleetModel> FleetAsync(CancellationToken ct) => fleetRepository.LoadAsync(ct);

    public async Task<IReadOnlyList<MaintenanceRow>> ListAsync(CancellationToken ct)
    {
        var fleet = await fleetRepository.LoadAsync(ct);
        var entries = await repository.ListAsync(ct);
        return entries.Select(e => new MaintenanceRow(e, ZoneOf(fleet, e.Window))).ToList();
    }

    /// <summary>The zone a window's times are read in: its own, else the merchant's for terminal and merchant scopes, else UTC.</summary>
    public static TimeZoneInfo ZoneOf(FleetModel fleet, MaintenanceWindow window) =>
        window.ZoneFor(TimeZones.FindOrUtc(MerchantZoneId(fleet, window.ScopeType, window.ScopeId)));

    private static string? MerchantZoneId(FleetModel fleet, ScopeType type, string id) => type switch
    {
        ScopeType.Merchant => fleet.Merchants.GetValueOrDefault(id)?.TimeZone,
        ScopeType.Terminal when fleet.Terminals.GetValueOrDefault(id) is { } t => fleet.Merchants.GetValueOrDefault(t.MerchantId)?.TimeZone,
        _ => null,
    };

    /// <summary>The ids an admin may pick for a scope type.</summary>
    public static IReadOnlyList<string> ScopeIds(FleetModel fleet, ScopeType type) => type switch
    {
        ScopeType.Terminal => fleet.Terminals.Keys.Order(StringComparer.Ordinal).ToList(),
        ScopeType.Merchant => fleet.Merchants.Keys.Order(StringComparer.Ordinal).ToList(),
        ScopeType.Region => fleet.Regions.Keys.Order(StringComparer.Ordinal).ToList(),
        ScopeType.Gateway => fleet.Gateways.Keys.Order(StringComparer.Ordinal).ToList(),
        ScopeType.Firmware => fleet.Terminals.Values.Select(t => t.Firmware).Distinct().Order(StringComparer.Ordinal).ToList(),
        _ => ["platform"],
    };

    /// <summary>Stores the window; returns the problems (DetectionStrings keys or <see cref="MaintenanceWindowRepository.Validate"/>'s words), empty when stored.</summary>
    public async Task<(MaintenanceWindowEntry? Entry, IReadOnlyList<string> Problems)> AddAsync(ClaimsPrincipal user, MaintenanceForm form, CancellationToken ct)
    {
        var fleet = await fleetRepository.LoadAsync(ct);
        var problems = new List<string>();
        var scopeId = form.ScopeType == ScopeType.Platform ? "platform" : form.ScopeId?.Trim() ?? "";
        if (!ScopeIds(fleet, form.ScopeType).Contains(scopeId)) problems.Add("Mw_Problem_Scope");
        var zone = TimeZones.FindOrUtc(MerchantZoneId(fleet, form.ScopeType, scopeId));
        if (form.ScopeType is not (ScopeType.Terminal or ScopeType.Merchant)) zone = TimeZoneInfo.Utc;

        var window = new MaintenanceWindow { Id = "", ScopeType = form.ScopeType, ScopeId = scopeId, Recurrence = form.Kind };
        if (form.Kind == MaintenanceRecurrence.None)
        {
            var start = ParseLocal(form.Start, zone);
            var end = ParseLocal(form.End, zone);
            if (start is null || end is null) problems.Add("Mw_Problem_Times");
            window = window with { StartsAt = start, EndsAt = end };
        }
        else
        {
            if (!TimeOnly.TryParseExact(form.LocalStart ?? "", "HH:mm", CultureInfo.InvariantCulture, DateTimeStyles.None, out var localStart))
                problems.Add("Mw_Problem_LocalStart");
            if (form.DurationMinutes is null) problems.Add("Mw_Problem_Duration");
            window = window with
            {
                LocalStart = localStart,
                Duration = TimeSpan.FromMinutes(form.DurationMinutes ?? 0),
                Weekdays = form.Kind == MaintenanceRecurrence.Weekly ? form.Weekdays.Order().ToList() : [],
            };
        }
        if (string.IsNullOrWhiteSpace(form.Reason)) problems.Add("Mw_Problem_Reason");
        else if (form.Reason.Length > MaintenanceWindowRepository.MaxReasonLength) problems.Add("Mw_Problem_ReasonLong");
        if (problems.Count > 0) return (null, problems);

        // The repository assigns the id; validate with a placeholder so only the admin's mistakes show.
        var found = MaintenanceWindowRepository.Validate(window with { Id = "mw-new" });
        if (found.Count > 0) return (null, found);

        var entry = await repository.AddAsync(window, CardData.Mask(form.Reason!), AuditLog.ActorOf(user), ct);
        await audit.RecordAsync(user, AuditActions.MaintenanceAdded, entry.Window.Id, AuditResults.Success, ct, Describe(entry));
        return (entry, []);
    }

    public async Task<bool> DeleteAsync(ClaimsPrincipal user, string id, CancellationToken ct)
    {
        var existing = await repository.GetAsync(id, ct);
        var deleted = await repository.DeleteAsync(id, ct);
        await audit.RecordAsync(user, AuditActions.MaintenanceDeleted, id, deleted ? AuditResults.Success : AuditResults.Failure, ct,
            existing is null ? null : Describe(existing));
        return deleted;
    }

    private static DateTimeOffset? ParseLocal(string? value, TimeZoneInfo zone)
    {
        if (!DateTime.TryParseExact(value ?? "", ["yyyy-MM-ddTHH:mm", "yyyy-MM-ddTHH:mm:ss"], CultureInfo.InvariantCulture, DateTimeStyles.None, out var local))
            return null;
        // A local time skipped by a clock change has no instant; take the one an hour later, as clocks do.
        if (zone.IsInvalidTime(local)) local = local.AddHours(1);
        return new DateTimeOffset(local, zone.GetUtcOffset(local)).ToUniversalTime();
    }

    private static string Describe(MaintenanceWindowEntry e) =>
        $"{Causes.Name(e.Window.ScopeType)}:{e.Window.ScopeId} {MaintenanceWindowRepository.KindName(e.Window.Recurrence)}: {e.Reason}";
}
