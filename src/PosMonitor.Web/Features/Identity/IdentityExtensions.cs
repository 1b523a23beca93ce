using System.Security.Claims;
using System.Threading.RateLimiting;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authentication.Cookies;
using Microsoft.AspNetCore.Components.Authorization;
using Microsoft.AspNetCore.Components.Server;
using Microsoft.AspNetCore.Identity;
using Microsoft.AspNetCore.RateLimiting;
using Microsoft.Extensions.Options;
using PosMonitor.Web.Features.Audit;
using PosMonitor.Web.Infrastructure;

namespace PosMonitor.Web.Features.Identity;

public static class IdentityExtensions
{
    public const string SignInRateLimitPolicy = "sign-in-per-ip";

    /// <summary>The scheme of the read API and hub: an API key when one is sent, otherwise the sign-in cookie.</summary>
    public const string ApiOrCookieScheme = "ApiKeyOrCookie";

    public const string CookieName = "PosMonitor.Auth";

    public static IHostApplicationBuilder AddPosMonitorIdentity(this IHostApplicationBuilder builder)
    {
        var services = builder.Services;
        services.AddValidatedOptions<BootstrapOptions>(BootstrapOptions.Section);
        services.AddValidatedOptions<PortalIdentityOptions>(PortalIdentityOptions.Section);
        services.AddSingleton<ApiKeyRepository>();
        services.AddHttpContextAccessor();
        services.AddScoped<ClientAddress>();
        services.AddScoped<AuditLog>();
        services.AddScoped<PortalViewer>();

        services.AddAuthentication(o =>
            {
                o.DefaultScheme = IdentityConstants.ApplicationScheme;
                o.DefaultSignInScheme = IdentityConstants.ApplicationScheme;
            })
            .AddScheme<AuthenticationSchemeOptions, ApiKeyAuthenticationHandler>(ApiKeyAuthenticationHandler.SchemeName, null)
            .AddPolicyScheme(ApiOrCookieScheme, "API key or sign-in cookie", o => o.ForwardDefaultSelector = SelectApiScheme)
            .AddIdentityCookies();

        services.AddOptions<CookieAuthenticationOptions>(IdentityConstants.ApplicationScheme)
            .Configure<IOptions<PortalIdentityOptions>>((o, portal) =>
            {
                o.Cookie.Name = CookieName;
                o.Cookie.HttpOnly = true;
                o.Cookie.SameSite = SameSiteMode.Lax;
                o.Cookie.SecurePolicy = CookieSecurePolicy.SameAsRequest;
                o.ExpireTimeSpan = TimeSpan.FromHours(portal.Value.SessionHours);
                o.SlidingExpiration = true;
                o.LoginPath = "/account/sign-in";
                o.LogoutPath = "/account/sign-out";
                o.AccessDeniedPath = "/account/denied";
                o.Events.OnValidatePrincipal = SessionValidator.ValidateCookieAsync;
                // The API and hub answer with status codes (problem+json from the API key handler), never a sign-in page.
                o.Events.OnRedirectToLogin = c => IsMachinePath(c.Request) ? Status(c, 401) : Redirect(c);
                o.Events.OnRedirectToAccessDenied = c => IsMachinePath(c.Request) ? Status(c, 403) : Redirect(c);
            });
        foreach (var scheme in new[] { IdentityConstants.TwoFactorUserIdScheme, IdentityConstants.ExternalScheme, IdentityConstants.TwoFactorRememberMeScheme })
            services.Configure<CookieAuthenticationOptions>(scheme, o =>
            {
                o.Cookie.HttpOnly = true;
                o.Cookie.SameSite = SameSiteMode.Lax;
                o.Cookie.SecurePolicy = CookieSecurePolicy.SameAsRequest;
            });

        services.AddIdentityCore<PortalUser>(o =>
            {
                o.Password.RequiredLength = 12;
                o.Password.RequiredUniqueChars = 4;
                // Length over composition rules (NIST SP 800-63B): long passphrases need no symbols.
                o.Password.RequireDigit = false;
                o.Password.RequireLowercase = false;
                o.Password.RequireUppercase = false;
                o.Password.RequireNonAlphanumeric = false;
                o.Lockout.MaxFailedAccessAttempts = 10;
                o.Lockout.DefaultLockoutTimeSpan = TimeSpan.FromMinutes(30);
                o.Lockout.AllowedForNewUsers = true;
                // "Confirmed" means "not disabled" (EnabledUserConfirmation): a disabled user cannot sign in.
                o.SignIn.RequireConfirmedAccount = true;
                o.User.RequireUniqueEmail = false;
            })
            .AddUserStore<PortalUserStore>()
            .AddClaimsPrincipalFactory<PortalClaimsFactory>()
            .AddSignInManager<PortalSignInManager>()
            .AddTokenProvider<AuthenticatorTokenProvider<PortalUser>>(TokenOptions.DefaultAuthenticatorProvider);
        services.AddScoped<IUserConfirmation<PortalUser>, EnabledUserConfirmation>();
        services.AddScoped<PortalUserStore>();
        services.AddScoped<PortalSignIn>();
        services.AddScoped<UserAdministration>();
        services.AddSingleton<SessionStore>();
        services.AddSingleton<SessionValidator>();
        services.AddScoped<IdentitySeeder>();

        services.AddCascadingAuthenticationState();
        services.AddScoped<AuthenticationStateProvider, PortalAuthenticationStateProvider>();

        var auth = services.AddAuthorizationBuilder()
            .AddPolicy(ApiPolicies.Admin, p => p.AddAuthenticationSchemes(ApiKeyAuthenticationHandler.SchemeName)
                .RequireClaim(PosClaims.Scope, Scopes.Admin))
            .AddPolicy(ApiPolicies.Ingest, p => p.AddAuthenticationSchemes(ApiKeyAuthenticationHandler.SchemeName)
                .RequireClaim(PosClaims.Scope, Scopes.Admin, Scopes.IngestPlatform, Scopes.IngestMerchant))
            // Reading and the live hub also take signed-in users (src/PosMonitor.Web/Features/Telemetry/telemetry-api.md: "Signed-in users connect with
            // their cookie"); what they see is still narrowed by Viewer.
            .AddPolicy(ApiPolicies.Read, p => p.AddAuthenticationSchemes(ApiOrCookieScheme).RequireAuthenticatedUser()
                .RequireAssertion(c => HasScope(c.User, Scopes.Admin, Scopes.ReadPlatform, Scopes.ReadMerchant) || IsPortalUser(c.User)))
            .AddPolicy(ApiPolicies.Live, p => p.AddAuthenticationSchemes(ApiOrCookieScheme).RequireAuthenticatedUser()
                .RequireAssertion(c => HasScope(c.User, Scopes.Admin, Scopes.ReadPlatform, Scopes.ReadMerchant, Scopes.Display) || IsPortalUser(c.User)));
        PortalPolicies.Add(auth);

        services.AddRateLimiter(o => o.AddPolicy<string, SignInRateLimit>(SignInRateLimitPolicy));
        return builder;
    }

