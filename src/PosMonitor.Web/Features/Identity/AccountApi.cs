using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;

namespace PosMonitor.Web.Features.Identity;

/// <summary><c>POST /account/sign-out</c>: a form post (antiforgery-checked), so another site cannot sign people out.</summary>
public static class AccountApi
{
    public static IEndpointRouteBuilder MapAccountApi(this IEndpointRouteBuilder app)
    {
        app.MapPost("/account/sign-out", SignOut).RequireAuthorization(PortalPolicies.Circuit);
        return app;
    }

    public static async Task<RedirectHttpResult> SignOut(HttpContext http, PortalSignIn signIn, [FromForm] string? returnUrl)
    {
        await signIn.SignOutAsync(http.User, http.RequestAborted);
        return TypedResults.Redirect("/account/sign-in");
    }
}
