using Microsoft.AspNetCore.Antiforgery;
using Microsoft.AspNetCore.Http.HttpResults;

namespace PosMonitor.Web.Features.Identity;

/// <summary><c>POST /account/sign-out</c>: a form post (antiforgery-checked), so another site cannot sign people out.</summary>
public static class AccountApi
{
    public static IEndpointRouteBuilder MapAccountApi(this IEndpointRouteBuilder app)
    {
        app.MapPost("/account/sign-out", SignOut).RequireAuthorization(PortalPolicies.Circuit);
        return app;
    }

    // Validated here rather than by the antiforgery middleware, whose failure surfaces as an exception, not a 400.
    public static async Task<Results<RedirectHttpResult, BadRequest>> SignOut(HttpContext http, PortalSignIn signIn, IAntiforgery antiforgery)
    {
        if (!await antiforgery.IsRequestValidAsync(http)) return TypedResults.BadRequest();
        await signIn.SignOutAsync(http.User, http.RequestAborted);
        return TypedResults.Redirect("/account/sign-in");
    }
}
