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
    private readonly Dictionary<string, Task> _users = new(StringComparer.Ordinal);

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

    /// <summary>
    /// A portal user created through the admin's users page (there is no user API), once per fixture however many
    /// tests ask. <paramref name="role"/> is the role's English label on that page, e.g. "Merchant owner".
    /// </summary>
    public Task EnsureUserAsync(string email, string password, string role, string? merchantId = null, string? name = null)
    {
        lock (_users)
        {
            if (!_users.TryGetValue(email, out var created)) _users[email] = created = CreateUserAsync(email, password, role, merchantId, name ?? email);
            return created;
        }
    }

    private async Task CreateUserAsync(string email, string password, string role, string? merchantId, string name)
    {
        var (page, _) = await (await BrowserAsync()).NewPageAsync();
        page.SetDefaultTimeout(30_000);
        await Portal.SignInAsync(page);
        await page.GotoAsync(Portal.BaseUrl + "/admin/users");
        // Interactive first: typing into the prerendered form is lost when the circuit takes the page over.
        await WaitInteractiveAsync(page);
        await page.Locator(".mud-input-control:has(label:text-is('E-mail')) input, .mud-input-control:has(label:has-text('mail')) input").First.FillAsync(email);
        await page.Locator(".mud-input-control:has(label:text-is('Name')) input").First.FillAsync(name);
        await page.Locator(".mud-select:has(label:has-text('Role'))").First.ClickAsync();
        await page.Locator($".mud-popover-open .mud-list-item:has-text('{role}')").ClickAsync();
        if (merchantId is not null) await page.Locator(".mud-input-control:has(label:text-is('Merchant ID')) input").First.FillAsync(merchantId);
        await page.Locator(".mud-input-control:has(label:text-is('Initial password')) input").First.FillAsync(password);
        await page.ClickAsync("button:has-text('Create')");
        // The page opens the user it created (the list may hold thousands, sorted anywhere).
        await Assertions.Expect(page.Locator(".users-edit")).ToContainTextAsync(email, new() { Timeout = 30_000 });
        await page.Context.CloseAsync();
    }

    /// <summary>
    /// The troubled merchant keeps timing out at the gateway until disposed, as a fault that is not over does: twelve
    /// sales every 2 s (pacing what a failing shop sends, not waiting for anything). Detection opens its incident on its
    /// own schedule (a check every 15 s, a merchant's finding held 30 s); tests wait for that on the page.
    /// </summary>
    public IAsyncDisposable KeepFailing()
    {
        var stop = new CancellationTokenSource();
        var loop = Task.Run(async () =>
        {
            using var client = Portal.Client();
            while (!stop.IsCancellationRequested)
            {
                var now = DateTimeOffset.UtcNow;
                try
                {
                    await DemoFleet.PostAsync(client, [], [.. Enumerable.Range(0, 12).Select(i =>
                        DemoFleet.Transaction($"T-0004-{1 + i % 3}", now.AddMilliseconds(-i * 100), timeout: i % 4 != 0))]);
                }
                catch (Exception e) when (e is HttpRequestException or InvalidOperationException)
                {
                    // A busy portal may refuse one round (429/503); the fault goes on with the next.
                }
                try { await Task.Delay(TimeSpan.FromSeconds(2), stop.Token); } catch (OperationCanceledException) { }
            }
        });
        return new Stopper(stop, loop);
    }

    /// <summary>Waits until the dashboard lists an open incident (detection opened the troubled merchant's), keeping the fault going meanwhile.</summary>
    public async Task WaitForIncidentAsync(IPage dashboard)
    {
        await using var fault = KeepFailing();
        try
        {
            await Assertions.Expect(dashboard.Locator("[data-testid=incident-list] .mud-list-item").First).ToBeVisibleAsync(new() { Timeout = 120_000 });
        }
        catch (PlaywrightException e)
        {
            throw new TimeoutException("Detection opened no incident for the troubled merchant within two minutes.\n" + Portal.Log, e);
        }
    }

    private sealed class Stopper(CancellationTokenSource stop, Task loop) : IAsyncDisposable
    {
        public async ValueTask DisposeAsync()
        {
            await stop.CancelAsync();
            await loop;
            stop.Dispose();
        }
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
