using System.Security.Claims;
using Microsoft.AspNetCore.Identity;
using PosMonitor.Core.Telemetry;
using PosMonitor.Web.Features.Audit;
using PosMonitor.Web.Features.Fleet;
using PosMonitor.Web.Infrastructure.Data;

namespace PosMonitor.Web.Features.Identity;

public sealed record NewUser(string Email, string DisplayName, string Role, string? MerchantId, string Password);

/// <summary>
/// What /admin/users does, each change audited. Changes that alter what a user may do (role,
/// merchant, disable, password) renew the security stamp, so open sessions end within a minute.
/// </summary>
public sealed class UserAdministration(UserManager<PortalUser> users, PortalUserStore store, FleetRepository fleet, AuditLog audit)
{
    /// <summary>One page of users, searched, sorted and cut in SQL; only <paramref name="role"/>'s when given.</summary>
    public Task<GridPage<UserListItem>> PageAsync(GridQuery query, string? role, CancellationToken ct) => store.PageAsync(query, role, ct);

    public async Task<UserListItem?> FindAsync(string userId) =>
        await users.FindByIdAsync(userId) is { } user ? UserListItem.From(user) : null;

    /// <summary>The user signing in as <paramref name="email"/>, e.g. the one just created, or null.</summary>
    public async Task<UserListItem?> FindByEmailAsync(string email) =>
        await users.FindByNameAsync(email.Trim()) is { } user ? UserListItem.From(user) : null;

    /// <returns>Problems (empty when created).</returns>
    public async Task<IReadOnlyList<string>> CreateAsync(ClaimsPrincipal actor, NewUser request, CancellationToken ct)
    {
        var problems = await CheckRoleAsync(request.Role, request.MerchantId, ct);
        if (string.IsNullOrWhiteSpace(request.Email) || !request.Email.Contains('@')) problems.Add("Email");
        if (problems.Count > 0) return problems;
        var user = new PortalUser
        {
            Email = request.Email.Trim(), DisplayName = string.IsNullOrWhiteSpace(request.DisplayName) ? request.Email.Trim() : CardData.Mask(request.DisplayName.Trim()),
            Role = request.Role, MerchantId = request.Role == Roles.MerchantOwner ? request.MerchantId?.Trim() : null,
        };
        var result = await users.CreateAsync(user, request.Password);
        await audit.RecordAsync(actor, AuditActions.UserCreated, user.Email, result.Succeeded ? AuditResults.Success : AuditResults.Failure, ct,
            result.Succeeded ? $"role {user.Role}{(user.MerchantId is null ? "" : $", merchant {user.MerchantId}")}" : Describe(result));
        return result.Succeeded ? [] : [.. result.Errors.Select(e => e.Code)];
    }

    public async Task<IReadOnlyList<string>> SetRoleAsync(ClaimsPrincipal actor, string userId, string role, string? merchantId, CancellationToken ct)
    {
        var problems = await CheckRoleAsync(role, merchantId, ct);
        var user = await users.FindByIdAsync(userId);
        if (user is null) problems.Add("UnknownUser");
        if (problems.Count > 0) return problems;
        var before = $"{user!.Role}{(user.MerchantId is null ? "" : $"/{user.MerchantId}")}";
        user.Role = role;
        user.MerchantId = role == Roles.MerchantOwner ? merchantId?.Trim() : null;
        var result = await users.UpdateSecurityStampAsync(user);
        await audit.RecordAsync(actor, AuditActions.RoleChanged, user.Email, result.Succeeded ? AuditResults.Success : AuditResults.Failure, ct,
            $"{before} -> {role}{(user.MerchantId is null ? "" : $"/{user.MerchantId}")}");
        return result.Succeeded ? [] : [.. result.Errors.Select(e => e.Code)];
    }

    public async Task SetDisabledAsync(ClaimsPrincipal actor, string userId, bool disabled, CancellationToken ct)
    {
        var user = await users.FindByIdAsync(userId) ?? throw new InvalidOperationException($"No user {userId}");
        user.Disabled = disabled;
        await users.UpdateSecurityStampAsync(user);
        await audit.RecordAsync(actor, disabled ? AuditActions.UserDisabled : AuditActions.UserEnabled, user.Email, AuditResults.Success, ct);
    }

    public async Task UnlockAsync(ClaimsPrincipal actor, string userId, CancellationToken ct)
    {
        var user = await users.FindByIdAsync(userId) ?? throw new InvalidOperationException($"No user {userId}");
        await users.SetLockoutEndDateAsync(user, null);
        await users.ResetAccessFailedCountAsync(user);
        await audit.RecordAsync(actor, AuditActions.UserUnlocked, user.Email, AuditResults.Success, ct);
    }

    public async Task<IReadOnlyList<string>> ResetPasswordAsync(ClaimsPrincipal actor, string userId, string password, CancellationToken ct)
    {
        var user = await users.FindByIdAsync(userId);
        if (user is null) return ["UnknownUser"];
        // Validate first, so a too-short password never leaves the user without one.
        var errors = new List<IdentityError>();
        foreach (var validator in users.PasswordValidators)
            errors.AddRange((await validator.ValidateAsync(users, user, password)).Errors);
        if (errors.Count == 0)
        {
            await users.RemovePasswordAsync(user);
            var result = await users.AddPasswordAsync(user, password);
            errors.AddRange(result.Errors);
        }
        await audit.RecordAsync(actor, AuditActions.PasswordReset, user.Email, errors.Count == 0 ? AuditResults.Success : AuditResults.Failure, ct,
            errors.Count == 0 ? null : string.Join("; ", errors.Select(e => e.Code)));
        return [.. errors.Select(e => e.Code)];
    }

    public async Task DisableTwoFactorAsync(ClaimsPrincipal actor, string userId, CancellationToken ct)
    {
        var user = await users.FindByIdAsync(userId) ?? throw new InvalidOperationException($"No user {userId}");
        await users.SetTwoFactorEnabledAsync(user, false);
        await users.ResetAuthenticatorKeyAsync(user);
        await audit.RecordAsync(actor, AuditActions.TwoFactorDisabled, user.Email, AuditResults.Success, ct);
    }

    private async Task<List<string>> CheckRoleAsync(string role, string? merchantId, CancellationToken ct)
    {
        var problems = new List<string>();
        if (!Roles.All.Contains(role)) problems.Add("Role");
        else if (role == Roles.MerchantOwner && (string.IsNullOrWhiteSpace(merchantId) || !await fleet.MerchantExistsAsync(merchantId.Trim(), ct)))
            problems.Add("Merchant");
        return problems;
    }

    private static string Describe(IdentityResult result) => string.Join("; ", result.Errors.Select(e => e.Code));
}
