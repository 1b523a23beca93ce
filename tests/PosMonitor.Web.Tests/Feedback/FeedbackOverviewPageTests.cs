using System.Net;
using PosMonitor.Web.Tests.Identity;
using PosMonitor.Web.Tests.Infrastructure;

namespace PosMonitor.Web.Tests.Feedback;

/// <summary>The weekly overview as served (its own portal: it counts every feedback).</summary>
public class FeedbackOverviewPageTests(PortalFactory factory) : IClassFixture<PortalFactory>
{
    [Fact]
    public async Task Weeks_without_feedback_are_said_in_words_and_the_chart_comes_with_the_first()
    {
        await factory.SeedAsync();
        var agent = await factory.SignedInAsync(PortalFactory.Agent);
        async Task<string> Page() => WebUtility.HtmlDecode(await agent.GetStringAsync("/feedback/overview"));

        var none = await Page();
        Assert.Contains("No feedback arrived in the last 8 weeks.", none);
        Assert.DoesNotMatch(Markup.Chart, none);

        await factory.SubmitFeedbackAsync(PortalFactory.Owner1, "Receipts print faint since Monday.");
        var some = await Page();
        Assert.DoesNotContain("No feedback arrived", some);
        Assert.Matches(Markup.Chart, some);
    }
}
