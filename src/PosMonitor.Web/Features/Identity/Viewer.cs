using System.Security.Claims;

namespace PosMonitor.Web.Features.Identity;

/// <summary>Portal roles (sign-in users). API keys carry a scope instead.</summary>
public static class Roles
{
    public const string Admin = "Admin";
    public const string Operator = "Operator";
    public const string SupportAgent = "SupportAgent";
    public const string MerchantOwner = "MerchantOwner";

    public static IReadOnlyList<string> All { get; } = [Admin, Operator, SupportAgent, MerchantOwner];
}

/// <summary>
/// What a caller may see, decided on the server from its identity alone (a signed-in user's role
/// and merchant, or an API key's scope and merchant), never from what it asks for. Every query of
/// incidents, heatmap cells, terminals or feedback filters through this.
/// </summary>
public sealed record Viewer(bool SeesEveryMerchant, string? MerchantId, bool IsDisplay)
{
    public static readonly Viewer Nobody = new(false, null, false);

    public static Viewer From(ClaimsPrincipal user)
    {
        if (user.Identity?.IsAuthenticated != true) return Nobody;
        var merchant = user.FindFirstValue(PosClaims.MerchantId);
        if (user.FindFirstValue(PosClaims.Scope) is { } scope)
            return scope switch
            {
                Scopes.Admin or Scopes.ReadPlatform or Scopes.IngestPlatform => new Viewer(true, null, false),
                Scopes.Display => new Viewer(true, null, true),
                Scopes.ReadMerchant or Scopes.IngestMerchant when merchant is not null => new Viewer(false, merchant, false),
                _ => Nobody,
            };
        if (user.IsInRole(Roles.Admin) || user.IsInRole(Roles.Operator) || user.IsInRole(Roles.SupportAgent))
            return new Viewer(true, null, false);
        return user.IsInRole(Roles.MerchantOwner) && merchant is not null ? new Viewer(false, merchant, false) : Nobody;
    }

    /// <summary>Whether this viewer may see data of <paramref name="merchantId"/>.</summary>
    public bool MaySee(string merchantId) => SeesEveryMerchant || merchantId == MerchantId;
}