    /// <summary>
    /// Request-level pieces that must run around authentication: the wall display link
    /// <c>/wall?token=KEY</c> leads to its sign-in page, and merchant owners landing on the staff home go to their own.
    /// </summary>
    public static WebApplication UsePosMonitorIdentity(this WebApplication app)
    {
        app.UseAuthentication();
        app.Use(async (http, next) =>
        {
            if (http.Request.Path == "/wall" && http.Request.Query.ContainsKey("token"))
            {
                DisplaySignIn.RedirectToSignIn(http);
                return;
            }
            if (http.Request.Path == "/" && http.User.IsInRole(Roles.MerchantOwner))
            {
                http.Response.Redirect("/my");
                return;
            }
            await next(http);
        });
        return app;
    }

    public static bool IsPortalUser(ClaimsPrincipal user) =>
        user.FindFirstValue(PosClaims.Scope) is null && Roles.All.Any(user.IsInRole);

    private static bool HasScope(ClaimsPrincipal user, params string[] scopes) =>
        user.FindFirstValue(PosClaims.Scope) is { } scope && scopes.Contains(scope);

    private static string SelectApiScheme(HttpContext http)
    {
        if (ApiKeyAuthenticationHandler.SentKey(http.Request) is not null) return ApiKeyAuthenticationHandler.SchemeName;
        // Without a key or a cookie, the API key scheme answers: 401 problem+json, as the API spec says.
        return http.Request.Cookies.ContainsKey(CookieName) ? IdentityConstants.ApplicationScheme : ApiKeyAuthenticationHandler.SchemeName;
    }

