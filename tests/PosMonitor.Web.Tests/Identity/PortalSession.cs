using System.Text.RegularExpressions;
using Microsoft.AspNetCore.Identity;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.Extensions.DependencyInjection;
using PosMonitor.Web.Features.Identity;

namespace PosMonitor.Web.Tests.Identity;

public static partial class PortalSession
{
    public static async Task<HttpResponseMessage> PostSignInAsync(HttpClient client, string email, string password)
    {
        var page = await client.GetStringAsync("/account/sign-in");
        return await client.PostAsync("/account/sign-in", new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["_handler"] = "sign-in",
            ["__RequestVerificationToken"] = AntiforgeryToken(page),
            ["Input.Email"] = email,
            ["Input.Password"] = password,
        }));
    }

    /// <summary>Signs a wall display in as its screen does: the link's page, then its form post.</summary>
    public static async Task<HttpResponseMessage> PostWallSignInAsync(HttpClient client, string key)
    {
        var page = await client.GetStringAsync($"/wall/sign-in?token={Uri.EscapeDataString(key)}");
        return await client.PostAsync("/wall/sign-in", new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["_handler"] = "wall-sign-in",
            ["__RequestVerificationToken"] = AntiforgeryToken(page),
            ["Input.Token"] = key,
        }));
    }

    /// <summary>"PosMonitor.Auth=…" from a sign-in response, to replay as a Cookie header.</summary>
    public static string AuthCookie(HttpResponseMessage signIn) =>
        signIn.Headers.GetValues("Set-Cookie").First(c => c.StartsWith(IdentityExtensions.CookieName + "=", StringComparison.Ordinal)).Split(';')[0];

    /// <summary>The principal a sign-in cookie ("PosMonitor.Auth=…") carries, as <paramref name="instance"/> reads it.</summary>
    public static System.Security.Claims.ClaimsPrincipal PrincipalOf(WebApplicationFactory<Program> instance, string cookie)
    {
        var options = instance.Services.GetRequiredService<Microsoft.Extensions.Options.IOptionsMonitor<Microsoft.AspNetCore.Authentication.Cookies.CookieAuthenticationOptions>>()
            .Get(IdentityConstants.ApplicationScheme);
        return options.TicketDataFormat.Unprotect(Uri.UnescapeDataString(cookie[(cookie.IndexOf('=') + 1)..]))!.Principal;
    }

    public static string AntiforgeryToken(string html) => Token().Match(html).Groups[1].Value;

    /// <summary>The page's error message, or null when it shows none.</summary>
    public static string? SignInError(string html) => Error().Match(html) is { Success: true } m ? m.Groups[1].Value : null;

    [GeneratedRegex("name=\"__RequestVerificationToken\" value=\"([^\"]+)\"")]
    private static partial Regex Token();

    [GeneratedRegex("data-testid=\"sign-in-error\">([^<]*)<")]
    private static partial Regex Error();
}
