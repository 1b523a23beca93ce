namespace PosMonitor.Web.Features.Identity;

/// <summary>
/// A person who signs in to the portal. Mutable because ASP.NET Core Identity's UserManager
/// changes a user in place and then asks the store to save it. The e-mail address is the user name.
/// </summary>
public sealed class PortalUser
{
    public string Id { get; set; } = "u-" + Guid.NewGuid().ToString("N")[..12];
    public string Email { get; set; } = "";
    public string NormalizedEmail { get; set; } = "";
    public string DisplayName { get; set; } = "";
    public string? PasswordHash { get; set; }
    public string SecurityStamp { get; set; } = Guid.NewGuid().ToString("N");
    /// <summary>Exactly one of <see cref="Roles.All"/>.</summary>
    public string Role { get; set; } = Roles.MerchantOwner;
    /// <summary>The merchant a <see cref="Roles.MerchantOwner"/> is bound to; null for staff.</summary>
    public string? MerchantId { get; set; }
    public bool Disabled { get; set; }
    public bool LockoutEnabled { get; set; } = true;
    public DateTimeOffset? LockoutEnd { get; set; }
    public int AccessFailedCount { get; set; }
    public bool TwoFactorEnabled { get; set; }
    public string? AuthenticatorKey { get; set; }
    public DateTimeOffset CreatedAt { get; set; }

    public bool IsStaff => Role is Roles.Admin or Roles.Operator or Roles.SupportAgent;
}
