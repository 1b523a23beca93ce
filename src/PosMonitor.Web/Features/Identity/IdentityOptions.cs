using System.ComponentModel.DataAnnotations;

namespace PosMonitor.Web.Features.Identity;

public sealed class BootstrapOptions : IValidatableObject
{
    public const string Section = "PosMonitor:Bootstrap";

    /// <summary>When set, this exact string is a valid admin API key from start-up on.</summary>
    public string? AdminApiKey { get; set; }

    /// <summary>With <see cref="AdminPassword"/>: creates this Admin user at start-up when no user has this e-mail.</summary>
    public string? AdminEmail { get; set; }

    public string? AdminPassword { get; set; }

    public IEnumerable<ValidationResult> Validate(ValidationContext context)
    {
        if (AdminApiKey is { Length: < 20 })
            yield return new ValidationResult($"{Section}:AdminApiKey is too short for a key: use at least 20 characters (128 random bits or more)");
        if (string.IsNullOrEmpty(AdminEmail) != string.IsNullOrEmpty(AdminPassword))
            yield return new ValidationResult($"{Section}:AdminEmail and {Section}:AdminPassword go together: set both or neither");
        if (AdminPassword is { Length: < 12 })
            yield return new ValidationResult($"{Section}:AdminPassword must have at least 12 characters");
    }
}

public sealed class PortalIdentityOptions
{
    public const string Section = "PosMonitor:Identity";

    /// <summary>
    /// How often an open page (circuit) re-checks its session and user: a sign-out on another
    /// instance, or a user disabled or changed, closes it within this time (on this instance a
    /// sign-out closes it at once). Requests are checked every time.
    /// </summary>
    [Range(1, 60)]
    public int RevalidateSeconds { get; set; } = 5;

    /// <summary>Sign-in attempts (form posts) allowed per client IP per minute.</summary>
    [Range(1, 1_000_000)]
    public int SignInPermitsPerMinute { get; set; } = 10;

    /// <summary>Idle time after which a sign-in cookie expires (sliding).</summary>
    [Range(1, 720)]
    public int SessionHours { get; set; } = 8;

    /// <summary>Lifetime of a wall display's sign-in cookie; revoking its token ends it sooner.</summary>
    [Range(1, 365)]
    public int DisplaySessionDays { get; set; } = 30;
}
