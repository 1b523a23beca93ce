using Bunit;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;
using MudBlazor;
using PosMonitor.Core.Detection;
using PosMonitor.Core.Incidents;
using PosMonitor.Web.Features.Audit;
using PosMonitor.Web.Features.Detection;
using PosMonitor.Web.Features.Fleet;
using PosMonitor.Web.Infrastructure.Data;
using PosMonitor.Web.Tests.Infrastructure;

namespace PosMonitor.Web.Tests.Detection;

/// <summary>The page over the real repository, fleet and audit log on a temporary SQLite database.</summary>
public class MaintenancePageTests : BunitTest
{
    private static readonly CancellationToken None = CancellationToken.None;

    private async Task<(TestDatabase Database, MaintenanceWindowRepository Repository, AuditLog Audit)> SetUpAsync()
    {
        var database = await TestDatabase.CreateAsync(DatabaseProvider.Sqlite);
        var fleet = new FleetRepository(database.Db, TimeProvider.System);
        await fleet.UpsertAsync(TestFleet.Small(), None);
        var repository = new MaintenanceWindowRepository(database.Db, TimeProvider.System);
        var audit = new AuditLog(database.Db, TimeProvider.System, new ClientAddress(new HttpContextAccessor()), NullLogger<AuditLog>.Instance);
        Services.AddSingleton(repository);
        Services.AddSingleton(new MaintenanceAdministration(repository, fleet, audit));
        AddAuthorization().SetAuthorized("admin@posmonitor.test");
        return (database, repository, audit);
    }

    private static Task Pick<T>(IRenderedComponent<MaintenancePage> page, string cssClass, T value) =>
        page.InvokeAsync(() => page.FindComponents<MudSelect<T>>().Single(s => s.Instance.Class?.Contains(cssClass) == true)
            .Instance.ValueChanged.InvokeAsync(value));

    [Fact]
    public async Task A_weekly_merchant_window_added_on_the_page_is_stored_audited_and_read_by_detection_in_the_merchants_zone()
    {
        var (database, repository, audit) = await SetUpAsync();
        await using var _ = database;
        var page = Render<MaintenancePage>();

        await Pick(page, "mw-scope-id", "m-0001");
        await Pick(page, "mw-kind", MaintenanceRecurrence.Weekly);
        page.Find(".mw-local-start input").Change("02:30");
        await page.InvokeAsync(() => page.FindComponent<MudNumericField<int?>>().Instance.ValueChanged.InvokeAsync(90));
        await page.InvokeAsync(() => page.FindComponents<MudCheckBox<bool>>().Single(c => c.Instance.Class == "mw-day-4").Instance.ValueChanged.InvokeAsync(true));
        page.Find(".mw-reason input").Change("POS software upgrade");
        await page.InvokeAsync(() => page.Find(".mw-add").Click());

        Assert.Empty(page.FindAll(".mw-problem"));
        var when = page.WaitForElement(".mw-list tbody tr .mw-when").TextContent;
        Assert.Contains("02:30", when);
        Assert.Contains("Asia/Shanghai", when);

        var windows = await repository.ForDetectionAsync(DateTimeOffset.UtcNow, None);
        var window = Assert.Single(windows);
        Assert.Equal((ScopeType.Merchant, "m-0001", MaintenanceRecurrence.Weekly, new TimeOnly(2, 30), TimeSpan.FromMinutes(90)),
            (window.ScopeType, window.ScopeId, window.Recurrence, window.LocalStart, window.Duration));
        Assert.Equal([DayOfWeek.Thursday], window.Weekdays);
        // Thursday 02:45 in Shanghai is Wednesday 18:45 UTC: active there, not at 02:45 UTC.
        var shanghai = TimeZoneInfo.FindSystemTimeZoneById("Asia/Shanghai");
        Assert.True(window.IsActive(new DateTimeOffset(2026, 11, 25, 18, 45, 0, TimeSpan.Zero), window.ZoneFor(shanghai)));
        Assert.False(window.IsActive(new DateTimeOffset(2026, 11, 26, 2, 45, 0, TimeSpan.Zero), window.ZoneFor(shanghai)));

        var logged = await audit.SearchAsync(new AuditQuery(null, AuditActions.MaintenanceAdded, null, null, 0, 10), None);
        var entry = Assert.Single(logged.Items);
        Assert.Equal(("admin@posmonitor.test", window.Id, AuditResults.Success), (entry.Actor, entry.Target, entry.Result));
    }

