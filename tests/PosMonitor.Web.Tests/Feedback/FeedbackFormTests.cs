using System.Security.Claims;
using Bunit;
using Microsoft.AspNetCore.Identity;
using Microsoft.Extensions.DependencyInjection;
using MudBlazor;
using PosMonitor.Web.Features.Feedback;
using PosMonitor.Web.Features.Identity;
using PosMonitor.Web.Features.Portal;
using PosMonitor.Web.Tests.Identity;
using PosMonitor.Web.Tests.Infrastructure;

namespace PosMonitor.Web.Tests.Feedback;

/// <summary>The form rendered with bUnit, sending through the real FeedbackService of a PortalFactory (as MyFeedbackPage does).</summary>
public class FeedbackFormTests(PortalFactory factory) : BunitTest, IClassFixture<PortalFactory>
{
    private static readonly CancellationToken None = CancellationToken.None;

    [Fact]
    public void Submitting_without_category_rating_and_text_is_refused_with_a_message_for_each()
    {
        var sent = 0;
        var cut = Render<FeedbackForm>(p => p
            .Add(f => f.Terminals, ["T-000001"])
            .Add(f => f.OnSubmit, _ => { sent++; return Task.FromResult<IReadOnlyDictionary<string, string>>(new Dictionary<string, string>()); }));

        cut.Find(".fb-submit").Click();

        var text = cut.Markup;
        Assert.Contains("Choose a category.", text);
        Assert.Contains("Choose a rating from 1 to 5 stars.", text);
        Assert.Contains("Tell us in a few words what happened (at least 5 characters).", text);
        Assert.Equal(0, sent);
    }

    [Fact]
    public async Task The_terminal_list_offers_only_the_owners_terminals_and_a_forged_foreign_terminal_is_refused_by_the_service()
    {
        await factory.SeedAsync();
        var (owner, submit) = await OwnerSubmitAsync(PortalFactory.Owner1);
        var terminals = factory.Services.GetRequiredService<MerchantPortal>().TerminalsOf("m-0001").Select(t => t.Id).ToList();
        var popovers = Render<MudPopoverProvider>();
        var cut = Render<FeedbackForm>(p => p.Add(f => f.Terminals, terminals).Add(f => f.OnSubmit, submit));
        var terminalSelect = cut.FindComponents<MudSelect<string>>().Single(s => s.Instance.Label == "Terminal");

        await cut.InvokeAsync(() => terminalSelect.Instance.OpenMenu());
        var offered = popovers.WaitForElements(".mud-list-item").Select(e => e.TextContent.Trim()).ToList();
        Assert.Equal(["T-000001", "T-000002"], offered.Order());
        await cut.InvokeAsync(() => terminalSelect.Instance.CloseMenu());

        // A tampered circuit message could still set another merchant's terminal: the service refuses it.
        await FillAsync(cut, "The card reader stopped working.");
        await cut.InvokeAsync(() => terminalSelect.Instance.ValueChanged.InvokeAsync("T-000003"));
        await cut.InvokeAsync(() => cut.Find(".fb-submit").Click());

        cut.WaitForAssertion(() => Assert.Contains("Choose one of your own terminals.", cut.Markup));
        var mine = await factory.Services.CreateScope().ServiceProvider.GetRequiredService<FeedbackService>().MineAsync(owner, None);
        Assert.DoesNotContain(mine, f => f.Text == "The card reader stopped working.");
    }

    [Fact]
    public async Task A_card_number_in_the_text_is_masked_before_storing_while_a_luhn_invalid_16_digit_order_number_stays()
    {
        await factory.SeedAsync();
        var (owner, submit) = await OwnerSubmitAsync(PortalFactory.Owner2);
        var cut = Render<FeedbackForm>(p => p.Add(f => f.Terminals, ["T-000003"]).Add(f => f.OnSubmit, submit));

        await FillAsync(cut, "Paid with 5555 5555 5555 4444 for order 1234567812345678 but got a timeout.");
        await cut.InvokeAsync(() => cut.Find(".fb-submit").Click());

        Assert.DoesNotContain("fb-problem", cut.Markup);
        var mine = await factory.Services.CreateScope().ServiceProvider.GetRequiredService<FeedbackService>().MineAsync(owner, None);
        var stored = Assert.Single(mine, f => f.Text.Contains("1234567812345678", StringComparison.Ordinal));
        Assert.DoesNotContain("5555 5555 5555 4444", stored.Text);
        Assert.Contains("555555******4444", stored.Text);
    }

    private static async Task FillAsync(IRenderedComponent<FeedbackForm> cut, string text)
    {
        await cut.InvokeAsync(() => cut.FindComponents<MudSelect<string>>().Single(s => s.Instance.Label == "Category")
            .Instance.ValueChanged.InvokeAsync(FeedbackCategories.Payment));
        cut.FindAll(".fb-star")[3].Click();
        cut.Find(".fb-text textarea").Input(text);
    }

    private async Task<(ClaimsPrincipal Owner, Func<FeedbackInput, Task<IReadOnlyDictionary<string, string>>> Submit)> OwnerSubmitAsync(string email)
    {
        ClaimsPrincipal owner;
        using (var scope = factory.Services.CreateScope())
        {
            var users = scope.ServiceProvider.GetRequiredService<UserManager<PortalUser>>();
            owner = await scope.ServiceProvider.GetRequiredService<IUserClaimsPrincipalFactory<PortalUser>>().CreateAsync((await users.FindByNameAsync(email))!);
        }
        return (owner, async input =>
        {
            using var scope = factory.Services.CreateScope();
            var (_, problems) = await scope.ServiceProvider.GetRequiredService<FeedbackService>().SubmitAsync(owner, input, None);
            return problems;
        });
    }
}
