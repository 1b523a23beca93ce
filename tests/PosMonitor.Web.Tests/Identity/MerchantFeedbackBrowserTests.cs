using System.Net;
using System.Net.Sockets;
using Microsoft.Playwright;

namespace PosMonitor.Web.Tests.Identity;

/// <summary>
/// The portal on a real Kestrel port with Debian's Chromium (never a downloaded browser). Skipped
/// with install instructions when Chromium is missing, except on CI (CI=true), where that fails.
/// </summary>
public sealed class BrowserPortal : PortalFactory, IAsyncLifetime
{
    public const string ChromiumPath = "/usr/bin/chromium";
    public string BaseUrl { get; } = $"http://127.0.0.1:{FreePort()}";
    public IBrowser? Chromium { get; private set; }
    private IPlaywright? _playwright;

    // Outside Development, package assets (_content/MudBlazor) are served only with the static web assets manifest.
    protected override void ConfigureWebHost(Microsoft.AspNetCore.Hosting.IWebHostBuilder builder)
    {
        base.ConfigureWebHost(builder);
        Microsoft.AspNetCore.Hosting.WebHostBuilderExtensions.UseStaticWebAssets(builder);
    }

    public async ValueTask InitializeAsync()
    {
        if (!File.Exists(ChromiumPath)) return;
        UseKestrel(new Uri(BaseUrl).Port);
        StartServer();
        await SeedAsync();
        _playwright = await Playwright.CreateAsync();
        Chromium = await _playwright.Chromium.LaunchAsync(new BrowserTypeLaunchOptions
        {
            ExecutablePath = ChromiumPath,
            Headless = true,
            Args = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update", "--no-first-run"],
        });
    }

    /// <summary>Skips (or on CI fails) the calling test when there is no browser.</summary>
    public IBrowser Require()
    {
        if (Chromium is not null) return Chromium;
        var message = $"No Chromium at {ChromiumPath}: install it with `apt-get update && apt-get install -y chromium fonts-noto-cjk`.";
        if (Environment.GetEnvironmentVariable("CI") == "true") Assert.Fail(message);
        Assert.Skip(message);
        return null!;
    }

    public override async ValueTask DisposeAsync()
    {
        if (Chromium is not null) await Chromium.CloseAsync();
        _playwright?.Dispose();
        await base.DisposeAsync();
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}

public class MerchantFeedbackBrowserTests(BrowserPortal portal) : IClassFixture<BrowserPortal>
{
    private static readonly string Screens = Environment.GetEnvironmentVariable("POSMONITOR_SCREENSHOTS") ?? Path.Combine(Path.GetTempPath(), "posmonitor-screens");

