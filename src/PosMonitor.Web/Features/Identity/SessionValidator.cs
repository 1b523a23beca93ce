using System.Security.Claims;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authentication.Cookies;
using Microsoft.AspNetCore.Components.Authorization;
using Microsoft.AspNetCore.Components.Server;
using Microsoft.AspNetCore.Identity;
using Microsoft.Extensions.Options;

namespace PosMonitor.Web.Features.Identity;

/// <summary>
/// Whether a signed-in principal still stands: a user must exist, be enabled and carry the current
/// security stamp (changed on sign-out, disable, role or password change); a wall display must
/// still hold an active <c>display</c> key. Checked on requests (cookie validation) and, every
/// <see cref="PortalIdentityOptions.RevalidateSeconds"/>, inside open circuits.
/// </summary>
public sealed class SessionValidator(IServiceScopeFactory scopes, ApiKeyRepository keys, IOptions<IdentityOptions> identity)
{
    public async Task<bool> IsValidAsync(ClaimsPrincipal principal, CancellationToken ct)
    {
        if (principal.Identity?.IsAuthenticated != true) return false;
        if (principal.FindFirstValue(PosClaims.Scope) == Scopes.Display)
            return principal.FindFirstValue(PosClaims.KeyId) is { } keyId && await keys.IsActiveAsync(keyId, Scopes.Display, ct);

        var id = principal.FindFirstValue(ClaimTypes.NameIdentifier);
        if (id is null) return false;
        await using var scope = scopes.CreateAsyncScope();
        var user = await scope.ServiceProvider.GetRequiredService<PortalUserStore>().FindByIdAsync(id, ct);
        return user is { Disabled: false }
            && user.SecurityStamp == principal.FindFirstValue(identity.Value.ClaimsIdentity.SecurityStampClaimType)
            && principal.IsInRole(user.Role);
    }

    /// <summary>The sign-in cookie's OnValidatePrincipal: display principals by key, users by Identity's stamp validator.</summary>
    internal static async Task ValidateCookieAsync(CookieValidatePrincipalContext context)
    {
        if (context.Principal?.FindFirstValue(PosClaims.Scope) != Scopes.Display)
        {
            await SecurityStampValidator.ValidatePrincipalAsync(context);
            return;
        }
        var validator = context.HttpContext.RequestServices.GetRequiredService<SessionValidator>();
        if (await validator.IsValidAsync(context.Principal, context.HttpContext.RequestAborted)) return;
        context.RejectPrincipal();
        await context.HttpContext.SignOutAsync(IdentityConstants.ApplicationScheme);
    }
}

/// <summary>Re-checks an open circuit's principal, so a disabled user or revoked wall token loses the page within the interval.</summary>
internal sealed class PortalAuthenticationStateProvider(ILoggerFactory loggers, SessionValidator sessions, IOptions<PortalIdentityOptions> options)
    : RevalidatingServerAuthenticationStateProvider(loggers)
{
    protected override TimeSpan RevalidationInterval => TimeSpan.FromSeconds(Math.Clamp(options.Value.RevalidateSeconds, 1, 60));

    protected override Task<bool> ValidateAuthenticationStateAsync(AuthenticationState state, CancellationToken ct) =>
        sessions.IsValidAsync(state.User, ct);
}