    private static bool IsMachinePath(HttpRequest request) =>
        request.Path.StartsWithSegments("/api") || request.Path.StartsWithSegments("/hubs");

    private static Task Status(RedirectContext<CookieAuthenticationOptions> c, int status)
    {
        c.Response.StatusCode = status;
        return Task.CompletedTask;
    }

    private static Task Redirect(RedirectContext<CookieAuthenticationOptions> c)
    {
        c.Response.Redirect(c.RedirectUri);
        return Task.CompletedTask;
    }

    /// <summary>Counts only sign-in form posts, per client IP; page views are free.</summary>
    private sealed class SignInRateLimit(IOptions<PortalIdentityOptions> options) : IRateLimiterPolicy<string>
    {
        public Func<OnRejectedContext, CancellationToken, ValueTask>? OnRejected { get; } = (context, _) =>
        {
            context.HttpContext.Response.StatusCode = StatusCodes.Status429TooManyRequests;
            context.HttpContext.Response.Headers.RetryAfter = "60";
            return ValueTask.CompletedTask;
        };

        public RateLimitPartition<string> GetPartition(HttpContext http) =>
            !HttpMethods.IsPost(http.Request.Method)
                ? RateLimitPartition.GetNoLimiter("views")
                : RateLimitPartition.GetFixedWindowLimiter(http.Connection.RemoteIpAddress?.ToString() ?? "unknown", _ => new FixedWindowRateLimiterOptions
                {
                    PermitLimit = options.Value.SignInPermitsPerMinute,
                    Window = TimeSpan.FromMinutes(1),
                    QueueLimit = 0,
                });
    }
}

/// <summary>A disabled user counts as "not confirmed", so SignInManager refuses to sign them in.</summary>
internal sealed class EnabledUserConfirmation : IUserConfirmation<PortalUser>
{
    public Task<bool> IsConfirmedAsync(UserManager<PortalUser> manager, PortalUser user) => Task.FromResult(!user.Disabled);
}

/// <summary>Adds the role and, for a merchant owner, the <c>merchant_id</c> claim that <see cref="Viewer.From"/> reads.</summary>
internal sealed class PortalClaimsFactory(UserManager<PortalUser> users, IOptions<IdentityOptions> options)
    : UserClaimsPrincipalFactory<PortalUser>(users, options)
{
    protected override async Task<ClaimsIdentity> GenerateClaimsAsync(PortalUser user)
    {
        var identity = await base.GenerateClaimsAsync(user);
        identity.AddClaim(new Claim(Options.ClaimsIdentity.RoleClaimType, user.Role));
        identity.AddClaim(new Claim("display_name", user.DisplayName));
        if (user.Role == Roles.MerchantOwner && !string.IsNullOrEmpty(user.MerchantId))
            identity.AddClaim(new Claim(PosClaims.MerchantId, user.MerchantId));
        return identity;
    }
}

public static class CircuitAuthorization
{
    /// <summary>
    /// The Blazor circuit endpoints (<c>/_blazor</c>) take anyone the sign-in cookie authenticated,
    /// wall displays included; each page inside the circuit is still authorized by <c>Routes</c>.
    /// Without this they would fall under the fallback policy, which shuts out display tokens.
    /// </summary>
    public static RazorComponentsEndpointConventionBuilder RequireCircuitAuthorization(this RazorComponentsEndpointConventionBuilder builder)
    {
        builder.Add(endpoint =>
        {
            if (endpoint is RouteEndpointBuilder { RoutePattern.RawText: { } pattern } && pattern.TrimStart('/').StartsWith("_blazor", StringComparison.Ordinal))
                endpoint.Metadata.Add(new Microsoft.AspNetCore.Authorization.AuthorizeAttribute(PortalPolicies.Circuit));
        });
        return builder;
    }
}
