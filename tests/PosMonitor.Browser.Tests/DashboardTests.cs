using System.Text.RegularExpressions;
using Microsoft.Playwright;

namespace PosMonitor.Browser.Tests;

public sealed partial class DashboardTests(LiveFixture live) : IClassFixture<LiveFixture>
{
    private PortalProcess Portal => live.Portal;

    private static Task WaitInteractiveAsync(IPage page) => LiveFixture.WaitInteractiveAsync(page);

    // How fast a 202 reaches the page is measured by the `live` benchmark (tests/PosMonitor.Benchmarks), which reports
    // 202 → hub p95 on a quiet machine; a stopwatch here, on a shared CI machine, would test the machine. This test
    // asserts what the reader sees: the posted sales in their minute's cell and in the headline figure, without a reload.
    [Fact]
    public async Task New_telemetry_changes_the_heatmap_cell_and_headline_figures_without_a_reload()
    {
        var browser = await live.BrowserAsync();
        var (page, errors) = await live.SignedInPageAsync();
        var salesBefore = await page.InnerTextAsync("[data-testid=sales-per-minute]");

        // Each south cell's sales by its "row · time" line, before the post. The sales land in the current minute: the
        // page's last column, or a new one if the minute turns meanwhile (then the cell starts from nothing). Only this
        // test posts sales to the south (the fixture's fleet sends heartbeats), so no other sales can make up the 24.
        const string row = "[data-row=south] .hm-cell";
        var before = (await page.Locator(row).EvaluateAllAsync<string[]>("cells => cells.map(c => c.getAttribute('data-tip') || '')"))
            .GroupBy(tip => tip.Split('\n')[0]).ToDictionary(g => g.Key, g => g.Max(SalesIn));
        using var client = Portal.Client();
        var sent = Enumerable.Range(0, 24).Select(i => DemoFleet.Transaction("T-0004-1", DateTimeOffset.UtcNow, timeout: i % 3 == 0)).ToArray();
        await DemoFleet.PostAsync(client, [], sent);

        await page.WaitForFunctionAsync(
            """
            ([selector, before]) => [...document.querySelectorAll(selector)].some(c => {
                const tip = c.getAttribute('data-tip') || '';
                const m = /(\d+) sales/.exec(tip);
                return m && +m[1] >= (before[tip.split('\n')[0]] || 0) + 24;
            })
            """,
            new object[] { row, before }, new PageWaitForFunctionOptions { Timeout = 15_000 });
        await Assertions.Expect(page.Locator("[data-testid=sales-per-minute]")).Not.ToHaveTextAsync(salesBefore);

        // The screenshot shows the troubled merchant's incident, pushed to this page without a reload.
        await live.WaitForIncidentAsync(page);
        await Browser.ScreenshotAsync(page, "dashboard.png");
        Assert.Empty(errors);
    }

    [Fact]
    public async Task Heatmap_drills_from_region_to_merchants_to_terminals_to_the_terminal_page()
    {
        var browser = await live.BrowserAsync();
        var (page, errors) = await live.SignedInPageAsync();

        await page.ClickAsync("[data-row=south] .hm-label");
        await page.WaitForSelectorAsync($"[data-row={DemoFleet.TroubledMerchant}]");
        Assert.Equal(3, await page.Locator("[data-testid=heatmap] .hm-row[data-row]").CountAsync()); // m-0003, m-0004, m-0010

        await page.ClickAsync($"[data-row={DemoFleet.TroubledMerchant}] .hm-label");
        await page.WaitForSelectorAsync("[data-row='T-0004-1']");
        Assert.Contains("Canton Dim Sum", await page.InnerTextAsync("[data-testid=heatmap-trail]"));
        await page.HoverAsync("[data-row='T-0004-2'] .hm-cell:nth-last-child(5)");
        await Browser.ScreenshotAsync(page, "heatmap-drilldown.png");

        await page.ClickAsync("[data-row='T-0004-1'] .hm-label");
        // Blazor navigates in the page (no load event), so wait for the terminal page itself.
        await page.WaitForSelectorAsync("h1:has-text('T-0004-1')");
        Assert.EndsWith("/terminals/T-0004-1", page.Url);
        await page.WaitForSelectorAsync(".mud-chart");
        // The page reads rollups from the database, where they land with the next flush (every 5 s): right after the
        // fixture's history was posted the charts can still be empty; the page reloads them with the fleet's next heartbeats.
        await Assertions.Expect(page.Locator(".mud-chart-line").First).ToBeAttachedAsync(new() { Timeout = 45_000 });
        // Each chart draws once it has measured itself in the browser: wait for every one's time labels.
        await page.WaitForFunctionAsync("""
            () => [...document.querySelectorAll('.mud-chart-line')].some(p => p.getBBox().width > 0)
                && [...document.querySelectorAll('g.mud-charts-xaxis')].every(g => [...g.querySelectorAll('text')].some(t => t.textContent.trim() !== ''))
            """, null, new() { Timeout = 15_000 });
        await Browser.ScreenshotAsync(page, "terminal.png");
        Assert.Empty(errors);
    }

