using Microsoft.Playwright;

namespace PosMonitor.Browser.Tests;

/// <summary>
/// Pages on a 390 px phone, judged by the boxes the browser lays out: what an action answers appears where the action
/// was, filter bars end above the first row, table cards label their values, nothing overlaps.
/// </summary>
public sealed class PhoneLayoutTests(LiveFixture live) : IClassFixture<LiveFixture>
{
    private const int Width = 390, Height = 844;
    private const string OwnerEmail = "owner@browser.test", OwnerPassword = "browser-owner-password-1";
    private PortalProcess Portal => live.Portal;

    private sealed record Box(double X, double Y, double Width, double Height)
    {
        public double Bottom => Y + Height;
    }

    private static async Task<Box> BoxAsync(ILocator locator) =>
        await locator.BoundingBoxAsync() is { } b ? new Box(b.X, b.Y, b.Width, b.Height) : throw new InvalidOperationException("not laid out");

    private static async Task WaitInteractiveAsync(IPage page) =>
        await page.WaitForSelectorAsync("[data-interactive=true], .mud-main-content", new() { Timeout = 15_000 });

    private async Task<IPage> SignedInAsync(string email, string password, string locale = "en-US")
    {
        var browser = await live.BrowserAsync();
        var (page, _) = await browser.NewPageAsync(locale: locale, width: Width, height: Height);
        page.SetDefaultTimeout(30_000);
        await page.GotoAsync(Portal.BaseUrl + "/account/sign-in");
        await page.FillAsync("#email", email);
        await page.FillAsync("#password", password);
        await page.ClickAsync("button[type=submit]");
        await page.WaitForURLAsync(url => !url.Contains("/account/sign-in", StringComparison.Ordinal));
        return page;
    }

    [Fact]
    public async Task On_a_phone_a_report_answers_under_its_button_a_second_tap_joins_it_and_the_inbox_opens_it_in_view()
    {
        await live.EnsureUserAsync(OwnerEmail, OwnerPassword, "Merchant owner", "m-0001", "Lotus owner");
        foreach (var (locale, again) in new[] { ("en-US", "Already reported"), ("zh-CN", "已于") })
        {
            var page = await SignedInAsync(OwnerEmail, OwnerPassword, locale);
            await page.GotoAsync(Portal.BaseUrl + "/my");
            await page.WaitForSelectorAsync("[data-interactive=true], [data-testid=report-timeout]");
            var button = page.Locator("[data-testid=report-timeout]").Nth(1);
            // A click while the circuit starts can be lost: click until the answer shows.
            for (var attempt = 0; ; attempt++)
            {
                try
                {
                    await button.ClickAsync();
                    await page.WaitForSelectorAsync("[data-testid=report-sent]", new() { Timeout = 3000 });
                    break;
                }
                // The live page re-renders its rows as telemetry comes in; a row replaced mid-click is clicked again.
                catch (Exception e) when (e is TimeoutException or PlaywrightException && attempt < 10) { }
            }
            var (pressed, answer) = (await BoxAsync(button), await BoxAsync(page.Locator("[data-testid=report-sent]")));
            Assert.True(answer.Y >= pressed.Bottom - 1 && answer.Y - pressed.Bottom < 80, $"answer at {answer.Y:0}, button ends at {pressed.Bottom:0}");
            Assert.True(answer.Bottom <= Height, $"answer ends at {answer.Bottom:0}, below the {Height} px screen");

            await button.ClickAsync();
            await Assertions.Expect(page.Locator("[data-testid=report-sent]")).ToContainTextAsync(again);
            await Browser.ScreenshotAsync(page, locale == "en-US" ? "my-report-phone.png" : "my-report-phone-zh.png");
            await page.Context.CloseAsync();
        }

        var admin = await SignedInAsync(PortalProcess.AdminEmail, PortalProcess.AdminPassword);
        await admin.GotoAsync(Portal.BaseUrl + "/feedback");
        var rows = admin.Locator(".feedback-inbox tbody tr.mud-table-row");
        await Assertions.Expect(rows.First).ToBeVisibleAsync();
        // Four taps (two per language) on T-0001-2: one report.
        await Assertions.Expect(admin.Locator(".feedback-inbox tbody tr.mud-table-row:has-text('T-0001-2')")).ToHaveCountAsync(1);
        var toolbar = await BoxAsync(admin.Locator(".feedback-inbox .mud-table-toolbar"));
        Assert.True(toolbar.Bottom <= (await BoxAsync(rows.First)).Y + 1, "the filters overlap the first row");
        // Blazor navigates in the page (no load event), and a click while the circuit starts can be lost: click until it opens.
        for (var attempt = 0; ; attempt++)
        {
            try
            {
                await admin.Locator(".feedback-inbox tbody tr.mud-table-row:has-text('T-0001-2')").ClickAsync();
                await admin.WaitForSelectorAsync("[data-testid=feedback-thread]", new() { Timeout = 3000 });
                break;
            }
            catch (Exception e) when (e is TimeoutException or PlaywrightException && attempt < 10) { }
        }
        Assert.Contains("/feedback/fb-", admin.Url, StringComparison.Ordinal);
        var thread = admin.Locator("[data-testid=feedback-thread]");
        await Assertions.Expect(thread).ToBeVisibleAsync();
        var opened = await BoxAsync(thread);
        Assert.True(opened.Y >= 0 && opened.Y < Height / 2, $"the opened item starts at {opened.Y:0} px on the {Height} px screen");
        await Browser.ScreenshotAsync(admin, "feedback-inbox-phone.png");
    }

