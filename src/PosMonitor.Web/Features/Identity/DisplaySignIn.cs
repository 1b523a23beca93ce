using System.Security.Claims;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Identity;
using Microsoft.Extensions.Options;
using PosMonitor.Web.Features.Audit;

namespace PosMonitor.Web.Features.Identity;

public enum DisplaySignInOutcome { SignedIn, UnknownToken, StaffSignedIn }

/// <summary>
/// A wall display token (an API key of scope <c>display</c>) becomes a sign-in cookie whose
/// principal carries only <c>scope=display</c> and <c>key_id</c>. That principal has no role, so
/// it passes only <see cref="PortalPolicies.Wall"/> (and the circuit); revoking the key ends it at
/// the next validation. Signing in takes a form post from <see cref="WallSignInPage"/> (antiforgery-checked):
/// a link alone (<c>/wall?token=KEY</c>, which leads there) never signs a browser in, and a display
/// token never replaces a signed-in user's session (login CSRF).
/// </summary>
internal static class DisplaySignIn
{
    public const string SignInPath = "/wall/sign-in";

    /// <summary>The documented link <c>/wall?token=KEY</c> opens the sign-in page; nothing is signed in by a GET.</summary>
    public static void RedirectToSignIn(HttpContext http) =>
        http.Response.Redirect($"{SignInPath}?token={Uri.EscapeDataString(http.Request.Query["token"].ToString())}");

    /// <summary>True when the browser is signed in as a portal user, whose session a display token must not replace.</summary>
    public static bool HasStaffSession(ClaimsPrincipal user) => IdentityExtensions.IsPortalUser(user);

    public static async Task<DisplaySignInOutcome> SignInAsync(HttpContext http, string token)
    {
        var services = http.RequestServices;
        var audit = services.GetRequiredService<AuditLog>();
        if (HasStaffSession(http.User))
        {
            await audit.RecordAsync(http.User, AuditActions.DisplaySignIn, "/wall", AuditResults.Denied, http.RequestAborted,
                "a staff session is signed in in this browser; the display token was not used");
            return DisplaySignInOutcome.StaffSignedIn;
        }
        var key = token.Length is > 0 and <= 200 ? await services.GetRequiredService<ApiKeyRepository>().FindAsync(token, http.RequestAborted) : null;
        if (key is null || key.Scope != Scopes.Display)
        {
            await audit.RecordAsync(key is null ? "anonymous" : $"key:{key.Id}", AuditActions.DisplaySignIn, "/wall", AuditResults.Denied, http.RequestAborted,
                key is null ? "unknown or revoked token" : $"scope {key.Scope} is not display");
            return DisplaySignInOutcome.UnknownToken;
        }

        var claims = new List<Claim>
        {
            new(ClaimTypes.NameIdentifier, key.Id),
            new(ClaimTypes.Name, key.Name),
            new(PosClaims.KeyId, key.Id),
            new(PosClaims.Scope, Scopes.Display),
        };
        var principal = new ClaimsPrincipal(new ClaimsIdentity(claims, IdentityConstants.ApplicationScheme));
        var days = services.GetRequiredService<IOptions<PortalIdentityOptions>>().Value.DisplaySessionDays;
        var now = services.GetRequiredService<TimeProvider>().GetUtcNow();
        await http.SignInAsync(IdentityConstants.ApplicationScheme, principal,
            new AuthenticationProperties { IsPersistent = true, ExpiresUtc = now.AddDays(days), AllowRefresh = true });
        await audit.RecordAsync($"key:{key.Id}", AuditActions.DisplaySignIn, "/wall", AuditResults.Success, http.RequestAborted);
        return DisplaySignInOutcome.SignedIn;
    }
}
