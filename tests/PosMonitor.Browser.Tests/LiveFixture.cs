using System.Net.Http.Json;

namespace PosMonitor.Browser.Tests;

/// <summary>One portal process with the demo fleet and an hour of history, and one browser, shared by a test class.</summary>
public sealed class LiveFixture : IAsyncLifetime
{
    public PortalProcess Portal { get; } = new();
    public string DisplayKey { get; private set; } = "";
    private Browser? _browser;

    /// <summary>The browser; skips (or on CI fails) the test when there is none.</summary>
    public async Task<Browser> BrowserAsync() => _browser ??= await Browser.LaunchAsync();

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
    }

    public async ValueTask DisposeAsync()
    {
        if (_browser is not null) await _browser.DisposeAsync();
        await Portal.DisposeAsync();
    }

    private sealed record KeyBody(string Key);
}
