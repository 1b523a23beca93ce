using System.Collections.Concurrent;
using System.Net.Http.Json;
using Microsoft.Playwright;

namespace PosMonitor.Browser.Tests;

/// <summary>One portal process with the demo fleet and an hour of history, and one browser, shared by a test class.</summary>
public sealed class LiveFixture : IAsyncLifetime
{
    public PortalProcess Portal { get; } = new();
    public string DisplayKey { get; private set; } = "";
    /// <summary>Printer states terminals keep reporting instead of ok (a test making a device notice sets one).</summary>
    public ConcurrentDictionary<string, string> Printers { get; } = new(StringComparer.Ordinal);
    private Browser? _browser;
    private readonly CancellationTokenSource _stop = new();
    private Task? _reporting;

    /// <summary>The browser; skips (or on CI fails) the test when there is none.</summary>
    public async Task<Browser> BrowserAsync() => _browser ??= await Browser.LaunchAsync();

    /// <summary>A new page signed in as the admin, at <paramref name="path"/> (relative to the portal, or a whole address), once it is interactive.</summary>
    public async Task<(IPage Page, List<string> Errors)> SignedInPageAsync(string path = "/")
    {
        var (page, errors) = await (await BrowserAsync()).NewPageAsync();
        await Portal.SignInAsync(page);
        await page.GotoAsync(path.StartsWith("http", StringComparison.Ordinal) ? path : Portal.BaseUrl + path);
        await WaitInteractiveAsync(page);
        return (page, errors);
    }

    /// <summary>Blazor has taken over the page (the layout marks itself interactive).</summary>
    public static async Task WaitInteractiveAsync(IPage page) =>
        await page.WaitForSelectorAsync("[data-interactive=true]", new PageWaitForSelectorOptions { Timeout = 15_000 });

    public async ValueTask InitializeAsync()
    {
        // No browser: start nothing; each test skips (or fails on CI) when it asks for the browser.
        if (Browser.FindChromium() is null) return;
        await Portal.StartAsync();
        using var admin = Portal.Client();
        await DemoFleet.LoadAsync(admin, DateTimeOffset.UtcNow);
        var created = await admin.PostAsJsonAsync("/api/v1/keys", new { scope = "display", name = "wall" });
        created.EnsureSuccessStatusCode();
        DisplayKey = (await created.Content.ReadFromJsonAsync<KeyBody>())!.Key;
        _reporting = KeepReportingAsync(_stop.Token);
    }

    /// <summary>
    /// The fleet keeps sending heartbeats while the tests run, as a live one does. An hour of history and then silence
    /// is an outage, and detection rightly opened "terminals stopped reporting" incidents for whole regions, which
    /// crowded the pages and screenshots under test.
    /// </summary>
    private async Task KeepReportingAsync(CancellationToken ct)
    {
        using var client = Portal.Client();
        var random = new Random(11);
        while (!ct.IsCancellationRequested)
        {
            try
            {
                await DemoFleet.PostAsync(client, DemoFleet.HeartbeatsNow(random, Printers), []);
            }
            catch (Exception e) when (e is HttpRequestException or InvalidOperationException)
            {
                // A busy portal may refuse one round (429/503); the next comes in 20 s, well within a missed heartbeat.
            }
            try
            {
                await Task.Delay(TimeSpan.FromSeconds(20), ct);
            }
            catch (OperationCanceledException)
            {
                return;
            }
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        if (_reporting is not null) await _reporting;
        _stop.Dispose();
        if (_browser is not null) await _browser.DisposeAsync();
        await Portal.DisposeAsync();
    }

    private sealed record KeyBody(string Key);
}
