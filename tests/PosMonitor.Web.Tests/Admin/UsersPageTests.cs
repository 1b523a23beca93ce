using Bunit;
using Dapper;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Identity;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;
using MudBlazor;
using PosMonitor.Web.Features.Admin;
using PosMonitor.Web.Features.Audit;
using PosMonitor.Web.Features.Fleet;
using PosMonitor.Web.Features.Identity;
using PosMonitor.Web.Infrastructure.Data;
using PosMonitor.Web.Tests.Infrastructure;

namespace PosMonitor.Web.Tests.Admin;

/// <summary>The users page over the real store, UserManager and audit log on a temporary SQLite database.</summary>
public class UsersPageTests : BunitTest, IAsyncLifetime
{
    private TestDatabase? _database;

    public async ValueTask InitializeAsync()
    {
        _database = await TestDatabase.CreateAsync(DatabaseProvider.Sqlite);
        // 120 users, stored straight into the table (hashing 120 passwords would only slow the test): user000 … user119.
        await _database.Db.WriteAsync(async (c, tx) =>
        {
            for (var i = 0; i < 120; i++)
                await c.ExecuteAsync(
                    """
                    INSERT INTO users (id, email, normalized_email, display_name, password_hash, security_stamp, role, merchant_id,
                                       disabled, lockout_enabled, lockout_end, access_failed_count, two_factor_enabled, authenticator_key, created_at, updated_at)
                    VALUES (@Id, @Email, @Normalized, @Name, NULL, 'stamp', 'Operator', NULL, 0, 1, NULL, 0, 0, NULL, 0, 0);
                    """,
                    new { Id = $"u-{i:D3}", Email = $"user{i:D3}@shop.test", Normalized = $"USER{i:D3}@SHOP.TEST", Name = $"Person {i}" }, tx);
        });
        var fleet = new FleetRepository(_database.Db, TimeProvider.System);
        await fleet.UpsertAsync(TestFleet.Small(), CancellationToken.None);
        Services.AddLogging();
        Services.AddSingleton(_database.Db);
        Services.AddSingleton(fleet);
        Services.AddIdentityCore<PortalUser>().AddUserStore<PortalUserStore>();
        Services.AddScoped<PortalUserStore>();
        Services.AddScoped(_ => new AuditLog(_database.Db, TimeProvider.System, new ClientAddress(new HttpContextAccessor()), NullLogger<AuditLog>.Instance));
        Services.AddScoped<UserAdministration>();
        AddAuthorization().SetAuthorized("admin@posmonitor.test");
    }

    public new async ValueTask DisposeAsync()
    {
        await base.DisposeAsync();
        if (_database is not null) await _database.DisposeAsync();
    }

    private static IReadOnlyList<string> Emails(IRenderedComponent<UsersPage> page) =>
        [.. page.FindAll(".users-grid tbody tr.mud-table-row td:first-child").Select(td => td.TextContent.Trim())];

    [Fact]
    public void Of_120_users_the_page_holds_the_first_25_by_email_and_the_pager_counts_all_120()
    {
        using var english = CultureScope.Use(System.Globalization.CultureInfo.GetCultureInfo("en"));
        var page = Render<UsersPage>();

        page.WaitForAssertion(() => Assert.Equal(Enumerable.Range(0, 25).Select(i => $"user{i:D3}@shop.test"), Emails(page)));
        Assert.Contains("1-25 of 120", page.FindAll(".mud-table-pagination-caption").Last().TextContent);
        Assert.DoesNotContain("user025@shop.test", page.Markup);

        page.Find("button[aria-label='Next page']").Click();

        page.WaitForAssertion(() => Assert.Equal(Enumerable.Range(25, 25).Select(i => $"user{i:D3}@shop.test"), Emails(page)));
    }

    [Fact]
    public void Typing_a_search_asks_the_database_for_the_matching_users_only()
    {
        var page = Render<UsersPage>();
        page.WaitForAssertion(() => Assert.Equal(25, Emails(page).Count));

        page.Find(".users-grid .mud-table-toolbar input").Input("user11");

        page.WaitForAssertion(() => Assert.Equal(Enumerable.Range(110, 10).Select(i => $"user{i:D3}@shop.test"), Emails(page)));
    }

    [Fact]
    public async Task Selecting_a_user_and_saving_a_role_stores_it_audits_it_and_the_grid_shows_it()
    {
        using var english = CultureScope.Use(System.Globalization.CultureInfo.GetCultureInfo("en"));
        var page = Render<UsersPage>();
        page.WaitForAssertion(() => Assert.Equal(25, Emails(page).Count));

        page.FindAll(".users-grid tbody tr.mud-table-row")[7].Click();
        page.WaitForAssertion(() => Assert.Contains("user007@shop.test", page.Find(".users-edit").TextContent));
        await page.InvokeAsync(() => page.FindComponents<RolePicker>().Last().FindComponent<MudSelect<string>>().Instance.ValueChanged.InvokeAsync(Roles.SupportAgent));
        page.Find(".users-save-role").Click();

        page.WaitForAssertion(() =>
        {
            Assert.Contains("Saved.", page.Find(".users-edit").TextContent);
            Assert.Contains("Support agent", page.FindAll(".users-grid tbody tr.mud-table-row")[7].TextContent);
            Assert.Contains("mud-selected-item", page.FindAll(".users-grid tbody tr.mud-table-row")[7].ClassName);
        });
        using var scope = Services.CreateScope();
        var stored = await scope.ServiceProvider.GetRequiredService<PortalUserStore>().FindByIdAsync("u-007", CancellationToken.None);
        Assert.Equal(Roles.SupportAgent, stored!.Role);
        var logged = await scope.ServiceProvider.GetRequiredService<AuditLog>().SearchAsync(new AuditQuery(null, AuditActions.RoleChanged, null, null, 0, 10), CancellationToken.None);
        Assert.Equal("user007@shop.test", Assert.Single(logged.Items).Target);
    }

    [Fact]
    public async Task A_created_user_is_opened_with_word_that_it_was_created_whatever_page_it_sorts_onto()
    {
        using var english = CultureScope.Use(System.Globalization.CultureInfo.GetCultureInfo("en"));
        var page = Render<UsersPage>();
        page.WaitForAssertion(() => Assert.Equal(25, Emails(page).Count));

        // The new-user form's fields, in order: e-mail, name, initial password (an operator needs no merchant).
        var fields = page.FindComponents<MudTextField<string>>();
        await page.InvokeAsync(() => fields[0].Instance.ValueChanged.InvokeAsync("zoe@shop.test"));
        await page.InvokeAsync(() => fields[1].Instance.ValueChanged.InvokeAsync("Zoe"));
        await page.InvokeAsync(() => fields[2].Instance.ValueChanged.InvokeAsync("Long-enough-passphrase-1"));
        page.FindAll("button").Single(b => b.TextContent.Trim() == "Create").Click();

        page.WaitForAssertion(() =>
        {
            Assert.Contains("Created zoe@shop.test.", page.Markup);
            Assert.Contains("zoe@shop.test", page.Find(".users-edit").TextContent);
        });
        Assert.DoesNotContain("zoe@shop.test", string.Join(" ", Emails(page)));
    }
}
