using Microsoft.Playwright;

namespace PosMonitor.Browser.Tests;

/// <summary>The heatmap's view and drill-down live in the address: Back undoes a drill, a copied link opens the same view.</summary>
public sealed class HeatmapAddressTests(LiveFixture live) : IClassFixture<LiveFixture>
{
    private PortalProcess Portal => live.Portal;

    private static Task WaitInteractiveAsync(IPage page) => LiveFixture.WaitInteractiveAsync(page);

    private static ILocator Rows(IPage page) => page.Locator("[data-testid=heatmap] .hm-row[data-row]");

    [Fact]
    public async Task Back_undoes_a_drill_down_step_by_step_and_a_copied_link_opens_the_same_view()
    {
        var browser = await live.BrowserAsync();
        var (page, errors) = await live.SignedInPageAsync();

        await page.ClickAsync("[data-row=south] .hm-label");
        await page.WaitForSelectorAsync($"[data-row={DemoFleet.TroubledMerchant}]");
        await page.ClickAsync($"[data-row={DemoFleet.TroubledMerchant}] .hm-label");
        await page.WaitForSelectorAsync("[data-row='T-0004-1']");
        Assert.Contains($"drill=region%3Asouth%2Cmerchant%3A{DemoFleet.TroubledMerchant}", page.Url);
        var deepLink = page.Url;

        await page.GoBackAsync();
        await page.WaitForSelectorAsync($"[data-row={DemoFleet.TroubledMerchant}]");
        Assert.Equal(0, await page.Locator("[data-row='T-0004-1']").CountAsync());
        Assert.DoesNotContain("Canton Dim Sum", await page.InnerTextAsync("[data-testid=heatmap-trail]"));

        await page.GoBackAsync();
        await page.WaitForSelectorAsync("[data-row=south]");
        Assert.Equal(0, await page.Locator($"[data-row={DemoFleet.TroubledMerchant}]").CountAsync());

        await page.GoForwardAsync();
        await page.WaitForSelectorAsync($"[data-row={DemoFleet.TroubledMerchant}]");

        // Someone else opens the link: the same terminals, with the trail that leads to them.
        var (other, otherErrors) = await live.SignedInPageAsync(deepLink);
        await other.WaitForSelectorAsync("[data-row='T-0004-1']");
        Assert.True(await Rows(other).CountAsync() >= 2);
        Assert.Contains("Canton Dim Sum", await other.InnerTextAsync("[data-testid=heatmap-trail]"));

        Assert.Empty(errors);
        Assert.Empty(otherErrors);
    }

    [Fact]
    public async Task With_a_merchant_incident_open_the_wall_shows_merchants_and_screenshots_are_taken_in_both_themes_on_a_laptop_a_phone_and_a_4K_wall()
    {
        var browser = await live.BrowserAsync();
        // The troubled merchant's fault goes on until detection opens its incident (checks every 15 s, holds a finding 30 s),
        // so the pictures show an open incident: its row marked, its ticket state listed, the wall on its dimension.
        var (watch, _) = await live.SignedInPageAsync();
        await live.WaitForIncidentAsync(watch);
        foreach (var (width, height) in new[] { (1920, 1080), (390, 844), (3840, 2160) })
        {
            foreach (var scheme in width > 1920 ? [] : new[] { ColorScheme.Light, ColorScheme.Dark })
            {
                var (page, errors) = await browser.NewPageAsync(width: width, height: height);
                await page.EmulateMediaAsync(new() { ColorScheme = scheme });
                await Portal.SignInAsync(page);
                await page.GotoAsync(Portal.BaseUrl + "/?by=merchant");
                await WaitInteractiveAsync(page);
                await page.WaitForSelectorAsync($"[data-row={DemoFleet.TroubledMerchant}]");
                await page.Locator("[data-testid=heatmap]").ScrollIntoViewIfNeededAsync();
                await Browser.ScreenshotAsync(page, $"heatmap-dashboard-{scheme.ToString().ToLowerInvariant()}-{width}.png");
                Assert.Empty(errors);
            }
            var (wall, wallErrors) = await browser.NewPageAsync(width: width, height: height);
            await wall.GotoAsync($"{Portal.BaseUrl}/wall?token={Uri.EscapeDataString(live.DisplayKey)}");
            await wall.ClickAsync("button[type=submit]"); // the display's sign-in page, started once by the screen's operator
            await wall.WaitForURLAsync(url => url.EndsWith("/wall", StringComparison.Ordinal));
            await wall.WaitForSelectorAsync("[data-testid=wall-heatmap-title]", new() { State = WaitForSelectorState.Attached });
            // The panels rotate; hold the heatmap panel on screen for the picture.
            await wall.AddStyleTagAsync(new() { Content = ".wall-panel { animation: none; } .wall-panel:first-child { opacity: 1; visibility: visible; }" });
            Assert.Equal("merchant", await wall.GetAttributeAsync("[data-testid=wall-heatmap-title]", "data-by"));
            await Browser.ScreenshotAsync(wall, $"heatmap-wall-{width}.png");
            Assert.Empty(wallErrors);
        }
    }
}
