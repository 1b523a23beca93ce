using System.Security.Claims;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Identity;
using Microsoft.Extensions.Options;
using PosMonitor.Web.Features.Audit;

namespace PosMonitor.Web.Features.Identity;

/// <summary>
/// <c>/wall?token=KEY</c>: a wall display token (an API key of scope <c>display</c>) becomes a
/// sign-in cookie whose principal carries only <c>scope=display</c> and <c>key_id</c>, then the
/// browser goes to <c>/wall</c> without the token in its address bar. That principal has no
/// role, so it passes only <see cref="PortalPolicies.Wall"/> (and the circuit); revoking the key
/// ends it at the next validation.
/// </summary>
internal static class DisplaySignIn
{
    public static async Task HandleAsync(HttpContext http)
    {
        var services = http.RequestServices;
        var audit = services.GetRequiredService<AuditLog>();
        string token = http.Request.Query["token"].ToString();
        var key = token.Length is > 0 and <= 200 ? await services.GetRequiredService<ApiKeyRepository>().FindAsync(token, http.RequestAborted) : null;
        if (key is null || key.Scope != Scopes.Display)
        {
            await audit.RecordAsync(key is null ? "anonymous" : $"key:{key.Id}", AuditActions.DisplaySignIn, "/wall", AuditResults.Denied, http.RequestAborted,
                key is null ? "unknown or revoked token" : $"scope {key.Scope} is not display");
            http.Response.StatusCode = StatusCodes.Status401Unauthorized;
            http.Response.ContentType = "text/plain; charset=utf-8";
            await http.Response.WriteAsync("This wall display token is unknown, revoked or not a display token. Ask an administrator for a new link.");
            return;
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
        http.Response.Redirect("/wall");
    }
}
