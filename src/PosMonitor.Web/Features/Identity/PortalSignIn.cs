using Microsoft.AspNetCore.Identity;
using PosMonitor.Web.Features.Audit;

namespace PosMonitor.Web.Features.Identity;

public enum SignInOutcome { Success, RequiresTwoFactor, Failed }

/// <summary>
/// Password and two-factor sign-in, audited. Every failure looks the same to the caller (unknown
/// user, wrong password, locked out, disabled): the page shows one message, and an unknown user
/// still costs a password hash so timing does not tell either.
/// </summary>
public sealed class PortalSignIn(SignInManager<PortalUser> signIn, UserManager<PortalUser> users, IPasswordHasher<PortalUser> hasher, AuditLog audit,
    SessionStore sessions)
{
    private static readonly PortalUser Nobody = new();
    private static string? _dummyHash;

    public async Task<SignInOutcome> PasswordAsync(string email, string password, CancellationToken ct)
    {
        email = email.Trim();
        var user = await users.FindByNameAsync(email);
        if (user is null)
        {
            _dummyHash ??= hasher.HashPassword(Nobody, "not-a-password-" + Guid.NewGuid());
            hasher.VerifyHashedPassword(Nobody, _dummyHash, password);
            await audit.RecordAsync(email, AuditActions.SignIn, email, AuditResults.Failure, ct, "unknown user");
            return SignInOutcome.Failed;
        }

        var result = await signIn.PasswordSignInAsync(user, password, isPersistent: false, lockoutOnFailure: true);
        var (outcome, auditResult, detail) = result switch
        {
            { Succeeded: true } => (SignInOutcome.Success, AuditResults.Success, null),
            { RequiresTwoFactor: true } => (SignInOutcome.RequiresTwoFactor, AuditResults.Success, "password ok, second factor required"),
            { IsLockedOut: true } => (SignInOutcome.Failed, AuditResults.LockedOut, $"locked until {user.LockoutEnd:u}"),
            { IsNotAllowed: true } => (SignInOutcome.Failed, AuditResults.Denied, "user disabled"),
            _ => (SignInOutcome.Failed, AuditResults.Failure, $"wrong password ({user.AccessFailedCount} failures in a row)"),
        };
        await audit.RecordAsync(user.Email, AuditActions.SignIn, user.Email, auditResult, ct, detail);
        return outcome;
    }

    /// <summary>Second step: the code of the authenticator app, for the user remembered by the two-factor cookie.</summary>
    public async Task<SignInOutcome> TwoFactorAsync(string code, CancellationToken ct)
    {
        var user = await signIn.GetTwoFactorAuthenticationUserAsync();
        if (user is null) return SignInOutcome.Failed;
        var result = await signIn.TwoFactorAuthenticatorSignInAsync(code.Replace(" ", "", StringComparison.Ordinal).Replace("-", "", StringComparison.Ordinal),
            isPersistent: false, rememberClient: false);
        await audit.RecordAsync(user.Email, AuditActions.SignInTwoFactor, user.Email,
            result.Succeeded ? AuditResults.Success : result.IsLockedOut ? AuditResults.LockedOut : AuditResults.Failure, ct);
        return result.Succeeded ? SignInOutcome.Success : SignInOutcome.Failed;
    }

    /// <summary>Ends this session server-side, so every copy of its cookie is refused at once on every instance; the user's other sessions stay.</summary>
    public async Task SignOutAsync(System.Security.Claims.ClaimsPrincipal principal, CancellationToken ct)
    {
        if (principal.FindFirst(PosClaims.SessionId)?.Value is { } sessionId) await sessions.EndAsync(sessionId, CancellationToken.None);
        await signIn.SignOutAsync();
        await audit.RecordAsync(principal, AuditActions.SignOut, AuditLog.ActorOf(principal), AuditResults.Success, ct);
    }
}
