using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.Playwright;

namespace PosMonitor.Browser.Tests;

/// <summary>A support agent works an incident that detection opened, in a real browser against the real portal.</summary>
public sealed class IncidentWorkflowTests(LiveFixture live) : IClassFixture<LiveFixture>
{
    /// <summary>Detection runs on its own schedule; the demo fleet's troubled merchant gives it something to open.</summary>
    private async Task<string> DetectedIncidentAsync()
    {
        var (dashboard, _) = await live.SignedInPageAsync();
        await live.WaitForIncidentAsync(dashboard);
        await dashboard.Context.CloseAsync();
        using var admin = live.Portal.Client();
        var open = await admin.GetFromJsonAsync<JsonElement>("/api/v1/incidents?status=open");
        return open[0].GetProperty("id").GetString()!;
    }

    [Fact]
    public async Task Resolving_while_the_fault_runs_warns_needs_a_reason_and_the_incident_reopens_by_itself_telling_merchants()
    {
        var browser = await live.BrowserAsync();
        var id = await DetectedIncidentAsync();
        await using var fault = live.KeepFailing();
        var (page, errors) = await browser.NewPageAsync();
        page.SetDefaultTimeout(30_000);
        await live.Portal.SignInAsync(page);
        await page.GotoAsync($"{live.Portal.BaseUrl}/incidents/{id}");
        await page.WaitForSelectorAsync(".incident-title");
        await page.WaitForSelectorAsync("[data-interactive=true]", new PageWaitForSelectorOptions { Timeout = 45_000 });
        await page.WaitForSelectorAsync(".status-open, .status-acknowledged");

        await page.ClickAsync("button.action-resolve");

        await page.WaitForSelectorAsync(".still-failing");
        var warning = await page.InnerTextAsync(".still-failing-figure");
        Assert.Contains("Detection still sees the fault", warning);
        Assert.Matches(@"\d+(\.\d)?% of sales time out at the gateway stage", warning);
        Assert.True(await page.IsDisabledAsync("button.resolve-anyway"));
        Assert.Equal(1, await page.Locator(".status-open, .status-acknowledged").CountAsync());
        await page.FillAsync(".override-reason input", "the gateway provider says it is fixed");
        await page.ClickAsync("button.resolve-anyway");
        await page.WaitForSelectorAsync(".status-resolved");
        Assert.Contains("Resolved over detection's warning", await page.InnerTextAsync(".incident-timeline"));

        // The fault is still there: detection reopens the incident by itself, says so, and tells the merchants.
        await page.WaitForSelectorAsync(".status-open", new PageWaitForSelectorOptions { Timeout = 120_000 });
        await page.WaitForSelectorAsync(".notice-kind-reopened");
        Assert.Contains("Detection reopened the incident", await page.InnerTextAsync(".incident-timeline"));
        Assert.Equal(0, await page.Locator(".notice-kind-resolved").CountAsync()); // never told "resolved" mid-outage
        var told = await page.InnerTextAsync(".merchant-notice >> nth=-1");
        Assert.Contains("WeChat Pay", told);
        Assert.Contains("T-0004-", told);
        await Browser.ScreenshotAsync(page, "incident-reopened.png");
        Assert.Empty(errors);
    }

    [Fact]
    public async Task An_agent_acknowledges_ticks_steps_and_resolves_an_incident_detection_opened()
    {
        var browser = await live.BrowserAsync();
        var id = await DetectedIncidentAsync();
        var (page, errors) = await browser.NewPageAsync();
        // Generous: on a 2-core machine the whole suite may be running beside this portal.
        page.SetDefaultTimeout(30_000);
        await live.Portal.SignInAsync(page);

        await page.GotoAsync(live.Portal.BaseUrl + "/incidents");
        // Click only once the queue is live: a click while the circuit starts can be lost between the two renderers.
        await page.WaitForSelectorAsync("[data-interactive=true]", new PageWaitForSelectorOptions { Timeout = 45_000 });
        await page.WaitForSelectorAsync($".incident-queue a[href='/incidents/{id}']", new PageWaitForSelectorOptions { Timeout = 45_000 });
        await page.ClickAsync($".incident-queue a[href='/incidents/{id}']");
        await page.WaitForURLAsync($"**/incidents/{id}");
        await page.WaitForSelectorAsync(".incident-title");
        try
        {
            await page.WaitForSelectorAsync("[data-interactive=true]", new PageWaitForSelectorOptions { Timeout = 45_000 });
        }
        catch (TimeoutException)
        {
            await Browser.ScreenshotAsync(page, "incident-debug.png");
            Assert.Fail(string.Join("\n", errors) + "\n---\n" + live.Portal.Log[^Math.Min(6000, live.Portal.Log.Length)..]);
        }
        await page.WaitForSelectorAsync(".status-open");

        await page.ClickAsync("button.action-acknowledge");
        await page.WaitForSelectorAsync(".status-acknowledged");
        await page.Locator(".checklist-step button.tick").First.ClickAsync();
        await page.WaitForSelectorAsync(".checklist-step.step-done");
        await page.Locator(".checklist-step:not(.step-done) button.tick").First.ClickAsync();
        await page.WaitForFunctionAsync("() => document.querySelectorAll('.checklist-step.step-done').length === 2");
        await page.ClickAsync("button.action-resolve");
        // The wave that opened it may still be in detection's window: then resolving needs a reason.
        await page.WaitForSelectorAsync(".status-resolved, .still-failing");
        if (await page.Locator(".still-failing").CountAsync() > 0)
        {
            await page.FillAsync(".override-reason input", "the merchant confirms sales go through again");
            await page.ClickAsync("button.resolve-anyway");
        }
        await page.WaitForSelectorAsync(".status-resolved");

        var timeline = await page.InnerTextAsync(".incident-timeline");
        Assert.Contains("Status → Acknowledged", timeline);
        Assert.Contains("Step 1 done", timeline);
        Assert.Contains("Status → Resolved", timeline);
        Assert.Equal(0, await page.Locator("button.tick").CountAsync()); // a resolved incident's checklist is read-only
        await page.WaitForSelectorAsync(".review-summary");
        await Browser.ScreenshotAsync(page, "incident-resolved.png");
        Assert.Empty(errors);
    }
}
