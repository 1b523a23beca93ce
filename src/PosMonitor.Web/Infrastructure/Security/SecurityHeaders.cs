using System.Security.Cryptography;

namespace PosMonitor.Web.Infrastructure.Security;

/// <summary>
/// Headers on every response: a content security policy with no inline script (the one inline
/// script, Blazor's import map, carries a per-request nonce), no framing, no MIME sniffing, and a
/// referrer that never leaves the site with a path. Styles allow 'unsafe-inline' because MudBlazor
/// sets style attributes and its theme writes a style element at run time.
/// </summary>
public static class SecurityHeaders
{
    private const string NonceKey = "csp-nonce";

    /// <summary>The nonce of this request's CSP, for the few inline scripts Blazor itself emits.</summary>
    public static string Nonce(HttpContext http) => http.Items[NonceKey] as string ?? "";

    public static IApplicationBuilder UseSecurityHeaders(this IApplicationBuilder app) => app.Use((http, next) =>
    {
        // Hex, not base64: "+" and "/" would be HTML-encoded in the attribute and confuse readers of the page source.
        var nonce = Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(16));
        http.Items[NonceKey] = nonce;
        var headers = http.Response.Headers;
        headers.ContentSecurityPolicy =
            $"default-src 'self'; script-src 'self' 'nonce-{nonce}'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; " +
            "font-src 'self' data:; connect-src 'self'; frame-ancestors 'none'; base-uri 'self'; form-action 'self'; object-src 'none'";
        headers.XContentTypeOptions = "nosniff";
        headers.XFrameOptions = "DENY";
        headers["Referrer-Policy"] = "same-origin";
        headers["Permissions-Policy"] = "camera=(), microphone=(), geolocation=(), payment=()";
        headers["Cross-Origin-Opener-Policy"] = "same-origin";
        return next(http);
    });
}