    [Fact]
    public async Task A_printer_out_of_paper_is_a_device_notice_on_the_terminal_page_on_a_laptop_and_a_phone_until_it_says_ok()
    {
        const string terminal = "T-0002-2";
        var browser = await live.BrowserAsync();
        using var client = Portal.Client();
        var now = DateTimeOffset.UtcNow;
        var random = new Random(3);
        // An earlier jam, cleared within minutes (sent late, as an offline queue would), then paper out for the last three
        // minutes: every minute since holds a paper_out heartbeat, beside the fleet's own ok ones, so it dates from then.
        await DemoFleet.PostAsync(client, [.. new[] { -47, -46 }.Select(m => DemoFleet.Heartbeat(terminal, now.AddMinutes(m), random, printer: "jam")),
            DemoFleet.Heartbeat(terminal, now.AddMinutes(-44), random)], []);
        live.Printers[terminal] = "paper_out";
        await DemoFleet.PostAsync(client, [.. new[] { -3, -2, -1, 0 }.Select(m => DemoFleet.Heartbeat(terminal, now.AddMinutes(m), random, printer: "paper_out"))], []);

        var pages = new List<IPage>();
        foreach (var (width, height, name) in new[] { (1920, 1080, "terminal-device-notice.png"), (390, 844, "terminal-device-notice-phone.png") })
        {
            var (page, errors) = await browser.NewPageAsync(width: width, height: height);
            pages.Add(page);
            await Portal.SignInAsync(page);
            await page.GotoAsync(Portal.BaseUrl + "/terminals/" + terminal);
            await WaitInteractiveAsync(page);
            await Assertions.Expect(page.Locator("[data-testid=device-notice]")).ToContainTextAsync("Printer out of paper");
            await Assertions.Expect(page.Locator("[data-testid=device-notice-incident]")).ToContainTextAsync("not an incident yet");
            // The rollups the history is read from are flushed every 5 s; the page reloads with the fleet's next heartbeats.
            await Assertions.Expect(page.Locator("[data-testid=device-history]")).ToContainTextAsync("Printer fault", new() { Timeout = 30_000 });
            var overflow = await page.EvaluateAsync<int>("() => document.documentElement.scrollWidth - document.documentElement.clientWidth");
            Assert.True(overflow <= 0, $"{width}px wide: {overflow}px of sideways scrolling");
            await Browser.ScreenshotAsync(page, name);
            Assert.True(new FileInfo(Path.Combine(Browser.ScreenshotFolder, name)).Length < 300_000, $"{name} is over 300 KB");
            Assert.Empty(errors);
        }

        live.Printers.TryRemove(terminal, out _);
        await DemoFleet.PostAsync(client, [DemoFleet.Heartbeat(terminal, DateTimeOffset.UtcNow, random)], []);
        await Assertions.Expect(pages[0].Locator("[data-testid=device-notice]")).ToHaveCountAsync(0, new() { Timeout = 10_000 });
        await Assertions.Expect(pages[0].Locator("[data-testid=device-history]")).ToContainTextAsync("Printer fault");
    }

