using System.Security.Claims;
using Microsoft.AspNetCore.Authorization;

namespace PosMonitor.Web.Features.Identity;

/// <summary>
/// Authorization policies of the portal's pages. Every page carries
/// <c>@attribute [Authorize(Policy = PortalPolicies.X)]</c>; a page without one still requires
/// <see cref="SignedIn"/> (the fallback policy, also applied inside the circuit by <c>Routes</c>).
/// Merchant isolation is not a policy: pages and queries filter through <see cref="Viewer"/>.
/// </summary>
public static class PortalPolicies
{
    /// <summary>Any signed-in person with a portal role (not a wall display token). The fallback.</summary>
    public const string SignedIn = "portal:signed-in";
    /// <summary>Admin, Operator, SupportAgent: the operations centre and support.</summary>
    public const string Staff = "portal:staff";
    /// <summary>Admin and Operator: running the fleet (incident actions, maintenance).</summary>
    public const string Operations = "portal:operations";
    /// <summary>Admin and SupportAgent: the feedback inbox.</summary>
    public const string Support = "portal:support";
    /// <summary>Admin only: /admin/*.</summary>
    public const string Admin = "portal:admin";
    /// <summary>A merchant owner bound to a merchant: /my/*.</summary>
    public const string MerchantOwner = "portal:merchant-owner";
    /// <summary>The wall display: a signed-in display token (scope <c>display</c>) or staff.</summary>
    public const string Wall = "portal:wall";
    /// <summary>The Blazor circuit endpoints (<c>/_blazor</c>): anyone the cookie authenticated, display tokens included.</summary>
    public const string Circuit = "portal:circuit";

    public static AuthorizationPolicy SignedInPolicy { get; } = new AuthorizationPolicyBuilder()
        .RequireAuthenticatedUser().RequireRole(Roles.All).Build();

    internal static void Add(AuthorizationBuilder auth) => auth
        .AddPolicy(SignedIn, SignedInPolicy)
        .AddPolicy(Staff, p => p.RequireAuthenticatedUser().RequireRole(Roles.Admin, Roles.Operator, Roles.SupportAgent))
        .AddPolicy(Operations, p => p.RequireAuthenticatedUser().RequireRole(Roles.Admin, Roles.Operator))
        .AddPolicy(Support, p => p.RequireAuthenticatedUser().RequireRole(Roles.Admin, Roles.SupportAgent))
        .AddPolicy(Admin, p => p.RequireAuthenticatedUser().RequireRole(Roles.Admin))
        .AddPolicy(MerchantOwner, p => p.RequireAuthenticatedUser().RequireRole(Roles.MerchantOwner).RequireClaim(PosClaims.MerchantId))
        .AddPolicy(Wall, p => p.RequireAuthenticatedUser().RequireAssertion(c =>
            c.User.HasClaim(PosClaims.Scope, Scopes.Display) || IsStaff(c.User)))
        .AddPolicy(Circuit, p => p.RequireAuthenticatedUser())
        .SetFallbackPolicy(SignedInPolicy);

    public static bool IsStaff(ClaimsPrincipal user) =>
        user.IsInRole(Roles.Admin) || user.IsInRole(Roles.Operator) || user.IsInRole(Roles.SupportAgent);

    /// <summary>Whether a page type says who may open it (an authorize or allow-anonymous attribute).</summary>
    public static bool IsMarked(Type pageType) =>
        pageType.GetCustomAttributes(inherit: true).Any(a => a is IAuthorizeData or IAllowAnonymous);
}