    [Theory]
    [InlineData("/admin/audit", ".audit-grid", null, "audit-phone.png")]
    [InlineData("/admin/users", ".users-grid", null, "users-phone.png")]
    [InlineData("/admin/keys", null, ".keys-table", "keys-phone.png")]
    [InlineData("/admin/detection", null, ".detection-settings", "detection-settings-phone.png")]
    [InlineData("/runbooks", null, ".runbook-list", null)]
    public async Task On_a_phone_filters_end_above_the_first_row_and_every_value_has_its_label(string path, string? grid, string? table, string? screenshot)
    {
        var page = await SignedInAsync(PortalProcess.AdminEmail, PortalProcess.AdminPassword);
        await page.GotoAsync(Portal.BaseUrl + path);
        var rows = page.Locator($"{grid ?? table} tbody tr.mud-table-row");
        await Assertions.Expect(rows.First).ToBeVisibleAsync();
        if (grid is not null)
        {
            var toolbar = await BoxAsync(page.Locator($"{grid} .mud-table-toolbar"));
            var first = await BoxAsync(rows.First);
            Assert.True(toolbar.Bottom <= first.Y + 1, $"filters end at {toolbar.Bottom:0}, the first row starts at {first.Y:0}");
        }
        // On a phone a table row is a card: each value shows its column's name before it (MudBlazor's data-label).
        var unlabelled = await page.EvaluateAsync<string[]>($$"""
            () => [...document.querySelectorAll('{{grid ?? table}} tbody tr.mud-table-row td')]
                .filter(td => td.innerText.trim() !== '' && !(td.children.length === 1 && td.firstElementChild.matches('button'))
                    && getComputedStyle(td, '::before').content.replace(/"/g, '').trim() === '')
                .map(td => td.innerText.trim())
            """);
        Assert.Empty(unlabelled);
        var overflow = await page.EvaluateAsync<int>("() => document.documentElement.scrollWidth - document.documentElement.clientWidth");
        Assert.True(overflow <= 0, $"{overflow}px of sideways scrolling");
        if (screenshot is not null) await Browser.ScreenshotAsync(page, screenshot);
    }

