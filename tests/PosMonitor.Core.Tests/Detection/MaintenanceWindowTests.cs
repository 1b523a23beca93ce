using PosMonitor.Core.Detection;
using PosMonitor.Core.Fleet;
using PosMonitor.Core.Incidents;

namespace PosMonitor.Core.Tests.Detection;

public class MaintenanceWindowTests
{
    private static readonly TimeZoneInfo Shanghai = TimeZones.FindOrUtc("Asia/Shanghai");

    [Theory]
    [InlineData("2026-11-24T17:30:00Z", true)]  // Wed 01:30 local, window began Tue 23:00
    [InlineData("2026-11-24T14:59:00Z", false)] // Tue 22:59 local
    [InlineData("2026-11-24T18:00:00Z", false)] // Wed 02:00 local, window over
    [InlineData("2026-11-25T17:30:00Z", false)] // Thu 01:30 local, Wednesday is not a window day
    public void A_weekly_window_passes_midnight_in_the_merchants_zone(string utc, bool active)
    {
        var window = new MaintenanceWindow
        {
            Id = "mw", ScopeType = ScopeType.Merchant, ScopeId = "m-1", Recurrence = MaintenanceRecurrence.Weekly,
            LocalStart = new TimeOnly(23, 0), Duration = TimeSpan.FromHours(3), Weekdays = [DayOfWeek.Tuesday],
        };
        Assert.Equal(active, window.IsActive(DateTimeOffset.Parse(utc), window.ZoneFor(Shanghai)));
    }

    [Fact]
    public void A_one_off_window_covers_start_to_end()
    {
        var start = new DateTimeOffset(2026, 11, 25, 8, 0, 0, TimeSpan.Zero);
        var window = new MaintenanceWindow { Id = "mw", ScopeType = ScopeType.Gateway, ScopeId = "gw", StartsAt = start, EndsAt = start.AddMinutes(20) };
        Assert.True(window.IsActive(start, TimeZoneInfo.Utc));
        Assert.False(window.IsActive(start.AddMinutes(20), TimeZoneInfo.Utc));
        Assert.False(window.IsActive(start.AddSeconds(-1), TimeZoneInfo.Utc));
    }

    [Fact]
    public void Wide_scopes_read_recurring_times_in_utc_unless_a_zone_is_named()
    {
        var window = new MaintenanceWindow { Id = "mw", ScopeType = ScopeType.Region, ScopeId = "east", Recurrence = MaintenanceRecurrence.Daily };
        Assert.Equal(TimeZoneInfo.Utc, window.ZoneFor(Shanghai));
        Assert.Equal(Shanghai.Id, (window with { TimeZone = "Asia/Shanghai" }).ZoneFor(TimeZoneInfo.Utc).Id);
    }
}
