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
        using var admin = live.Portal.Client();
        var deadline = DateTime.UtcNow.AddSeconds(120);
        while (DateTime.UtcNow < deadline)
        {
            // Keep the fault going while we wait, so detection sees a current wave.
            var now = DateTimeOffset.UtcNow;
            await DemoFleet.PostAsync(admin, [], [.. Enumerable.Range(0, 12).Select(i =>
                DemoFleet.Transaction($"T-0004-{1 + i % 3}", now.AddMilliseconds(-i * 100), timeout: i % 4 != 0))]);
            var open = await admin.GetFromJsonAsync<JsonElement>("/api/v1/incidents?status=open");
            if (open.GetArrayLength() > 0) return open[0].GetProperty("id").GetString()!;
            await Task.Delay(2000);
        }
        throw new TimeoutException("Detection opened no incident within two minutes.\n" + live.Portal.Log);
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
