using System.Reflection;
using Microsoft.Playwright;

namespace PosMonitor.Browser.Tests;

/// <summary>
/// Debian's Chromium driven by Playwright (never a downloaded browser). Without a browser the tests
/// skip with instructions, except on CI (<c>CI=true</c>), where a missing browser is a failure.
/// </summary>
public sealed class Browser : IAsyncDisposable
{
    public const string InstallHint = "Browser tests need Chromium: apt-get install -y chromium fonts-noto-cjk (or set POSMONITOR_CHROMIUM to its path).";
    private static readonly string[] Candidates = ["/usr/bin/chromium", "/usr/bin/chromium-browser", "/usr/lib/chromium/chromium"];

    private Browser(IPlaywright playwright, IBrowser browser)
    {
        Playwright = playwright;
        Instance = browser;
    }

    public IPlaywright Playwright { get; }
    public IBrowser Instance { get; }

    public static string ScreenshotFolder => typeof(Browser).Assembly.GetCustomAttributes<AssemblyMetadataAttribute>()
        .Single(a => a.Key == "ScreenshotFolder").Value!;

    public static string? FindChromium() =>
        Environment.GetEnvironmentVariable("POSMONITOR_CHROMIUM") is { Length: > 0 } configured && File.Exists(configured)
            ? configured
            : Candidates.FirstOrDefault(File.Exists);

    /// <summary>Launches Chromium, or skips the calling test when there is none (fails on CI).</summary>
    public static async Task<Browser> LaunchAsync()
    {
        var path = FindChromium();
        if (path is null)
        {
            if (string.Equals(Environment.GetEnvironmentVariable("CI"), "true", StringComparison.OrdinalIgnoreCase))
                Assert.Fail("No Chromium on this CI machine. " + InstallHint);
            Assert.Skip(InstallHint);
        }
        var playwright = await Microsoft.Playwright.Playwright.CreateAsync();
        var browser = await playwright.Chromium.LaunchAsync(new BrowserTypeLaunchOptions
        {
            ExecutablePath = path,
            Headless = true,
            Args = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update", "--no-first-run"],
        });
        return new Browser(playwright, browser);
    }

    /// <summary>A 1920×1080 page that records console errors and uncaught exceptions.</summary>
    public async Task<(IPage Page, List<string> Errors)> NewPageAsync(string? locale = "en-US", int width = 1920, int height = 1080)
    {
        var context = await Instance.NewContextAsync(new BrowserNewContextOptions
        {
            ViewportSize = new ViewportSize { Width = width, Height = height },
            Locale = locale,
            TimezoneId = "UTC",
        });
        var page = await context.NewPageAsync();
        var errors = new List<string>();
        page.Console += (_, message) => { if (message.Type == "error") lock (errors) errors.Add(message.Text); };
        page.PageError += (_, error) => { lock (errors) errors.Add(error); };
        return (page, errors);
    }

    public static async Task ScreenshotAsync(IPage page, string name, bool fullPage = false)
    {
        Directory.CreateDirectory(ScreenshotFolder);
        var path = Path.Combine(ScreenshotFolder, name);
        await page.ScreenshotAsync(new PageScreenshotOptions { Path = path, FullPage = fullPage });
        Assert.True(new FileInfo(path).Length < 1_000_000, $"{name} is over 1 MB");
    }

    public async ValueTask DisposeAsync()
    {
        await Instance.DisposeAsync();
        Playwright.Dispose();
    }
}
