using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Diagnostics;
using Microsoft.AspNetCore.Routing.Template;
using Microsoft.AspNetCore.WebUtilities;
using PosMonitor.Web.Features.Identity;

namespace PosMonitor.Web.Infrastructure.Api;

/// <summary>
/// Every <c>/api</c> answer is application/problem+json (src/PosMonitor.Web/Features/Telemetry/telemetry-api.md), errors without a body included: 401 and 403
/// from the sign-in cookie, 404 for an unknown route, 405 for a wrong method, 500. The portal's pages keep their HTML
/// error and not-found pages.
/// </summary>
public static class ApiErrorAnswers
{
    public static bool IsApi(HttpContext http) => http.Request.Path.StartsWithSegments("/api");

    /// <summary>
    /// Registered after the pages' exception handler and status code pages, so for <c>/api</c> these answer first and
    /// the pages' ones find the response already written.
    /// </summary>
    public static WebApplication UseApiProblemAnswers(this WebApplication app)
    {
        app.UseWhen(IsApi, api =>
        {
            api.UseExceptionHandler(new ExceptionHandlerOptions
            {
                ExceptionHandler = http => WriteAsync(http, StatusCodes.Status500InternalServerError, "The server could not answer this request; nothing more is known to the caller."),
            });
            api.UseStatusCodePages(c => WriteAsync(c.HttpContext, c.HttpContext.Response.StatusCode, null));
        });
        return app;
    }

    /// <summary>
    /// An <c>/api</c> path no endpoint serves (or only routing's own 405 answer, which carries no authorization) would fall
    /// under the portal's fallback policy, a signed-in person, and answer a valid API key 401. Here the caller is
    /// authenticated as the API does it (key or cookie; 401 when neither), then gets 404, or 405 with Allow.
    /// </summary>
    public static WebApplication UseApiUnmatchedRoutes(this WebApplication app)
    {
        var routes = new Lazy<IReadOnlyList<(TemplateMatcher Route, IReadOnlyList<string> Methods)>>(() => ApiRoutes(app.Services));
        app.Use(async (http, next) =>
        {
            var endpoint = http.GetEndpoint();
            if (!IsApi(http) || endpoint?.Metadata.GetMetadata<IAuthorizeData>() is not null || endpoint?.Metadata.GetMetadata<IAllowAnonymous>() is not null)
            {
                await next(http);
                return;
            }
            var caller = await http.AuthenticateAsync(IdentityExtensions.ApiOrCookieScheme);
            if (!caller.Succeeded)
            {
                await http.ChallengeAsync(IdentityExtensions.ApiOrCookieScheme);
                return;
            }
            http.User = caller.Principal;
            if (endpoint?.RequestDelegate is { } answer)
            {
                await answer(http);
                return;
            }
            // Routing answers 404, not 405, when a GET fails on a POST-only route: the static files' GET fallback was a candidate.
            var allowed = routes.Value.Where(r => r.Route.TryMatch(http.Request.Path, [])).SelectMany(r => r.Methods).Distinct().ToList();
            if (allowed.Count > 0) http.Response.Headers.Allow = string.Join(", ", allowed);
            http.Response.StatusCode = allowed.Count > 0 ? StatusCodes.Status405MethodNotAllowed : StatusCodes.Status404NotFound;
        });
        return app;
    }

    /// <summary>The /api routes and the methods each takes, read once from the app's endpoints.</summary>
    private static IReadOnlyList<(TemplateMatcher, IReadOnlyList<string>)> ApiRoutes(IServiceProvider services) =>
    [
        .. services.GetRequiredService<EndpointDataSource>().Endpoints.OfType<RouteEndpoint>()
            .Where(e => e.RoutePattern.RawText?.StartsWith("/api", StringComparison.OrdinalIgnoreCase) == true
                && e.Metadata.GetMetadata<IHttpMethodMetadata>() is { HttpMethods.Count: > 0 })
            .Select(e => (new TemplateMatcher(new RouteTemplate(e.RoutePattern), new RouteValueDictionary()),
                e.Metadata.GetMetadata<IHttpMethodMetadata>()!.HttpMethods)),
    ];

    private static Task WriteAsync(HttpContext http, int status, string? detail)
    {
        detail ??= status switch
        {
            StatusCodes.Status404NotFound => "There is no API endpoint at this path; the API is described in telemetry-api.md.",
            StatusCodes.Status405MethodNotAllowed => $"This path does not take {http.Request.Method}; it takes {http.Response.Headers.Allow}.",
            StatusCodes.Status401Unauthorized => "Send a valid API key in the X-Api-Key header or as Authorization: Bearer.",
            StatusCodes.Status403Forbidden => "This caller may not do this.",
            _ => null,
        };
        // Written as JSON whatever the Accept header says: an /api caller never gets HTML.
        return TypedResults.Problem(statusCode: status, title: ReasonPhrases.GetReasonPhrase(status), detail: detail).ExecuteAsync(http);
    }
}
