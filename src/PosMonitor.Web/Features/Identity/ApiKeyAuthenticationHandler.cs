using System.Security.Claims;
using System.Text.Encodings.Web;
using Microsoft.AspNetCore.Authentication;
using Microsoft.Extensions.Options;

namespace PosMonitor.Web.Features.Identity;

/// <summary>
/// Authenticates <c>X-Api-Key</c> (and, on the live hub, SignalR's <c>access_token</c> query
/// parameter). Missing or unknown key → 401, known key with the wrong scope → 403, both as
/// problem+json.
/// </summary>
public sealed class ApiKeyAuthenticationHandler(
    IOptionsMonitor<AuthenticationSchemeOptions> options, ILoggerFactory logger, UrlEncoder encoder,
    ApiKeyRepository keys, IProblemDetailsService problems)
    : AuthenticationHandler<AuthenticationSchemeOptions>(options, logger, encoder)
{
    public const string SchemeName = "ApiKey";
    public const string Header = "X-Api-Key";

    protected override async Task<AuthenticateResult> HandleAuthenticateAsync()
    {
        string? key = Request.Headers[Header];
        if (string.IsNullOrEmpty(key) && Request.Path.StartsWithSegments("/hubs"))
            key = Request.Query["access_token"];
        if (string.IsNullOrEmpty(key)) return AuthenticateResult.NoResult();

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
            $"Send a valid key in the {Header} header.");

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
