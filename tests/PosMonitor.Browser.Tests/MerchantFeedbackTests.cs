using Microsoft.Playwright;

namespace PosMonitor.Browser.Tests;

/// <summary>A merchant owner and a support agent, each in their own browser, on one portal.</summary>
public sealed class MerchantFeedbackTests(LiveFixture live) : IClassFixture<LiveFixture>
{
    private const string OwnerEmail = "owner1@browser.test", AgentEmail = "agent@browser.test", Password = "browser-user-password-1";
    private PortalProcess Portal => live.Portal;

    [Fact]
    public async Task A_merchant_owner_sees_only_their_terminals_and_sends_feedback_that_an_agent_answers()
    {
        var browser = await live.BrowserAsync();
        await live.EnsureUserAsync(OwnerEmail, Password, "Merchant owner", "m-0001");
        await live.EnsureUserAsync(AgentEmail, Password, "Support agent");

        // The owner signs in and sees their three terminals, not the other merchants'.
        var (owner, ownerErrors) = await NewPageAsync(browser);
        await owner.GotoAsync(Portal.BaseUrl + "/my");
        await owner.WaitForURLAsync("**/account/sign-in**");
        await Browser.ScreenshotAsync(owner, "sign-in.png", fullPage: true);
        await SignInAsync(owner, OwnerEmail);
        await owner.WaitForURLAsync("**/my");
        await owner.Locator("[data-testid=terminal-id]").First.WaitForAsync();
        var terminals = await owner.Locator("[data-testid=terminal-id]").AllInnerTextsAsync();
        Assert.Equal(["T-0001-1", "T-0001-2", "T-0001-3"], terminals.Order());
        await Browser.ScreenshotAsync(owner, "merchant-portal.png", fullPage: true);

        // Feedback with a card number in the text: stored masked.
        await owner.GotoAsync(Portal.BaseUrl + "/my/feedback");
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
            await Browser.ScreenshotAsync(owner, "feedback-form.png", fullPage: true);
        }

        // The agent answers it from the inbox.
        var (agent, agentErrors) = await NewPageAsync(browser);
        await agent.GotoAsync(Portal.BaseUrl + "/account/sign-in?ReturnUrl=%2Ffeedback");
        await SignInAsync(agent, AgentEmail);
        await agent.WaitForURLAsync("**/feedback");
        await InteractiveAsync(agent);
        await ClickUntilAsync(agent.Locator(".feedback-inbox tbody tr", new() { HasText = "m-0001" }).First, agent.Locator("[data-testid=feedback-text]"));
        Assert.Equal("Card 411111******1111 failed twice, order 1234567890123456.", await agent.Locator("[data-testid=feedback-text]").InnerTextAsync());
        await agent.Locator(".fb-reply-text textarea").First.FillAsync("Thanks, we are checking the network in your area.");
        await agent.Locator(".fb-reply-send").ClickAsync();
        await agent.Locator("[data-testid=feedback-reply]").WaitForAsync();
        await Browser.ScreenshotAsync(agent, "feedback-inbox.png", fullPage: true);

        // The owner sees the answer.
        await owner.GotoAsync(Portal.BaseUrl + "/my/feedback");
        // A click on the prerendered list before the circuit starts is an enhanced navigation that the circuit,
        // starting on the list's URL, then renders over; so click only once the page is interactive.
        await InteractiveAsync(owner);
        await ClickUntilAsync(owner.Locator(".my-feedback-list a").First, owner.Locator("[data-testid=feedback-status]"));
        await owner.WaitForURLAsync("**/my/feedback/*");
        await Assertions.Expect(owner.Locator("[data-testid=feedback-status]")).ToHaveTextAsync("Answered");
        Assert.Contains("checking the network", await owner.Locator("[data-testid=feedback-reply]").InnerTextAsync());

        Assert.DoesNotContain(ownerErrors.Concat(agentErrors), e => e.Contains("Content Security Policy", StringComparison.OrdinalIgnoreCase));
    }

    private static async Task<(IPage Page, List<string> Errors)> NewPageAsync(Browser browser)
    {
        var (page, errors) = await browser.NewPageAsync(locale: "en", width: 1366, height: 900);
        // Generous: CI shares two cores with this portal, the other test classes' portals and their Chromium (a sign-in's
        // page load once took over 30 s there).
        page.SetDefaultTimeout(60_000);
        return (page, errors);
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
        await page.FillAsync("#password", Password);
        await page.ClickAsync("button[type=submit]");
    }
}
