using PosMonitor.Core.Detection;
using PosMonitor.Core.Incidents;
using PosMonitor.Web.Features.Detection;
using PosMonitor.Web.Infrastructure.Data;
using PosMonitor.Web.Tests.Infrastructure;

namespace PosMonitor.Web.Tests.Detection;

/// <summary>Runs on SQLite always and on SQL Server when POSMONITOR_TEST_SQLSERVER is set.</summary>
public class MaintenanceWindowRepositoryTests
{
    private static readonly DateTimeOffset T0 = new(2026, 11, 25, 8, 0, 0, TimeSpan.Zero);
    private static readonly CancellationToken None = CancellationToken.None;

    [Theory]
    [MemberData(nameof(TestDatabase.Providers), MemberType = typeof(TestDatabase))]
    public async Task Windows_round_trip_and_ended_ones_are_left_out_of_detection(DatabaseProvider provider)
    {
        await using var database = await TestDatabase.CreateAsync(provider);
        var repo = new MaintenanceWindowRepository(database.Db, TimeProvider.System);
        var weekly = new MaintenanceWindow
        {
            Id = "", ScopeType = ScopeType.Merchant, ScopeId = "m-0001", Recurrence = MaintenanceRecurrence.Weekly,
            LocalStart = new TimeOnly(2, 30), Duration = TimeSpan.FromMinutes(90), Weekdays = [DayOfWeek.Thursday, DayOfWeek.Monday],
            TimeZone = "Asia/Shanghai",
        };
        var ended = new MaintenanceWindow
        {
            Id = "mw-old", ScopeType = ScopeType.Gateway, ScopeId = "gw-unionpay", StartsAt = T0.AddHours(-3), EndsAt = T0.AddHours(-1),
        };

        var added = await repo.AddAsync(weekly, "POS software upgrade", "admin", None);
        await repo.AddAsync(ended, "gateway maintenance", "key-1", None);

        Assert.StartsWith("mw-", added.Window.Id);
        var stored = await repo.GetAsync(added.Window.Id, None);
        Assert.NotNull(stored);
        var w = stored.Window;
        Assert.Equal((ScopeType.Merchant, "m-0001", MaintenanceRecurrence.Weekly, new TimeOnly(2, 30), TimeSpan.FromMinutes(90), "Asia/Shanghai"),
            (w.ScopeType, w.ScopeId, w.Recurrence, w.LocalStart, w.Duration, w.TimeZone));
        Assert.Equal([DayOfWeek.Monday, DayOfWeek.Thursday], stored.Window.Weekdays);
        Assert.Equal(("POS software upgrade", "admin"), (stored.Reason, stored.CreatedBy));
        Assert.Equal(2, (await repo.ListAsync(None)).Count);
        Assert.Equal([added.Window.Id], (await repo.ForDetectionAsync(T0, None)).Select(w => w.Id));

        Assert.True(await repo.DeleteAsync("mw-old", None));
        Assert.False(await repo.DeleteAsync("mw-old", None));
        Assert.Single(await repo.ListAsync(None));
    }

    [Theory]
    [MemberData(nameof(TestDatabase.Providers), MemberType = typeof(TestDatabase))]
    public async Task An_invalid_window_is_refused_with_every_problem(DatabaseProvider provider)
    {
        await using var database = await TestDatabase.CreateAsync(provider);
        var repo = new MaintenanceWindowRepository(database.Db, TimeProvider.System);
        var bad = new MaintenanceWindow
        {
            Id = "", ScopeType = ScopeType.Region, ScopeId = "east", Recurrence = MaintenanceRecurrence.Weekly,
            Duration = TimeSpan.Zero, TimeZone = "Mars/Olympus",
        };

        var e = await Assert.ThrowsAsync<ArgumentException>(() => repo.AddAsync(bad, "", "admin", None));

        Assert.Contains("unknown time zone", e.Message);
        Assert.Contains("duration", e.Message);
        Assert.Contains("weekday", e.Message);
        Assert.Contains("reason", e.Message);
        Assert.Empty(await repo.ListAsync(None));
    }

    [Fact]
    public void A_one_off_window_needs_an_end_after_its_start() =>
        Assert.Contains("the end must be after the start", MaintenanceWindowRepository.Validate(new MaintenanceWindow
        {
            Id = "mw-1", ScopeType = ScopeType.Platform, ScopeId = "platform", StartsAt = T0, EndsAt = T0,
        }));
}