    [Fact]
    public async Task A_merchant_owner_sees_only_their_terminals_and_sends_feedback_that_an_agent_answers()
    {
        var browser = portal.Require();
        Directory.CreateDirectory(Screens);
        var consoleErrors = new List<string>();

        // The owner signs in and sees their two terminals, not the other merchant's.
        var owner = await NewPageAsync(browser, consoleErrors);
        await owner.GotoAsync(portal.BaseUrl + "/my");
        await owner.WaitForURLAsync("**/account/sign-in**");
        await owner.ScreenshotAsync(new() { Path = Path.Combine(Screens, "sign-in.png"), FullPage = true });
        await SignInAsync(owner, PortalFactory.Owner1);
        await owner.WaitForURLAsync("**/my");
        await owner.Locator("[data-testid=terminal-id]").First.WaitForAsync();
        var terminals = await owner.Locator("[data-testid=terminal-id]").AllInnerTextsAsync();
        Assert.Equal(["T-000001", "T-000002"], terminals);
        await owner.ScreenshotAsync(new() { Path = Path.Combine(Screens, "merchant-portal.png"), FullPage = true });

        // Feedback with a card number in the text: stored masked.
        await owner.GotoAsync(portal.BaseUrl + "/my/feedback");
        await InteractiveAsync(owner);
        // The page is prerendered: clicks do nothing until the circuit is connected, so retry the first one.
        await ClickUntilAsync(owner.Locator(".fb-category input[role=combobox]"), owner.Locator(".mud-popover-open .mud-list-item", new() { HasText = "Network" }));
        await owner.Locator(".mud-popover-open .mud-list-item", new() { HasText = "Network" }).ClickAsync();
        await owner.Locator(".fb-rating .fb-star").Nth(1).ClickAsync();
        await owner.Locator(".fb-text textarea").First.FillAsync("Card 4111 1111 1111 1111 failed twice, order 1234567890123456.");
        await owner.Locator(".fb-submit").ClickAsync();
        try
        {
            await owner.Locator("[data-testid=feedback-sent]").WaitForAsync();
        }
        finally
        {
            await owner.ScreenshotAsync(new() { Path = Path.Combine(Screens, "feedback-form.png"), FullPage = true });
        }

        // The agent answers it from the inbox.
        var agent = await NewPageAsync(browser, consoleErrors);
        await agent.GotoAsync(portal.BaseUrl + "/account/sign-in?ReturnUrl=%2Ffeedback");
        await SignInAsync(agent, PortalFactory.Agent);
        await agent.WaitForURLAsync("**/feedback");
        await InteractiveAsync(agent);
        await ClickUntilAsync(agent.Locator(".feedback-inbox tbody tr", new() { HasText = "m-0001" }).First, agent.Locator("[data-testid=feedback-text]"));
        Assert.Equal("Card 411111******1111 failed twice, order 1234567890123456.", await agent.Locator("[data-testid=feedback-text]").InnerTextAsync());
        await agent.Locator(".fb-reply-text textarea").First.FillAsync("Thanks, we are checking the network in your area.");
        await agent.Locator(".fb-reply-send").ClickAsync();
        await agent.Locator("[data-testid=feedback-reply]").WaitForAsync();
        await agent.ScreenshotAsync(new() { Path = Path.Combine(Screens, "feedback-inbox.png"), FullPage = true });

        // The owner sees the answer.
        await owner.GotoAsync(portal.BaseUrl + "/my/feedback");
        // A click on the prerendered list before the circuit starts is an enhanced navigation that the circuit,
        // starting on the list's URL, then renders over; so click only once the page is interactive.
        await InteractiveAsync(owner);
        await ClickUntilAsync(owner.Locator(".my-feedback-list a").First, owner.Locator("[data-testid=feedback-status]"));
        await owner.WaitForURLAsync("**/my/feedback/*");
        await Assertions.Expect(owner.Locator("[data-testid=feedback-status]")).ToHaveTextAsync("Answered");
        Assert.Contains("checking the network", await owner.Locator("[data-testid=feedback-reply]").InnerTextAsync());

        Assert.DoesNotContain(consoleErrors, e => e.Contains("Content Security Policy", StringComparison.OrdinalIgnoreCase));
    }

    private static async Task<IPage> NewPageAsync(IBrowser browser, List<string> errors)
    {
        var context = await browser.NewContextAsync(new() { ViewportSize = new() { Width = 1366, Height = 900 }, Locale = "en" });
        var page = await context.NewPageAsync();
        page.Console += (_, m) => { if (m.Type == "error") errors.Add(m.Text); };
        // Generous: CI shares two cores with this portal, the browser suite's portal and its Chromium (a sign-in's page
        // load once took over 30 s there).
        page.SetDefaultTimeout(60_000);
        return page;
    }

    private static Task InteractiveAsync(IPage page) => page.Locator(".pm-content[data-interactive=true]").WaitForAsync();

    private static async Task ClickUntilAsync(ILocator target, ILocator appears)
    {
        for (var i = 0; i < 30; i++)
        {
            await target.ClickAsync();
            try
            {
                await appears.First.WaitForAsync(new() { Timeout = 500 });
                return;
            }
            catch (TimeoutException)
            {
            }
        }
        await appears.First.WaitForAsync();
    }

    private static async Task SignInAsync(IPage page, string email)
    {
        await page.FillAsync("#email", email);
        await page.FillAsync("#password", PortalFactory.Password);
        await page.ClickAsync("button[type=submit]");
    }
}
