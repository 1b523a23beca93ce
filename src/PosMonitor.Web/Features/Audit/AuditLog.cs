using System.Security.Claims;
using Dapper;
using PosMonitor.Core.Telemetry;
using PosMonitor.Web.Features.Identity;
using PosMonitor.Web.Infrastructure.Data;

namespace PosMonitor.Web.Features.Audit;

/// <summary>What happened, as stored in <c>audit_log.action</c>. Other features add their own "noun.verb" names.</summary>
public static class AuditActions
{
    public const string SignIn = "auth.sign-in";
    public const string SignInTwoFactor = "auth.sign-in-2fa";
    public const string SignOut = "auth.sign-out";
    public const string TwoFactorEnabled = "auth.2fa-enabled";
    public const string TwoFactorDisabled = "auth.2fa-disabled";
    public const string DisplaySignIn = "auth.display-sign-in";
    public const string UserCreated = "user.create";
    public const string UserDisabled = "user.disable";
    public const string UserEnabled = "user.enable";
    public const string UserUnlocked = "user.unlock";
    public const string PasswordReset = "user.reset-password";
    public const string RoleChanged = "user.role";
    public const string KeyCreated = "key.create";
    public const string KeyRevoked = "key.revoke";
    /// <summary>A merchant-bound caller asked for another merchant's data; always with result <see cref="AuditResults.Denied"/>.</summary>
    public const string CrossMerchant = "access.cross-merchant";
    public const string FeedbackCreated = "feedback.create";
    public const string FeedbackReplied = "feedback.reply";
    public const string FeedbackStatus = "feedback.status";
    public const string FeedbackLinked = "feedback.link-incident";
    public const string MaintenanceAdded = "maintenance.add";
    public const string MaintenanceDeleted = "maintenance.delete";

    public static IReadOnlyList<string> Known { get; } =
    [
        SignIn, SignInTwoFactor, SignOut, TwoFactorEnabled, TwoFactorDisabled, DisplaySignIn, UserCreated, UserDisabled, UserEnabled,
        UserUnlocked, PasswordReset, RoleChanged, KeyCreated, KeyRevoked, CrossMerchant, FeedbackCreated, FeedbackReplied,
        FeedbackStatus, FeedbackLinked, MaintenanceAdded, MaintenanceDeleted,
    ];
}

public static class AuditResults
{
    public const string Success = "success";
    public const string Failure = "failure";
    public const string Denied = "denied";
    public const string LockedOut = "locked-out";
}

public sealed record AuditEntry(long Id, long At, string Actor, string Action, string? Target, string Result, string? Ip, string? Detail)
{
    public DateTimeOffset When => DbTime.FromMs(At);
}

public sealed record AuditQuery(string? Actor, string? Action, DateTimeOffset? From, DateTimeOffset? To, int Skip, int Take);

/// <summary>
/// The client address for audit entries: the request's remote address, or, inside a Blazor circuit
/// (no request), the address the circuit's first request came from (set by <c>Routes</c>).
/// </summary>
public sealed class ClientAddress(IHttpContextAccessor http)
{
    private string? _value;

    public string? Value
    {
        get => _value ?? http.HttpContext?.Connection.RemoteIpAddress?.ToString();
        set => _value = value;
    }
}

/// <summary>
/// Who did what, when, from where, with what result: sign-ins, role and key changes, incident
/// actions, cross-merchant attempts. Append-only; the admin page /admin/audit searches it.
/// </summary>
public sealed class AuditLog(Db db, TimeProvider time, ClientAddress address, ILogger<AuditLog> logger)
{
    public async Task RecordAsync(string actor, string action, string? target, string result, CancellationToken ct, string? detail = null)
    {
        // Targets and details quote what callers sent (an id in a URL, a name): masked, as all free text stored is.
        var entry = new
        {
            At = DbTime.ToMs(time.GetUtcNow()), Actor = Clip(actor, 256)!, Action = Clip(action, 64)!, Target = Clip(CardData.MaskOptional(target), 256),
            Result = Clip(result, 32)!, Ip = Clip(address.Value, 64), Detail = Clip(CardData.MaskOptional(detail), 1000),
        };
        // Audit writes must not be cancelled half-way by a client that went away.
        await db.WriteAsync((c, tx) => c.ExecuteAsync(new CommandDefinition(db.Sql(Insert), entry, tx, cancellationToken: CancellationToken.None)), CancellationToken.None);
        logger.LogInformation("Audit {Action} by {Actor} on {Target}: {Result}", entry.Action, entry.Actor, entry.Target, entry.Result);
    }

