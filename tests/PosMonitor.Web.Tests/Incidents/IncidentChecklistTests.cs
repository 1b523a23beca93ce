using Bunit;
using Microsoft.Extensions.DependencyInjection;
using PosMonitor.Web.Features.Incidents;
using PosMonitor.Web.Features.Runbooks;
using PosMonitor.Web.Tests.Infrastructure;

namespace PosMonitor.Web.Tests.Incidents;

public class IncidentChecklistTests : BunitTest
{
    private static readonly DateTimeOffset At = new(2026, 3, 14, 3, 52, 0, TimeSpan.Zero);

    public IncidentChecklistTests() => Services.AddSingleton<RunbookMarkdown>();

    private static Runbook Gateway() => new(DefaultRunbooks.All.Single(r => r.Id == "rb-gateway-degradation"), 1, At, "system", null);

    [Fact]
    public void Ticking_a_step_reports_its_index_and_marked_steps_say_who_and_when()
    {
        var ticked = new List<int>();
        var list = Render<IncidentChecklist>(p => p
            .Add(x => x.Runbook, Gateway())
            .Add(x => x.Marks, [new StepMark(0, true, null, "alice", At)])
            .Add(x => x.OnTick, i => ticked.Add(i)));

        var steps = list.FindAll(".checklist-step");
        Assert.Contains("step-done", steps[0].ClassName);
        Assert.Contains("Done by alice", steps[0].TextContent);
        Assert.Empty(steps[0].QuerySelectorAll(".tick"));
        Assert.Contains("1 of 5 steps", list.Find(".checklist-progress").TextContent);

        steps[1].QuerySelector("button.tick")!.Click();

        Assert.Equal([1], ticked);
    }

    [Fact]
    public void Skipping_needs_a_reason_before_it_is_reported()
    {
        var skipped = new List<(int, string)>();
        var list = Render<IncidentChecklist>(p => p
            .Add(x => x.Runbook, Gateway())
            .Add(x => x.OnSkip, s => skipped.Add(s)));

        list.FindAll("button.skip")[2].Click();
        Assert.True(list.Find("button.skip-confirm").HasAttribute("disabled"));
        list.Find(".skip-reason input").Input("no second gateway in the contract");
        list.Find("button.skip-confirm").Click();

        Assert.Equal([(2, "no second gateway in the contract")], skipped);
        Assert.Empty(list.FindAll("button.skip-confirm"));
    }

    [Fact]
    public void A_skipped_step_shows_its_reason_and_a_read_only_list_has_no_buttons()
    {
        var list = Render<IncidentChecklist>(p => p
            .Add(x => x.Runbook, Gateway())
            .Add(x => x.Marks, [new StepMark(2, false, "no second gateway", "bob", At)])
            .Add(x => x.ReadOnly, true));

        Assert.Contains("Skipped by bob", list.FindAll(".checklist-step")[2].TextContent);
        Assert.Contains("no second gateway", list.FindAll(".checklist-step")[2].TextContent);
        Assert.Empty(list.FindAll("button"));
    }

    [Fact]
    public void Instructions_render_as_sanitised_markdown()
    {
        var runbook = Gateway();
        var hostile = runbook with
        {
            Content = runbook.Content with { Steps = [new RunbookStep(new("Check", "检查"), new("**look** <img src=x onerror=alert(1)>", "**看**"), RunbookRoles.SupportAgent, 5)] },
        };

        var list = Render<IncidentChecklist>(p => p.Add(x => x.Runbook, hostile));

        Assert.Contains("<strong>look</strong>", list.Markup);
        Assert.DoesNotContain("onerror", list.Markup);
    }
}
