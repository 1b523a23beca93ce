using System.Security.Claims;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authentication.Cookies;
using Microsoft.AspNetCore.Components.Authorization;
using Microsoft.AspNetCore.Components.Server;
using Microsoft.AspNetCore.Identity;
using Microsoft.Extensions.Options;

namespace PosMonitor.Web.Features.Identity;

/// <summary>
/// Whether a signed-in principal still stands: a user's server-side session (<see cref="SessionStore"/>)
/// must not have ended, and its user must be enabled, carry the current security stamp (changed on
/// disable, role or password change) and the same role; a wall display must still hold an active
/// <c>display</c> key. Checked on every request (cookie validation, one indexed query) and, every
/// <see cref="PortalIdentityOptions.RevalidateSeconds"/> and at once when a session ends on this
/// instance, inside open circuits.
/// </summary>
public sealed class SessionValidator(SessionStore sessions, ApiKeyRepository keys, IOptions<IdentityOptions> identity)
{
    public async Task<bool> IsValidAsync(ClaimsPrincipal principal, CancellationToken ct)
    {
        if (principal.Identity?.IsAuthenticated != true) return false;
        if (principal.FindFirstValue(PosClaims.Scope) == Scopes.Display)
            return principal.FindFirstValue(PosClaims.KeyId) is { } keyId && await keys.IsActiveAsync(keyId, Scopes.Display, ct);

        // A cookie from before server-side sessions has none: it signs in again.
        if (principal.FindFirstValue(PosClaims.SessionId) is not { } sessionId) return false;
        var session = await sessions.FindActiveAsync(sessionId, ct);
        return session is { Disabled: false }
            && session.UserId == principal.FindFirstValue(ClaimTypes.NameIdentifier)
            && session.SecurityStamp == principal.FindFirstValue(identity.Value.ClaimsIdentity.SecurityStampClaimType)
            && principal.IsInRole(session.Role);
    }

    /// <summary>The sign-in cookie's OnValidatePrincipal, on every request: a principal that no longer stands is signed out.</summary>
    internal static async Task ValidateCookieAsync(CookieValidatePrincipalContext context)
    {
        var validator = context.HttpContext.RequestServices.GetRequiredService<SessionValidator>();
        if (context.Principal is { } principal && await validator.IsValidAsync(principal, context.HttpContext.RequestAborted)) return;
        context.RejectPrincipal();
        await context.HttpContext.SignOutAsync(IdentityConstants.ApplicationScheme);
    }
}

/// <summary>
/// Re-checks an open circuit's principal, so a signed-out session, a disabled user or a revoked
/// wall token loses the page: at once when the session ended on this instance, otherwise within
/// the interval.
/// </summary>
internal sealed class PortalAuthenticationStateProvider : RevalidatingServerAuthenticationStateProvider
{
    private readonly SessionValidator _validator;
    private readonly SessionStore _sessions;
    private readonly TimeSpan _interval;

    public PortalAuthenticationStateProvider(ILoggerFactory loggers, SessionValidator validator, SessionStore sessions, IOptions<PortalIdentityOptions> options)
        : base(loggers)
    {
        _validator = validator;
        _sessions = sessions;
        _interval = TimeSpan.FromSeconds(options.Value.RevalidateSeconds);
        _sessions.Ended += OnSessionEnded;
    }

    protected override TimeSpan RevalidationInterval => _interval;

    protected override Task<bool> ValidateAuthenticationStateAsync(AuthenticationState state, CancellationToken ct) =>
        _validator.IsValidAsync(state.User, ct);

    private async void OnSessionEnded(string sessionId)
    {
        try
        {
            var state = await GetAuthenticationStateAsync();
            if (state.User.FindFirstValue(PosClaims.SessionId) == sessionId)
                SetAuthenticationState(Task.FromResult(new AuthenticationState(new ClaimsPrincipal(new ClaimsIdentity()))));
        }
        catch (InvalidOperationException)
        {
            // No state yet (the circuit is still starting): its first revalidation refuses the session.
        }
    }

    protected override void Dispose(bool disposing)
    {
        if (disposing) _sessions.Ended -= OnSessionEnded;
        base.Dispose(disposing);
    }
}
