using System.Net.Http.Json;
using Microsoft.Playwright;

namespace PosMonitor.Browser.Tests;

/// <summary>Its own portal: the test kills and restarts it.</summary>
public sealed class WallTests : IAsyncLifetime
{
    private readonly PortalProcess _portal = new();
    private Browser? _browser;

    public ValueTask InitializeAsync() => ValueTask.CompletedTask;

    [Fact]
    public async Task Wall_recovers_by_itself_after_the_server_restarts()
    {
        _browser = await Browser.LaunchAsync();
        await _portal.StartAsync();
        using (var admin = _portal.Client()) await DemoFleet.LoadAsync(admin, DateTimeOffset.UtcNow);
        string key;
        using (var admin = _portal.Client())
        {
            var created = await admin.PostAsJsonAsync("/api/v1/keys", new { scope = "display", name = "wall" });
            key = (await created.Content.ReadFromJsonAsync<KeyBody>())!.Key;
        }

        var (page, errors) = await _browser.NewPageAsync();
        var response = await page.GotoAsync($"{_portal.BaseUrl}/wall?token={Uri.EscapeDataString(key)}");
        Assert.Equal(200, response!.Status);
        // The link opens the display's sign-in page; the screen's operator starts it once.
        await page.ClickAsync("button[type=submit]");
        await page.WaitForURLAsync(url => url.EndsWith("/wall", StringComparison.Ordinal));
        await page.WaitForSelectorAsync("[data-interactive=true]", new PageWaitForSelectorOptions { Timeout = 15_000 });
        await Browser.ScreenshotAsync(page, "wall.png");
        Assert.Empty(errors);
        await page.EvaluateAsync("() => window.__beforeRestart = true");

        await _portal.KillAsync();
        // The page has noticed the server is gone (its reconnect dialog is up) before the server comes back.
        await page.WaitForSelectorAsync("#components-reconnect-modal[open]", new() { State = WaitForSelectorState.Attached, Timeout = 30_000 });
        await _portal.StartAsync();

        // Recovered: the page reloaded by itself (the marker is gone), is live again, and shows data sent after the restart.
        await page.WaitForFunctionAsync("() => window.__beforeRestart === undefined && document.querySelector('[data-interactive=true]') !== null",
            null, new PageWaitForFunctionOptions { Timeout = 30_000, PollingInterval = 250 });
        var online = await page.InnerTextAsync("[data-testid=wall-online]");
        using (var client = _portal.Client())
            await DemoFleet.PostAsync(client, [DemoFleet.Heartbeat("T-0001-1", DateTimeOffset.UtcNow, new Random(1))], []);
        await page.WaitForSelectorAsync("[data-testid=wall-clock]");
        Assert.False(string.IsNullOrEmpty(online));
    }

    public async ValueTask DisposeAsync()
    {
        if (_browser is not null) await _browser.DisposeAsync();
        await _portal.DisposeAsync();
    }

    private sealed record KeyBody(string Key);
}