    /// <summary>
    /// The detection settings at a desk and on a phone, in both languages and both themes: the rare window's row explains
    /// itself in the reader's language (not its resource key) and no width scrolls sideways.
    /// </summary>
    [Theory]
    [InlineData("en-US", "A quiet shop")]
    [InlineData("zh-CN", "冷清门店")]
    public async Task The_detection_settings_explain_the_rare_window_at_every_width_language_and_theme(string locale, string explanation)
    {
        // One sign-in per language; each width and theme is the same page laid out again.
        var page = await SignedInAsync(PortalProcess.AdminEmail, PortalProcess.AdminPassword, locale);
        foreach (var (width, height) in new[] { (1920, 1080), (Width, Height) })
            foreach (var scheme in new[] { ColorScheme.Light, ColorScheme.Dark })
            {
                await page.SetViewportSizeAsync(width, height);
                await page.EmulateMediaAsync(new() { ColorScheme = scheme });
                await page.GotoAsync(Portal.BaseUrl + "/admin/detection");
                // Interactive first: the prerendered table is replaced when the circuit starts.
                await page.WaitForSelectorAsync("[data-interactive=true]");
                var row = page.Locator(".detection-settings tbody tr.mud-table-row:has-text('RareWindow')");
                await Assertions.Expect(row).ToContainTextAsync(explanation);
                await Assertions.Expect(row).Not.ToContainTextAsync("Explain_");
                await row.ScrollIntoViewIfNeededAsync();
                var overflow = await page.EvaluateAsync<int>("() => document.documentElement.scrollWidth - document.documentElement.clientWidth");
                Assert.True(overflow <= 0, $"{overflow}px of sideways scrolling at {width} px");
                await Browser.ScreenshotAsync(page, $"detection-settings-{(locale == "en-US" ? "en" : "zh")}-{scheme.ToString().ToLowerInvariant()}-{width}.png");
            }
    }

    [Fact]
    public async Task On_a_phone_the_terminal_charts_time_labels_are_readable_and_do_not_run_into_each_other()
    {
        var page = await SignedInAsync(PortalProcess.AdminEmail, PortalProcess.AdminPassword);
        await page.GotoAsync(Portal.BaseUrl + "/terminals/T-0001-1");
        // Each chart draws once its own size is known: wait for a line and for the first chart's (the sales') time labels.
        await page.WaitForFunctionAsync("""
            () => [...document.querySelectorAll('.mud-chart-line')].some(p => p.getBBox().width > 0)
                && [...(document.querySelector('g.mud-charts-xaxis')?.querySelectorAll('text') ?? [])].some(t => t.textContent.trim() !== '')
            """, null, new() { Timeout = 30_000 });
        var labels = await page.EvaluateAsync<double[][]>("""
            () => [...document.querySelectorAll('g.mud-charts-xaxis')].slice(0, 1).flatMap(axis => [...axis.querySelectorAll('text')])
                .filter(t => t.textContent.trim() !== '').map(t => { const r = t.getBoundingClientRect(); return [r.left, r.right, r.height]; })
            """);
        Assert.True(labels.Length >= 3, $"{labels.Length} time labels");
        Assert.All(labels, l => Assert.True(l[2] >= 10, $"a label {l[2]:0.0} px tall"));
        for (var i = 1; i < labels.Length; i++)
            Assert.True(labels[i][0] >= labels[i - 1][1], $"label {i} starts at {labels[i][0]:0} before label {i - 1} ends at {labels[i - 1][1]:0}");
        // Every chart spans the same window, and says which.
        var axes = await page.EvaluateAsync<string[]>("() => [...document.querySelectorAll('text.mud-charts-xaxis')].map(t => t.textContent.trim())");
        Assert.Equal(await page.Locator("g.mud-charts-xaxis").CountAsync(), axes.Length);
        Assert.All(axes, axis => Assert.Equal("last 1 h", axis));
        await page.Locator(".mud-chart").First.ScrollIntoViewIfNeededAsync();
        await Browser.ScreenshotAsync(page, "terminal-chart-phone.png");
    }
}
