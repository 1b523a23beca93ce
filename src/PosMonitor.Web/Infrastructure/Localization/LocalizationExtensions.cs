using System.Globalization;
using Microsoft.AspNetCore.Localization;
using PosMonitor.Web.Features.Identity;

namespace PosMonitor.Web.Infrastructure.Localization;

public static class LocalizationExtensions
{
    public static readonly string[] Cultures = ["en", "zh-CN"];

    public static IHostApplicationBuilder AddPosMonitorLocalization(this IHostApplicationBuilder builder)
    {
        builder.Services.AddLocalization();
        builder.Services.AddSingleton<CountText>();
        // MudBlazor's own labels (pagers, "Loading…", "Required") in the reader's language; MudBlazor asks for this if registered.
        builder.Services.AddTransient<MudBlazor.MudLocalizer, MudStringsLocalizer>();
        builder.Services.Configure<RequestLocalizationOptions>(o =>
        {
            o.SetDefaultCulture(Cultures[0]).AddSupportedCultures(Cultures).AddSupportedUICultures(Cultures);
            o.ApplyCurrentCultureToResponseHeaders = true;
        });
        return builder;
    }

    /// <summary>
    /// <c>/culture?name=zh-CN&amp;redirect=/merchants</c>: stores the choice in the culture cookie and
    /// goes back, so the next circuit starts in that language.
    /// </summary>
    public static IEndpointRouteBuilder MapCultureEndpoint(this IEndpointRouteBuilder app)
    {
        app.MapGet("/culture", (string? name, string? redirect, HttpContext http) =>
        {
            var culture = Cultures.Contains(name) ? name! : Cultures[0];
            http.Response.Cookies.Append(CookieRequestCultureProvider.DefaultCookieName,
                CookieRequestCultureProvider.MakeCookieValue(new RequestCulture(culture)),
                new CookieOptions { Expires = DateTimeOffset.UtcNow.AddYears(1), IsEssential = true, HttpOnly = true, SameSite = SameSiteMode.Lax, Secure = http.Request.IsHttps });
            // Only local paths: an open redirect would let a link send users elsewhere; anything else goes home, never a 500.
            return Results.LocalRedirect(LocalUrl.OrHome(redirect));
        }).AllowAnonymous();
        return app;
    }

    public static string DisplayName(string culture) => CultureInfo.GetCultureInfo(culture).NativeName;
}