    [Fact]
    public async Task A_one_off_window_is_entered_and_shown_in_the_merchants_local_time()
    {
        using var english = CultureScope.Use(System.Globalization.CultureInfo.GetCultureInfo("en"));
        var (database, repository, _) = await SetUpAsync();
        await using var _db = database;
        var page = Render<MaintenancePage>();

        await Pick(page, "mw-scope-id", "m-0001");
        page.Find(".mw-start input").Change("2026-12-01T02:00");
        page.Find(".mw-end input").Change("2026-12-01T04:00");
        page.Find(".mw-reason input").Change("store refit");
        await page.InvokeAsync(() => page.Find(".mw-add").Click());

        var stored = Assert.Single(await repository.ListAsync(None)).Window;
        Assert.Equal(new DateTimeOffset(2026, 11, 30, 18, 0, 0, TimeSpan.Zero), stored.StartsAt);
        Assert.Equal(new DateTimeOffset(2026, 11, 30, 20, 0, 0, TimeSpan.Zero), stored.EndsAt);
        Assert.Contains("December 1, 2026 02:00", page.WaitForElement(".mw-list tbody tr .mw-when").TextContent);
        Assert.Single(await repository.ForDetectionAsync(new DateTimeOffset(2026, 11, 30, 19, 0, 0, TimeSpan.Zero), None));
        Assert.Empty(await repository.ForDetectionAsync(new DateTimeOffset(2026, 11, 30, 20, 0, 0, TimeSpan.Zero), None));
    }

    [Fact]
    public async Task Validation_problems_from_the_repository_are_shown_and_nothing_is_stored()
    {
        var (database, repository, _) = await SetUpAsync();
        await using var _db = database;
        var page = Render<MaintenancePage>();

        await Pick(page, "mw-scope-type", ScopeType.Gateway);
        await Pick(page, "mw-scope-id", "gw-unionpay");
        await Pick(page, "mw-kind", MaintenanceRecurrence.Weekly);
        page.Find(".mw-local-start input").Change("23:00");
        await page.InvokeAsync(() => page.FindComponent<MudNumericField<int?>>().Instance.ValueChanged.InvokeAsync(60));
        page.Find(".mw-reason input").Change("gateway certificate rotation");
        await page.InvokeAsync(() => page.Find(".mw-add").Click());

        Assert.Contains(page.FindAll(".mw-problem"), p => p.TextContent.Contains("A weekly window needs at least one weekday."));
        Assert.Empty(await repository.ListAsync(None));
    }

    [Fact]
    public async Task A_missing_scope_and_reason_are_refused_with_messages()
    {
        var (database, repository, _) = await SetUpAsync();
        await using var _db = database;
        var page = Render<MaintenancePage>();

        await page.InvokeAsync(() => page.Find(".mw-add").Click());

        var problems = page.FindAll(".mw-problem").Select(p => p.TextContent).ToList();
        Assert.Contains("Choose a scope from the fleet.", problems);
        Assert.Contains("Enter when the window starts and ends.", problems);
        Assert.Contains("Enter a reason.", problems);
        Assert.Empty(await repository.ListAsync(None));
    }

    [Fact]
    public void Every_maintenance_string_and_repository_problem_the_page_can_show_has_a_chinese_text()
    {
        var resources = new System.Resources.ResourceManager(typeof(DetectionStrings).FullName!, typeof(DetectionStrings).Assembly);
        var english = resources.GetResourceSet(System.Globalization.CultureInfo.InvariantCulture, true, false)!
            .Cast<System.Collections.DictionaryEntry>().Select(e => (string)e.Key)
            .Where(k => k.StartsWith("Mw_", StringComparison.Ordinal) || !k.Contains('_')).ToList();
        Assert.Contains("a weekly window needs at least one weekday", english);
        var zh = System.Globalization.CultureInfo.GetCultureInfo("zh-CN");
        foreach (var key in english)
        {
            var text = resources.GetString(key, zh);
            Assert.False(string.IsNullOrEmpty(text) || text == resources.GetString(key, System.Globalization.CultureInfo.InvariantCulture), $"no Chinese text for {key}");
        }
    }

    [Fact]
    public async Task Deleting_a_window_removes_it_from_detection_and_is_audited()
    {
        var (database, repository, audit) = await SetUpAsync();
        await using var _db = database;
        var added = await repository.AddAsync(new MaintenanceWindow
        {
            Id = "", ScopeType = ScopeType.Platform, ScopeId = "platform", Recurrence = MaintenanceRecurrence.Daily,
            LocalStart = new TimeOnly(3, 0), Duration = TimeSpan.FromMinutes(30),
        }, "nightly database maintenance", "admin@posmonitor.test", None);
        var page = Render<MaintenancePage>();

        await page.InvokeAsync(() => page.Find(".mw-list .mw-delete").Click());
        Assert.Single(await repository.ListAsync(None));   // the first press only asks for confirmation
        await page.InvokeAsync(() => page.Find(".mw-list .mw-confirm-delete").Click());

        Assert.Empty(await repository.ForDetectionAsync(DateTimeOffset.UtcNow, None));
        page.WaitForAssertion(() => Assert.Empty(page.FindAll(".mw-list tbody .mw-when")));
        var logged = await audit.SearchAsync(new AuditQuery(null, AuditActions.MaintenanceDeleted, null, null, 0, 10), None);
        Assert.Equal(added.Window.Id, Assert.Single(logged.Items).Target);
    }
}