    public Task RecordAsync(ClaimsPrincipal user, string action, string? target, string result, CancellationToken ct, string? detail = null) =>
        RecordAsync(ActorOf(user), action, target, result, ct, detail);

    /// <summary>A merchant-bound caller asked for <paramref name="kind"/> <paramref name="id"/> of another merchant (or one that does not exist).</summary>
    public Task RecordCrossMerchantAsync(ClaimsPrincipal user, string kind, string id, CancellationToken ct) =>
        RecordAsync(ActorOf(user), AuditActions.CrossMerchant, $"{kind}:{id}", AuditResults.Denied, ct,
            $"caller bound to merchant {Viewer.From(user).MerchantId ?? "(none)"}");

    /// <summary>A signed-in user's e-mail, <c>key:ID</c> for an API key, or <c>anonymous</c>.</summary>
    public static string ActorOf(ClaimsPrincipal user) =>
        user.FindFirstValue(PosClaims.KeyId) is { } keyId ? $"key:{keyId}"
        : user.Identity?.IsAuthenticated == true ? user.Identity.Name ?? user.FindFirstValue(ClaimTypes.NameIdentifier) ?? "unknown"
        : "anonymous";

    public async Task<GridPage<AuditEntry>> SearchAsync(AuditQuery q, CancellationToken ct)
    {
        var args = new
        {
            Actor = string.IsNullOrWhiteSpace(q.Actor) ? null : $"%{q.Actor.Trim()}%",
            Action = string.IsNullOrWhiteSpace(q.Action) ? null : q.Action.Trim(),
            From = q.From is { } f ? DbTime.ToMs(f) : (long?)null,
            To = q.To is { } t ? DbTime.ToMs(t) : (long?)null,
            q.Skip, q.Take,
        };
        await using var c = await db.OpenAsync(ct);
        var total = await c.ExecuteScalarAsync<long>(new CommandDefinition(db.Sql(Count), args, cancellationToken: ct));
        var items = await c.QueryAsync<AuditEntry>(new CommandDefinition(db.Sql(Page), args, cancellationToken: ct));
        return new GridPage<AuditEntry>(items.AsList(), (int)total);
    }

    private static string? Clip(string? s, int max) => s is null || s.Length <= max ? s : s[..max];

    private static readonly SqlText Insert = SqlText.Same(
        """
        INSERT INTO audit_log (at, actor, action, target, result, ip, detail)
        VALUES (@At, @Actor, @Action, @Target, @Result, @Ip, @Detail);
        """);

    private const string Filter =
        """
        FROM audit_log
        WHERE (@Actor IS NULL OR actor LIKE @Actor) AND (@Action IS NULL OR action = @Action)
          AND (@From IS NULL OR at >= @From) AND (@To IS NULL OR at < @To)
        """;

    private static readonly SqlText Count = SqlText.Same($"SELECT COUNT(*) {Filter};");

    private static readonly SqlText Page = new(
        $"""
        SELECT id AS Id, at AS At, actor AS Actor, action AS Action, target AS Target, result AS Result, ip AS Ip, detail AS Detail
        {Filter}
        ORDER BY at DESC, id DESC
        LIMIT @Take OFFSET @Skip;
        """,
        $"""
        SELECT id AS Id, at AS At, actor AS Actor, action AS Action, target AS Target, result AS Result, ip AS Ip, detail AS Detail
        {Filter}
        ORDER BY at DESC, id DESC
        OFFSET @Skip ROWS FETCH NEXT @Take ROWS ONLY;
        """);
}
