using System.Security.Claims;
using System.Text.Encodings.Web;
using Microsoft.AspNetCore.Authentication;
using Microsoft.Extensions.Options;

namespace PosMonitor.Web.Features.Identity;

/// <summary>
/// Authenticates an API key sent as <c>X-Api-Key</c> or <c>Authorization: Bearer</c> (and, on the live hub, SignalR's
/// <c>access_token</c> query parameter). Missing or unknown key → 401, known key with the wrong scope → 403, both as
/// problem+json.
/// </summary>
public sealed class ApiKeyAuthenticationHandler(
    IOptionsMonitor<AuthenticationSchemeOptions> options, ILoggerFactory logger, UrlEncoder encoder,
    ApiKeyRepository keys, IProblemDetailsService problems)
    : AuthenticationHandler<AuthenticationSchemeOptions>(options, logger, encoder)
{
    public const string SchemeName = "ApiKey";
    public const string Header = "X-Api-Key";

    /// <summary>
    /// The key a request carries, in any of the ways src/PosMonitor.Web/Features/Telemetry/telemetry-api.md allows: <c>X-Api-Key</c>, <c>Authorization: Bearer</c>
    /// (what stock SignalR clients send for <c>accessTokenFactory</c>, negotiate included), or on the hub the
    /// <c>access_token</c> query parameter (browsers' WebSocket and SSE transports cannot set headers).
    /// </summary>
    public static string? SentKey(HttpRequest request)
    {
        if (request.Headers[Header].ToString() is { Length: > 0 } header) return header;
        if (request.Headers.Authorization.ToString() is { } authorization
            && authorization.StartsWith(BearerPrefix, StringComparison.OrdinalIgnoreCase)
            && authorization[BearerPrefix.Length..].Trim() is { Length: > 0 } bearer)
            return bearer;
        if (request.Path.StartsWithSegments("/hubs") && request.Query["access_token"].ToString() is { Length: > 0 } token) return token;
        return null;
    }

    private const string BearerPrefix = "Bearer ";

    protected override async Task<AuthenticateResult> HandleAuthenticateAsync()
    {
        var key = SentKey(Request);
        if (key is null) return AuthenticateResult.NoResult();

        var found = await keys.FindAsync(key, Context.RequestAborted);
        if (found is null) return AuthenticateResult.Fail("Unknown or revoked API key");

        var claims = new List<Claim>
        {
            new(ClaimTypes.NameIdentifier, found.Id),
            new(ClaimTypes.Name, found.Name),
            new(PosClaims.KeyId, found.Id),
            new(PosClaims.Scope, found.Scope),
        };
        if (found.MerchantId is not null) claims.Add(new Claim(PosClaims.MerchantId, found.MerchantId));
        var principal = new ClaimsPrincipal(new ClaimsIdentity(claims, SchemeName));
        return AuthenticateResult.Success(new AuthenticationTicket(principal, SchemeName));
    }

    protected override Task HandleChallengeAsync(AuthenticationProperties properties) =>
        WriteProblem(StatusCodes.Status401Unauthorized, "Missing or unknown API key",
            $"Send a valid key in the {Header} header or as Authorization: Bearer.");

    protected override Task HandleForbiddenAsync(AuthenticationProperties properties) =>
        WriteProblem(StatusCodes.Status403Forbidden, "API key scope does not allow this",
            $"This key's scope is '{Context.User.FindFirst(PosClaims.Scope)?.Value}'.");

    private Task WriteProblem(int status, string title, string detail)
    {
        Response.StatusCode = status;
        return problems.WriteAsync(new ProblemDetailsContext
        {
            HttpContext = Context,
            ProblemDetails = { Status = status, Title = title, Detail = detail },
        }).AsTask();
    }
}
