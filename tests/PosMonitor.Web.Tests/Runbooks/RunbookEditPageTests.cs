using Bunit;
using Microsoft.AspNetCore.Components;
using Microsoft.Extensions.DependencyInjection;
using PosMonitor.Web.Features.Runbooks;
using PosMonitor.Web.Infrastructure.Data;
using PosMonitor.Web.Tests.Infrastructure;

namespace PosMonitor.Web.Tests.Runbooks;

public class RunbookEditPageTests : BunitTest, IAsyncLifetime
{
    private TestDatabase? _database;
    private RunbookRepository _runbooks = default!;

    public async ValueTask InitializeAsync()
    {
        _database = await TestDatabase.CreateAsync(DatabaseProvider.Sqlite);
        _runbooks = new RunbookRepository(_database.Db, TimeProvider.System);
        await _runbooks.SeedAsync(DefaultRunbooks.All);
        Services.AddSingleton(_runbooks);
        Services.AddSingleton<RunbookMarkdown>();
    }

    public new async ValueTask DisposeAsync()
    {
        await base.DisposeAsync();
        if (_database is not null) await _database.DisposeAsync();
    }

    private IRenderedComponent<RunbookEditPage> RenderEditor(string id = "rb-network-outage")
    {
        var page = Render<RunbookEditPage>(p => p.Add(x => x.Id, id));
        page.WaitForAssertion(() => Assert.NotEmpty(page.FindAll(".edit-step")));
        return page;
    }

    [Fact]
    public void Preview_renders_the_markdown_as_it_is_typed_and_drops_scripts()
    {
        var page = RenderEditor();

        page.FindAll(".step-instructions textarea")[0].Input("**Check the router** <script>alert(1)</script> <img src=x onerror=alert(1)>");

        page.WaitForAssertion(() =>
        {
            var preview = page.Find(".runbook-preview").InnerHtml;
            Assert.Contains("<strong>Check the router</strong>", preview);
            Assert.DoesNotContain("<script", preview);
            Assert.DoesNotContain("onerror", preview);
        }, TimeSpan.FromSeconds(3));
    }

    [Fact]
    public void Steps_can_be_added_moved_and_removed()
    {
        var page = RenderEditor();
        var before = page.FindAll(".edit-step").Count;
        var firstTitle = page.FindAll(".step-title input")[0].GetAttribute("value");

        // Each click's render may land after Click returns (a CI run saw the old count once): wait for it.
        page.Find(".add-step").Click();
        page.WaitForAssertion(() => Assert.Equal(before + 1, page.FindAll(".edit-step").Count), TimeSpan.FromSeconds(3));

        page.FindAll(".step-down")[0].Click();
        page.WaitForAssertion(() => Assert.Equal(firstTitle, page.FindAll(".step-title input")[1].GetAttribute("value")), TimeSpan.FromSeconds(3));

        page.FindAll(".step-remove")[^1].Click();
        page.WaitForAssertion(() => Assert.Equal(before, page.FindAll(".edit-step").Count), TimeSpan.FromSeconds(3));
    }

    [Fact]
    public async Task Saving_writes_a_new_version_and_goes_to_the_runbook()
    {
        var page = RenderEditor();
        var steps = page.FindAll(".edit-step").Count;
        page.Find(".add-step").Click();
        // Each change rendered before the next, as in the test below: under a full run's load this test once waited in
        // vain for the save's navigation (a save with an untitled step is refused and stays on the page).
        page.WaitForAssertion(() => Assert.Equal(steps + 1, page.FindAll(".edit-step").Count));
        page.FindAll(".step-title input")[^1].Input("Tell the landlord");
        page.WaitForAssertion(() => Assert.Equal("Tell the landlord", page.FindAll(".step-title input")[^1].GetAttribute("value")));

        page.Find("button.save").Click();

        page.WaitForAssertion(() => Assert.EndsWith("/runbooks/rb-network-outage", Services.GetRequiredService<NavigationManager>().Uri));
        var current = (await _runbooks.CurrentVersionAsync("rb-network-outage"))!;
        Assert.Equal(2, current.Version);
        Assert.Equal("Tell the landlord", current.Steps[^1].Title.En);
        Assert.Equal(DefaultRunbooks.All[0].Steps.Count, (await _runbooks.GetVersionAsync("rb-network-outage", 1))!.Steps.Count);
    }

    [Fact]
    public void A_draft_with_problems_is_not_saved_and_says_why()
    {
        var page = RenderEditor();
        // One step at a time, each removal rendered before the next click (on a busy machine a click may land on a stale list).
        for (var left = page.FindAll(".edit-step").Count - 1; left >= 0; left--)
        {
            page.FindAll(".step-remove")[0].Click();
            page.WaitForAssertion(() => Assert.Equal(left, page.FindAll(".edit-step").Count));
        }

        page.Find("button.save").Click();

        page.WaitForAssertion(() => Assert.Contains("Add at least one step.", page.Find(".edit-problem").TextContent));
    }

    [Fact]
    public void A_step_written_in_one_language_only_is_flagged_in_the_editor_and_marked_for_readers_of_the_other()
    {
        var page = RenderEditor();
        Assert.Empty(page.FindAll(".step-one-language")); // the default steps are written in both languages
        page.Find(".add-step").Click();
        page.WaitForAssertion(() => Assert.Single(page.FindAll(".edit-step"), e => e.QuerySelector(".step-title input")?.GetAttribute("value") is null or ""));

        page.FindAll(".step-title input")[^1].Input("Tell the landlord");

        page.WaitForAssertion(() => Assert.Contains("Chinese readers see this step in English", Assert.Single(page.FindAll(".step-one-language")).TextContent));
    }

    [Fact]
    public void A_reader_of_the_missing_language_is_told_the_step_is_shown_in_the_other()
    {
        using var culture = CultureScope.UseUi("zh-CN");
        RunbookStep[] steps =
        [
            new(new("Check the router", "检查路由器"), new("Restart it once.", "重启一次。"), RunbookRoles.SupportAgent, 5),
            new(new("Tell the landlord", ""), new("Call the building manager.", ""), RunbookRoles.SupportAgent, 5),
        ];

        var view = Render<RunbookStepsView>(p => p.Add(x => x.Steps, steps).Add(x => x.Culture, System.Globalization.CultureInfo.GetCultureInfo("zh-CN")));

        var items = view.FindAll("li.runbook-step");
        Assert.Null(items[0].QuerySelector(".step-fallback"));
        Assert.Contains("此步骤尚无中文版本", items[1].QuerySelector(".step-fallback")?.TextContent);
        Assert.Contains("Call the building manager.", items[1].TextContent);
    }
}