    [Fact]
    public async Task A_Chinese_dashboard_stays_Chinese_through_its_live_updates()
    {
        // Live updates come from the heatmap's loop, not from the reader's circuit; they used to re-render the page in
        // that loop's culture, so a Chinese dashboard turned English at its first update while its menu stayed Chinese.
        var browser = await live.BrowserAsync();
        var (page, errors) = await browser.NewPageAsync(locale: "zh-CN");
        await Portal.SignInAsync(page);
        await page.GotoAsync(Portal.BaseUrl + "/");
        await WaitInteractiveAsync(page);
        var before = await page.InnerTextAsync("[data-testid=last-update]");
        using var client = Portal.Client();
        await DemoFleet.PostAsync(client, [], [DemoFleet.Transaction("T-0001-1", DateTimeOffset.UtcNow, timeout: false)]);
        await page.WaitForFunctionAsync("before => document.querySelector('[data-testid=last-update]').innerText !== before",
            before, new PageWaitForFunctionOptions { Timeout = 10_000 });

        Assert.StartsWith("更新于", await page.InnerTextAsync("[data-testid=last-update]"));
        Assert.Equal("运营总览", await page.InnerTextAsync("h1"));
        Assert.Equal("运营总览 · PosMonitor", await page.TitleAsync());
        Assert.Contains("离线", await page.InnerTextAsync("[data-testid=online-note]"));
        Assert.Contains("超时热力图", await page.InnerTextAsync(".mud-main-content"));
        Assert.Empty(errors);
    }

    [Fact]
    public async Task Wall_without_a_display_token_answers_401_with_a_localised_page()
    {
        var browser = await live.BrowserAsync();
        var (page, errors) = await browser.NewPageAsync(locale: "zh-CN");
        var response = await page.GotoAsync(Portal.BaseUrl + "/wall");
        Assert.Equal(401, response!.Status);
        errors.RemoveAll(e => e.Contains("status of 401", StringComparison.Ordinal)); // the document itself, as intended
        Assert.Contains("需要大屏令牌", await page.InnerTextAsync("[data-testid=wall-denied]"));

        // A key of another scope: the link's page signs nothing in; posting it is refused on a localised page.
        await page.GotoAsync($"{Portal.BaseUrl}/wall?token={PortalProcess.AdminKey}");
        var withAdminKey = await page.RunAndWaitForResponseAsync(() => page.ClickAsync("button[type=submit]"),
            r => r.Url.Contains("/wall/sign-in", StringComparison.Ordinal) && r.Request.Method == "POST");
        Assert.Equal(401, withAdminKey.Status);
        Assert.Contains("大屏令牌", await page.InnerTextAsync("[data-testid=wall-sign-in-error]"));
        errors.RemoveAll(e => e.Contains("status of 401", StringComparison.Ordinal));
        Assert.Empty(errors);
    }

    [Fact]
    public async Task Dashboard_fits_a_phone_and_a_laptop_without_sideways_scrolling()
    {
        var browser = await live.BrowserAsync();
        foreach (var (width, height) in new[] { (390, 844), (1280, 800) })
        {
            var (page, errors) = await browser.NewPageAsync(width: width, height: height);
            await Portal.SignInAsync(page);
            await page.GotoAsync(Portal.BaseUrl + "/");
            await WaitInteractiveAsync(page);
            // MudBlazor applies its breakpoints from script just after the first interactive render, so a
            // page can overflow for a moment: wait for it to settle (at most 3 s), then judge.
            const string Overflow = "() => document.documentElement.scrollWidth - document.documentElement.clientWidth";
            try
            {
                await page.WaitForFunctionAsync($"() => ({Overflow})() <= 0", null, new() { Timeout = 3_000 });
            }
            catch (TimeoutException)
            {
                // Judged below, naming the widest elements.
            }
            var overflow = await page.EvaluateAsync<int>(Overflow);
            var widest = overflow > 0
                ? await page.EvaluateAsync<string>("() => [...document.querySelectorAll('body *')].filter(e => e.getBoundingClientRect().right > document.documentElement.clientWidth).map(e => e.tagName + '.' + e.className).slice(-3).join(' | ')")
                : "";
            Assert.True(overflow <= 0, $"{width}px wide: {overflow}px of sideways scrolling ({widest})");
            if (width < 600) await Browser.ScreenshotAsync(page, "dashboard-phone.png");
            Assert.Empty(errors);
        }
    }

    private static int SalesIn(string tip) => SalesPattern().Match(tip) is { Success: true } m ? int.Parse(m.Groups[1].Value) : 0;

    [GeneratedRegex(@"(\d+) sales")]
    private static partial Regex SalesPattern();
}
