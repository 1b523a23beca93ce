using Bunit;
using Microsoft.Extensions.DependencyInjection;
using PosMonitor.Web.Features.Fleet;
using PosMonitor.Web.Infrastructure.Data;
using PosMonitor.Web.Tests.Infrastructure;

namespace PosMonitor.Web.Tests.Fleet;

public class MerchantsPageTests : BunitTest, IAsyncLifetime
{
    private TestDatabase? _database;

    public async ValueTask InitializeAsync()
    {
        _database = await TestDatabase.CreateAsync(DatabaseProvider.Sqlite);
        var fleet = new FleetRepository(_database.Db, TimeProvider.System);
        await fleet.UpsertAsync(TestFleet.Small(), CancellationToken.None);
        Services.AddSingleton(fleet);
    }

    [Fact]
    public void Lists_merchants_from_the_database_with_their_terminal_counts()
    {
        var page = Render<MerchantsPage>();

        page.WaitForAssertion(() =>
        {
            var rows = page.FindAll(".fleet-grid tbody tr");
            Assert.Equal(2, rows.Count);
            Assert.Contains("Lotus Noodle House", rows[0].TextContent);
            Assert.Contains("10:00-22:00", rows[0].TextContent);
            Assert.Contains("Always open", rows[1].TextContent);
        });
    }

    [Fact]
    public void Searching_reloads_the_grid_from_the_server()
    {
        var page = Render<MerchantsPage>();
        page.WaitForAssertion(() => Assert.Equal(2, page.FindAll(".fleet-grid tbody tr").Count));

        page.Find(".fleet-grid input").Input("Harbin");

        page.WaitForAssertion(() =>
        {
            var rows = page.FindAll(".fleet-grid tbody tr");
            Assert.Single(rows);
            Assert.Contains("m-0002", rows[0].TextContent);
        }, TimeSpan.FromSeconds(15));   // the search box debounces, then queries; a loaded machine needs more than the default
    }

    [Fact]
    public void Clicking_a_terminal_count_shows_that_merchants_terminals()
    {
        var page = Render<MerchantsPage>();
        page.WaitForAssertion(() => Assert.Equal(2, page.FindAll(".fleet-grid tbody tr").Count));

        page.FindAll(".fleet-grid tbody tr")[0].QuerySelector("a")!.Click();

        page.WaitForAssertion(() =>
        {
            var terminalRows = page.FindAll(".fleet-grid tbody tr").Where(r => r.TextContent.Contains("T-0000")).ToList();
            Assert.Equal(["T-000001", "T-000002"], terminalRows.Select(r => r.QuerySelector("td")!.TextContent.Trim()));
        }, TimeSpan.FromSeconds(15));   // the search box debounces, then queries; a loaded machine needs more than the default
    }

    public new async ValueTask DisposeAsync()
    {
        await base.DisposeAsync();
        if (_database is not null) await _database.DisposeAsync();
    }
}
