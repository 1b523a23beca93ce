using System.Security.Claims;
using Microsoft.AspNetCore.Identity;
using Microsoft.Extensions.DependencyInjection;
using PosMonitor.Web.Features.Feedback;
using PosMonitor.Web.Features.Identity;
using PosMonitor.Web.Tests.Identity;

namespace PosMonitor.Web.Tests.Feedback;

public static class FeedbackKit
{
    /// <summary>Feedback from a demo owner, through the service the portal's form calls; returns its id.</summary>
    public static async Task<string> SubmitFeedbackAsync(this PortalFactory factory, string owner, string text)
    {
        using var scope = factory.Services.CreateScope();
        var (id, problems) = await scope.ServiceProvider.GetRequiredService<FeedbackService>().SubmitAsync(await factory.PrincipalAsync(owner),
            new FeedbackInput { Category = FeedbackCategories.Other, Rating = 4, Text = text }, CancellationToken.None);
        Assert.Empty(problems);
        return id!;
    }

    /// <summary>The principal the portal builds for a signed-in user.</summary>
    public static async Task<ClaimsPrincipal> PrincipalAsync(this PortalFactory factory, string email)
    {
        using var scope = factory.Services.CreateScope();
        var users = scope.ServiceProvider.GetRequiredService<UserManager<PortalUser>>();
        return await scope.ServiceProvider.GetRequiredService<IUserClaimsPrincipalFactory<PortalUser>>().CreateAsync((await users.FindByNameAsync(email))!);
    }
}
