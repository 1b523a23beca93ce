using System.Globalization;
using Microsoft.AspNetCore.Components;
using Microsoft.AspNetCore.Components.Authorization;
using PosMonitor.Core.Detection;
using PosMonitor.Core.Incidents;
using PosMonitor.Web.Infrastructure.Time;
using FleetModel = PosMonitor.Core.Fleet.Fleet;

namespace PosMonitor.Web.Features.Detection;

public partial class MaintenancePage
{
    private static readonly DayOfWeek[] Week =
        [DayOfWeek.Monday, DayOfWeek.Tuesday, DayOfWeek.Wednesday, DayOfWeek.Thursday, DayOfWeek.Friday, DayOfWeek.Saturday, DayOfWeek.Sunday];

    [CascadingParameter] private Task<AuthenticationState> AuthState { get; set; } = default!;
    [Inject] private MaintenanceAdministration Admin { get; set; } = default!;

    private FleetModel _fleet = new([], [], [], []);
    private IReadOnlyList<MaintenanceRow> _rows = [];
    private IReadOnlyList<string> _scopeIds = [];
    private IReadOnlyList<string> _problems = [];
    private MaintenanceForm _form = new();
    private bool _busy;
    /// <summary>The window whose delete button was pressed once; a second press on "Delete now" removes it.</summary>
    private string? _confirming;

    private static CultureInfo Culture => CultureInfo.CurrentUICulture;

    /// <summary>The zone the form's times are read in, for the hint under the scope.</summary>
    private string ZoneName => _form.ScopeId is { } id
        ? MaintenanceAdministration.ZoneOf(_fleet, new MaintenanceWindow { Id = "", ScopeType = _form.ScopeType, ScopeId = id }).Id
        : TimeZoneInfo.Utc.Id;

    protected override async Task OnInitializedAsync()
    {
        _fleet = await Admin.FleetAsync(CancellationToken.None);
        ScopeTypeChanged(_form.ScopeType);
        await ReloadAsync();
    }

    private async Task ReloadAsync() => _rows = await Admin.ListAsync(CancellationToken.None);

    private void ScopeTypeChanged(ScopeType type)
    {
        _form.ScopeType = type;
        _scopeIds = MaintenanceAdministration.ScopeIds(_fleet, type);
        _form.ScopeId = type == ScopeType.Platform ? "platform" : null;
    }

    private void Toggle(DayOfWeek day, bool on)
    {
        if (on) _form.Weekdays.Add(day);
        else _form.Weekdays.Remove(day);
    }

    private async Task AddAsync()
    {
        _busy = true;
        try
        {
            var user = (await AuthState).User;
            (_, _problems) = await Admin.AddAsync(user, _form, CancellationToken.None);
            if (_problems.Count == 0)
            {
                var type = _form.ScopeType;
                _form = new MaintenanceForm { ScopeType = type, ScopeId = _form.ScopeId };
                await ReloadAsync();
            }
        }
        finally
        {
            _busy = false;
        }
    }

    private async Task DeleteAsync(string id)
    {
        _confirming = null;
        await Admin.DeleteAsync((await AuthState).User, id, CancellationToken.None);
        await ReloadAsync();
    }

    /// <summary>When a window applies, in its scope's zone.</summary>
    private string When(MaintenanceRow row)
    {
        var w = row.Window;
        var zone = row.Zone.Id;
        if (w.Recurrence == MaintenanceRecurrence.None)
            return L["Mw_WhenOnce", Stamp(row, row.LocalStartsAt), Stamp(row, row.LocalEndsAt), zone];
        var start = w.LocalStart.ToString("HH:mm", CultureInfo.InvariantCulture);
        var minutes = (int)w.Duration.TotalMinutes;
        var text = w.Recurrence == MaintenanceRecurrence.Daily
            ? L["Mw_WhenDaily", start, minutes, zone].Value
            : L["Mw_WhenWeekly", string.Join(" ", Week.Where(w.Weekdays.Contains).Select(Culture.DateTimeFormat.GetAbbreviatedDayName)), start, minutes, zone].Value;
        if (row.LocalStartsAt is not null || row.LocalEndsAt is not null)
            text += " " + L["Mw_Between", Stamp(row, row.LocalStartsAt), Stamp(row, row.LocalEndsAt)];
        return text;
    }

    /// <summary>A moment in the window's own zone (which the line names), written in the reader's culture.</summary>
    private static string Stamp(MaintenanceRow row, DateTimeOffset? t) => t is { } at ? new DisplayTime(row.Zone).DateTime(at) : "…";
}
