using System.Security.Claims;
using System.Security.Cryptography;
using Dapper;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Identity;
using Microsoft.Extensions.Options;
using PosMonitor.Web.Infrastructure.Data;

namespace PosMonitor.Web.Features.Identity;

/// <summary>
/// Server-side sign-in sessions (migration 0011). A signed-in user's cookie names its session
/// (<see cref="PosClaims.SessionId"/>); <see cref="SessionValidator"/> checks on every request and
/// every circuit revalidation that it has not ended, in the database every instance shares, so a
/// sign-out is refused at once everywhere instead of when the cookie's claims are next re-checked.
/// </summary>
public sealed class SessionStore(Db db, TimeProvider time)
{
    /// <summary>A session is refused after this long whatever its use, and its row is removed a day later.</summary>
    public static readonly TimeSpan MaxAge = TimeSpan.FromDays(30);

    /// <summary>Sessions ended on this instance: open circuits here hear of it at once (other instances at their next revalidation).</summary>
    public event Action<string>? Ended;

    public async Task<string> StartAsync(string userId, CancellationToken ct)
    {
        var id = Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(16));
        var now = DbTime.ToMs(time.GetUtcNow());
        await db.WriteAsync(async (c, tx) =>
        {
            // Old rows go with new ones: ended a day ago, or past their age.
            await c.ExecuteAsync(new CommandDefinition(db.Sql(Prune), new { EndedBefore = now - 86_400_000, CreatedBefore = now - (long)MaxAge.TotalMilliseconds - 86_400_000 }, tx, cancellationToken: ct));
            await c.ExecuteAsync(new CommandDefinition(db.Sql(Insert), new { Id = id, UserId = userId, CreatedAt = now }, tx, cancellationToken: ct));
        }, ct);
        return id;
    }

    public async Task EndAsync(string sessionId, CancellationToken ct)
    {
        await db.WriteAsync((c, tx) => c.ExecuteAsync(new CommandDefinition(db.Sql(End), new { Id = sessionId, At = DbTime.ToMs(time.GetUtcNow()) }, tx, cancellationToken: ct)), ct);
        Ended?.Invoke(sessionId);
    }

    /// <summary>The user of a session still standing (not ended, not past <see cref="MaxAge"/>), with what must still match: null otherwise.</summary>
    public async Task<SessionUser?> FindActiveAsync(string sessionId, CancellationToken ct)
    {
        await using var c = await db.OpenAsync(ct);
        return await c.QuerySingleOrDefaultAsync<SessionUser>(new CommandDefinition(db.Sql(SelectActive),
            new { Id = sessionId, CreatedAfter = DbTime.ToMs(time.GetUtcNow()) - (long)MaxAge.TotalMilliseconds }, cancellationToken: ct));
    }

    private static readonly SqlText Insert = SqlText.Same("INSERT INTO sessions (id, user_id, created_at) VALUES (@Id, @UserId, @CreatedAt);");
    private static readonly SqlText End = SqlText.Same("UPDATE sessions SET ended_at = @At WHERE id = @Id AND ended_at IS NULL;");
    private static readonly SqlText Prune = SqlText.Same("DELETE FROM sessions WHERE ended_at < @EndedBefore OR created_at < @CreatedBefore;");
    private static readonly SqlText SelectActive = SqlText.Same(
        """
        SELECT u.id AS UserId, u.disabled AS Disabled, u.security_stamp AS SecurityStamp, u.role AS Role
        FROM sessions s JOIN users u ON u.id = s.user_id
        WHERE s.id = @Id AND s.ended_at IS NULL AND s.created_at > @CreatedAfter;
        """);
}

/// <summary>Settable members, not a positional record: Dapper converts SQLite's integer to <see cref="Disabled"/> only through a setter.</summary>
public sealed record SessionUser
{
    public string UserId { get; init; } = "";
    public bool Disabled { get; init; }
    public string SecurityStamp { get; init; } = "";
    public string Role { get; init; } = "";
}

/// <summary>Every sign-in (password, second factor) starts a server-side session and puts its id in the cookie.</summary>
public sealed class PortalSignInManager(
    UserManager<PortalUser> users, IHttpContextAccessor http, IUserClaimsPrincipalFactory<PortalUser> claims,
    IOptions<IdentityOptions> options, ILogger<SignInManager<PortalUser>> logger, IAuthenticationSchemeProvider schemes,
    IUserConfirmation<PortalUser> confirmation, SessionStore sessions)
    : SignInManager<PortalUser>(users, http, claims, options, logger, schemes, confirmation)
{
    public override async Task SignInWithClaimsAsync(PortalUser user, AuthenticationProperties? properties, IEnumerable<Claim> additionalClaims)
    {
        var id = await sessions.StartAsync(user.Id, Context.RequestAborted);
        await base.SignInWithClaimsAsync(user, properties, [.. additionalClaims, new Claim(PosClaims.SessionId, id)]);
    }
}
