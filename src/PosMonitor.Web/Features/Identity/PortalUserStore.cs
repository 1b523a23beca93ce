using Dapper;
using Microsoft.AspNetCore.Identity;
using PosMonitor.Web.Infrastructure.Data;

namespace PosMonitor.Web.Features.Identity;

/// <summary>A row of the admin's user list: what the page shows and edits, no password hash or authenticator key.</summary>
public sealed record UserListItem(string Id, string Email, string DisplayName, string Role, string? MerchantId,
    bool Disabled, DateTimeOffset? LockoutEnd, bool TwoFactorEnabled)
{
    public static UserListItem From(PortalUser u) => new(u.Id, u.Email, u.DisplayName, u.Role, u.MerchantId, u.Disabled, u.LockoutEnd, u.TwoFactorEnabled);
}

/// <summary>
/// ASP.NET Core Identity's user store over Dapper (no Entity Framework). We keep UserManager and
/// SignInManager rather than our own PasswordHasher-plus-lockout code because they already get the
/// subtle parts right (constant-time hash checks, rehash on algorithm upgrade, lockout counting,
/// security-stamp cookies, the two-factor cookie dance); the store only loads and saves one row.
/// Each user has exactly one role, kept in <c>users.role</c>.
/// </summary>
public sealed class PortalUserStore(Db db, TimeProvider time) :
    IUserPasswordStore<PortalUser>, IUserSecurityStampStore<PortalUser>, IUserLockoutStore<PortalUser>,
    IUserRoleStore<PortalUser>, IUserTwoFactorStore<PortalUser>, IUserAuthenticatorKeyStore<PortalUser>
{
    public async Task<IdentityResult> CreateAsync(PortalUser user, CancellationToken ct)
    {
        user.CreatedAt = time.GetUtcNow();
        await db.WriteAsync((c, tx) => c.ExecuteAsync(new CommandDefinition(db.Sql(Insert), Row.From(user, time), tx, cancellationToken: ct)), ct);
        return IdentityResult.Success;
    }

    public async Task<IdentityResult> UpdateAsync(PortalUser user, CancellationToken ct)
    {
        await db.WriteAsync((c, tx) => c.ExecuteAsync(new CommandDefinition(db.Sql(Update), Row.From(user, time), tx, cancellationToken: ct)), ct);
        return IdentityResult.Success;
    }

    public Task<IdentityResult> DeleteAsync(PortalUser user, CancellationToken ct) =>
        Task.FromResult(IdentityResult.Failed(new IdentityError { Code = "NoDelete", Description = "Users are disabled, never deleted (the audit log names them)." }));

    public async Task<PortalUser?> FindByIdAsync(string userId, CancellationToken ct)
    {
        await using var c = await db.OpenAsync(ct);
        return (await c.QuerySingleOrDefaultAsync<Row>(new CommandDefinition(db.Sql(SelectById), new { Id = userId }, cancellationToken: ct)))?.ToUser();
    }

    public async Task<PortalUser?> FindByNameAsync(string normalizedUserName, CancellationToken ct)
    {
        await using var c = await db.OpenAsync(ct);
        return (await c.QuerySingleOrDefaultAsync<Row>(new CommandDefinition(db.Sql(SelectByName), new { Name = normalizedUserName }, cancellationToken: ct)))?.ToUser();
    }

    public const int PageMax = 200;

    /// <summary>
    /// One page of the user list, searched, sorted and cut by the database (a large acquirer has a portal account per
    /// merchant owner: tens of thousands). The search matches e-mail, name, merchant or role; <paramref name="role"/>,
    /// when given, keeps to that role. Sort names are <see cref="UserListItem"/>'s columns, ties broken by id.
    /// </summary>
    public async Task<GridPage<UserListItem>> PageAsync(GridQuery q, string? role, CancellationToken ct)
    {
        var args = new { Pattern = q.SearchPattern, Role = role, Skip = Math.Max(0, q.Skip), Take = Math.Clamp(q.Take, 1, PageMax) };
        await using var c = await db.OpenAsync(ct);
        var total = await c.ExecuteScalarAsync<int>(new CommandDefinition(db.Sql(CountPage), args, cancellationToken: ct));
        var rows = await c.QueryAsync<Row>(new CommandDefinition(
            Paging.Page(db.Sql(SelectPage), q.OrderBy(PageSort, "email") + ", id"), args, cancellationToken: ct));
        return new GridPage<UserListItem>([.. rows.Select(r => r.ToListItem())], total);
    }

    public Task<string> GetUserIdAsync(PortalUser user, CancellationToken ct) => Task.FromResult(user.Id);
    public Task<string?> GetUserNameAsync(PortalUser user, CancellationToken ct) => Task.FromResult<string?>(user.Email);
    public Task SetUserNameAsync(PortalUser user, string? userName, CancellationToken ct) { user.Email = userName ?? ""; return Task.CompletedTask; }
    public Task<string?> GetNormalizedUserNameAsync(PortalUser user, CancellationToken ct) => Task.FromResult<string?>(user.NormalizedEmail);
    public Task SetNormalizedUserNameAsync(PortalUser user, string? normalizedName, CancellationToken ct) { user.NormalizedEmail = normalizedName ?? ""; return Task.CompletedTask; }

    public Task SetPasswordHashAsync(PortalUser user, string? passwordHash, CancellationToken ct) { user.PasswordHash = passwordHash; return Task.CompletedTask; }
    public Task<string?> GetPasswordHashAsync(PortalUser user, CancellationToken ct) => Task.FromResult(user.PasswordHash);
    public Task<bool> HasPasswordAsync(PortalUser user, CancellationToken ct) => Task.FromResult(user.PasswordHash is not null);

    public Task SetSecurityStampAsync(PortalUser user, string stamp, CancellationToken ct) { user.SecurityStamp = stamp; return Task.CompletedTask; }
    public Task<string?> GetSecurityStampAsync(PortalUser user, CancellationToken ct) => Task.FromResult<string?>(user.SecurityStamp);

    public Task<DateTimeOffset?> GetLockoutEndDateAsync(PortalUser user, CancellationToken ct) => Task.FromResult(user.LockoutEnd);
    public Task SetLockoutEndDateAsync(PortalUser user, DateTimeOffset? lockoutEnd, CancellationToken ct) { user.LockoutEnd = lockoutEnd; return Task.CompletedTask; }
    public Task<int> IncrementAccessFailedCountAsync(PortalUser user, CancellationToken ct) => Task.FromResult(++user.AccessFailedCount);
    public Task ResetAccessFailedCountAsync(PortalUser user, CancellationToken ct) { user.AccessFailedCount = 0; return Task.CompletedTask; }
    public Task<int> GetAccessFailedCountAsync(PortalUser user, CancellationToken ct) => Task.FromResult(user.AccessFailedCount);
    public Task<bool> GetLockoutEnabledAsync(PortalUser user, CancellationToken ct) => Task.FromResult(user.LockoutEnabled);
    public Task SetLockoutEnabledAsync(PortalUser user, bool enabled, CancellationToken ct) { user.LockoutEnabled = enabled; return Task.CompletedTask; }

    // UserManager passes role names normalized (upper case); map them back to our constants.
    public Task AddToRoleAsync(PortalUser user, string roleName, CancellationToken ct)
    {
        user.Role = RoleOf(roleName) ?? throw new InvalidOperationException($"Unknown role '{roleName}'.");
        return Task.CompletedTask;
    }

    public Task RemoveFromRoleAsync(PortalUser user, string roleName, CancellationToken ct) => Task.CompletedTask;
    public Task<IList<string>> GetRolesAsync(PortalUser user, CancellationToken ct) => Task.FromResult<IList<string>>([user.Role]);
    public Task<bool> IsInRoleAsync(PortalUser user, string roleName, CancellationToken ct) => Task.FromResult(RoleOf(roleName) == user.Role);

    public async Task<IList<PortalUser>> GetUsersInRoleAsync(string roleName, CancellationToken ct)
    {
        if (RoleOf(roleName) is not { } role) return [];
        await using var c = await db.OpenAsync(ct);
        return [.. (await c.QueryAsync<Row>(new CommandDefinition(db.Sql(SelectByRole), new { Role = role }, cancellationToken: ct))).Select(r => r.ToUser())];
    }

    public Task SetTwoFactorEnabledAsync(PortalUser user, bool enabled, CancellationToken ct) { user.TwoFactorEnabled = enabled; return Task.CompletedTask; }
    public Task<bool> GetTwoFactorEnabledAsync(PortalUser user, CancellationToken ct) => Task.FromResult(user.TwoFactorEnabled);
    public Task SetAuthenticatorKeyAsync(PortalUser user, string key, CancellationToken ct) { user.AuthenticatorKey = key; return Task.CompletedTask; }
    public Task<string?> GetAuthenticatorKeyAsync(PortalUser user, CancellationToken ct) => Task.FromResult(user.AuthenticatorKey);

    public void Dispose() { }

    private static string? RoleOf(string name) => Roles.All.FirstOrDefault(r => string.Equals(r, name, StringComparison.OrdinalIgnoreCase));

    // A settable class, not a positional record: Dapper then converts SQLite's INTEGER to bool
    // the same way it reads SQL Server's BIT.
    private sealed class Row
    {
        public string Id { get; set; } = "";
        public string Email { get; set; } = "";
        public string NormalizedEmail { get; set; } = "";
        public string DisplayName { get; set; } = "";
        public string? PasswordHash { get; set; }
        public string SecurityStamp { get; set; } = "";
        public string Role { get; set; } = "";
        public string? MerchantId { get; set; }
        public bool Disabled { get; set; }
        public bool LockoutEnabled { get; set; }
        public long? LockoutEnd { get; set; }
        public int AccessFailedCount { get; set; }
        public bool TwoFactorEnabled { get; set; }
        public string? AuthenticatorKey { get; set; }
        public long CreatedAt { get; set; }
        public long UpdatedAt { get; set; }

        public static Row From(PortalUser u, TimeProvider time) => new()
        {
            Id = u.Id, Email = u.Email, NormalizedEmail = u.NormalizedEmail, DisplayName = u.DisplayName, PasswordHash = u.PasswordHash,
            SecurityStamp = u.SecurityStamp, Role = u.Role, MerchantId = u.MerchantId, Disabled = u.Disabled, LockoutEnabled = u.LockoutEnabled,
            LockoutEnd = u.LockoutEnd is { } end ? DbTime.ToMs(end) : null, AccessFailedCount = u.AccessFailedCount,
            TwoFactorEnabled = u.TwoFactorEnabled, AuthenticatorKey = u.AuthenticatorKey, CreatedAt = DbTime.ToMs(u.CreatedAt),
            UpdatedAt = DbTime.ToMs(time.GetUtcNow()),
        };

        public PortalUser ToUser() => new()
        {
            Id = Id, Email = Email, NormalizedEmail = NormalizedEmail, DisplayName = DisplayName, PasswordHash = PasswordHash,
            SecurityStamp = SecurityStamp, Role = Role, MerchantId = MerchantId, Disabled = Disabled, LockoutEnabled = LockoutEnabled,
            LockoutEnd = DbTime.FromMs(LockoutEnd), AccessFailedCount = AccessFailedCount, TwoFactorEnabled = TwoFactorEnabled,
            AuthenticatorKey = AuthenticatorKey, CreatedAt = DbTime.FromMs(CreatedAt),
        };

        public UserListItem ToListItem() => new(Id, Email, DisplayName, Role, MerchantId, Disabled, DbTime.FromMs(LockoutEnd), TwoFactorEnabled);
    }

    private const string Columns =
        """
        id AS Id, email AS Email, normalized_email AS NormalizedEmail, display_name AS DisplayName, password_hash AS PasswordHash,
        security_stamp AS SecurityStamp, role AS Role, merchant_id AS MerchantId, disabled AS Disabled, lockout_enabled AS LockoutEnabled,
        lockout_end AS LockoutEnd, access_failed_count AS AccessFailedCount, two_factor_enabled AS TwoFactorEnabled,
        authenticator_key AS AuthenticatorKey, created_at AS CreatedAt, updated_at AS UpdatedAt
        """;

    private static readonly SqlText SelectById = SqlText.Same($"SELECT {Columns} FROM users WHERE id = @Id;");
    private static readonly SqlText SelectByName = SqlText.Same($"SELECT {Columns} FROM users WHERE normalized_email = @Name;");
    private static readonly SqlText SelectByRole = SqlText.Same($"SELECT {Columns} FROM users WHERE role = @Role ORDER BY email, id;");

    private static readonly Dictionary<string, string> PageSort = new()
    {
        [nameof(UserListItem.Email)] = "email", [nameof(UserListItem.DisplayName)] = "display_name",
        [nameof(UserListItem.Role)] = "role", [nameof(UserListItem.MerchantId)] = "merchant_id",
    };

    private const string PageWhere =
        """
        WHERE (@Role IS NULL OR role = @Role)
          AND (email LIKE @Pattern OR display_name LIKE @Pattern OR merchant_id LIKE @Pattern OR role LIKE @Pattern)
        """;

    private static readonly SqlText SelectPage = Paging.Paged(
        $"""
        SELECT id AS Id, email AS Email, display_name AS DisplayName, role AS Role, merchant_id AS MerchantId,
               disabled AS Disabled, lockout_end AS LockoutEnd, two_factor_enabled AS TwoFactorEnabled
        FROM users
        {PageWhere}
        """);

    private static readonly SqlText CountPage = SqlText.Same($"SELECT COUNT(*) FROM users {PageWhere};");

    private static readonly SqlText Insert = SqlText.Same(
        """
        INSERT INTO users (id, email, normalized_email, display_name, password_hash, security_stamp, role, merchant_id, disabled,
                           lockout_enabled, lockout_end, access_failed_count, two_factor_enabled, authenticator_key, created_at, updated_at)
        VALUES (@Id, @Email, @NormalizedEmail, @DisplayName, @PasswordHash, @SecurityStamp, @Role, @MerchantId, @Disabled,
                @LockoutEnabled, @LockoutEnd, @AccessFailedCount, @TwoFactorEnabled, @AuthenticatorKey, @CreatedAt, @UpdatedAt);
        """);

    private static readonly SqlText Update = SqlText.Same(
        """
        UPDATE users SET email = @Email, normalized_email = @NormalizedEmail, display_name = @DisplayName, password_hash = @PasswordHash,
            security_stamp = @SecurityStamp, role = @Role, merchant_id = @MerchantId, disabled = @Disabled, lockout_enabled = @LockoutEnabled,
            lockout_end = @LockoutEnd, access_failed_count = @AccessFailedCount, two_factor_enabled = @TwoFactorEnabled,
            authenticator_key = @AuthenticatorKey, updated_at = @UpdatedAt
        WHERE id = @Id;
        """);
}
