using System.Collections.Concurrent;
using System.Security.Cryptography;
using System.Text;
using Dapper;
using PosMonitor.Core.Telemetry;
using PosMonitor.Web.Infrastructure.Data;
using PosMonitor.Web.Infrastructure.Realtime;

namespace PosMonitor.Web.Features.Identity;

public sealed record ApiKeyInfo(string Id, string Name, string Scope, string? MerchantId);

public sealed record ApiKeyListItem(string Id, string Name, string Scope, string? MerchantId, long CreatedAt, string? CreatedBy, long? RevokedAt)
{
    public DateTimeOffset Created => DbTime.FromMs(CreatedAt);
    public DateTimeOffset? Revoked => DbTime.FromMs(RevokedAt);
}

/// <summary>
/// API keys: only the SHA-256 of a key is stored (keys are 256 random bits, so a fast hash is
/// enough; a slow password hash would only cost every request). Lookups are cached for a few
/// seconds; a revoke takes effect at once on this node, and on the others as soon as they hear of it (PosMonitor:Cluster).
/// </summary>
public sealed class ApiKeyRepository(Db db, TimeProvider time, ILogger<ApiKeyRepository> logger)
{
    public const string BootstrapKeyId = "bootstrap-admin";
    private static readonly TimeSpan CacheFor = TimeSpan.FromSeconds(5);
    private readonly ConcurrentDictionary<string, (ApiKeyInfo? Key, DateTimeOffset Until)> _cache = new();

    private readonly FeedSubscribers<string> _revoked = new(logger);

    /// <summary>Calls <paramref name="onRevoked"/> with the id of each key revoked (on any node of a cluster), in the culture it subscribed in.</summary>
    public IDisposable SubscribeRevoked(Action<string> onRevoked) => _revoked.Add(onRevoked);

    /// <summary>As <see cref="SubscribeRevoked"/>, for keys revoked on this node only (the relay to the other nodes).</summary>
    public IDisposable SubscribeOwnRevoked(Action<string> onRevoked) => _revoked.AddOwn(onRevoked);

    /// <summary>Another node revoked key <paramref name="id"/> (PosMonitor:Cluster): forget it here too and close what it holds open.</summary>
    public void RevokedOnPeer(string id)
    {
        Evict(id);
        _revoked.PublishFromPeer(id);
    }

    private void Evict(string id)
    {
        foreach (var (hash, entry) in _cache)
            if (entry.Key?.Id == id) _cache.TryRemove(hash, out _);
    }

    public static string NewKey() => "pmk_" + Base64Url(RandomNumberGenerator.GetBytes(32));

    public static string Hash(string key) => Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(key)));

    public async Task<ApiKeyInfo?> FindAsync(string key, CancellationToken ct)
    {
        var hash = Hash(key);
        var now = time.GetUtcNow();
        if (_cache.TryGetValue(hash, out var hit) && hit.Until > now) return hit.Key;
        await using var c = await db.OpenAsync(ct);
        var found = await c.QuerySingleOrDefaultAsync<ApiKeyInfo>(new CommandDefinition(db.Sql(SelectActiveByHash), new { Hash = hash }, cancellationToken: ct));
        _cache[hash] = (found, now + CacheFor);
        return found;
    }

    /// <returns>The new key's id and the key itself: the only time it is seen.</returns>
    public async Task<(string Id, string Key)> CreateAsync(string name, string scope, string? merchantId, string? createdBy, CancellationToken ct)
    {
        var id = "key-" + Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(6));
        var key = NewKey();
        // The API refuses card data in a name; the admin pages' free text is stored masked.
        name = CardData.Mask(name);
        await db.WriteAsync((c, tx) => c.ExecuteAsync(new CommandDefinition(db.Sql(Insert), new
        {
            Id = id, Name = name, Scope = scope, MerchantId = merchantId, Hash = Hash(key),
            Now = DbTime.ToMs(time.GetUtcNow()), CreatedBy = createdBy,
        }, tx, cancellationToken: ct)), ct);
        return (id, key);
    }

    /// <summary>Makes the configured bootstrap string a valid admin key (replacing an earlier one).</summary>
    public Task EnsureBootstrapAsync(string key, CancellationToken ct) =>
        db.WriteAsync((c, tx) => c.ExecuteAsync(new CommandDefinition(db.Sql(UpsertBootstrap), new
        {
            Id = BootstrapKeyId, Hash = Hash(key), Now = DbTime.ToMs(time.GetUtcNow()),
        }, tx, cancellationToken: ct)), ct);

    /// <returns>False when no active key has that id.</returns>
    public async Task<bool> RevokeAsync(string id, CancellationToken ct)
    {
        var changed = await db.WriteAsync((c, tx) => c.ExecuteAsync(new CommandDefinition(db.Sql(Revoke),
            new { Id = id, Now = DbTime.ToMs(time.GetUtcNow()) }, tx, cancellationToken: ct)), ct);
        if (changed == 0) return false;
        Evict(id);
        _revoked.Publish(id);
        return true;
    }

    /// <summary>Whether key <paramref name="id"/> exists with <paramref name="scope"/> and is not revoked (uncached: revocation must show at once).</summary>
    public async Task<bool> IsActiveAsync(string id, string scope, CancellationToken ct)
    {
        await using var c = await db.OpenAsync(ct);
        return await c.ExecuteScalarAsync<long>(new CommandDefinition(db.Sql(CountActive), new { Id = id, Scope = scope }, cancellationToken: ct)) > 0;
    }

    public async Task<IReadOnlyList<ApiKeyListItem>> ListAsync(CancellationToken ct)
    {
        await using var c = await db.OpenAsync(ct);
        return (await c.QueryAsync<ApiKeyListItem>(new CommandDefinition(db.Sql(SelectAll), cancellationToken: ct))).AsList();
    }

    public const int PageMax = 200;

    /// <summary>
    /// One page of keys, newest first, paged and searched in SQL (an acquirer has a key per merchant or TMS: tens of
    /// thousands), optionally only those of <paramref name="scope"/>; search matches id, name, scope, merchant or creator.
    /// </summary>
    public async Task<GridPage<ApiKeyListItem>> PageAsync(string? search, string? scope, int skip, int take, CancellationToken ct)
    {
        var args = new
        {
            Pattern = new GridQuery(search, null, false, 0, 0).SearchPattern, Scope = scope,
            Skip = Math.Max(0, skip), Take = Math.Clamp(take, 1, PageMax),
        };
        await using var c = await db.OpenAsync(ct);
        var total = await c.ExecuteScalarAsync<int>(new CommandDefinition(db.Sql(CountPage), args, cancellationToken: ct));
        var items = await c.QueryAsync<ApiKeyListItem>(new CommandDefinition(Paging.Page(db.Sql(SelectPage), "created_at DESC, id DESC"), args, cancellationToken: ct));
        return new GridPage<ApiKeyListItem>(items.AsList(), total);
    }

    private const string PageWhere =
        """
        WHERE (@Scope IS NULL OR scope = @Scope)
          AND (id LIKE @Pattern OR name LIKE @Pattern OR scope LIKE @Pattern OR merchant_id LIKE @Pattern OR created_by LIKE @Pattern)
        """;

    private static readonly SqlText SelectPage = Paging.Paged(
        $"""
        SELECT id AS Id, name AS Name, scope AS Scope, merchant_id AS MerchantId, created_at AS CreatedAt,
               created_by AS CreatedBy, revoked_at AS RevokedAt
        FROM api_keys
        {PageWhere}
        """);

    private static readonly SqlText CountPage = SqlText.Same($"SELECT COUNT(*) FROM api_keys {PageWhere};");

    private static string Base64Url(byte[] bytes) => Convert.ToBase64String(bytes).TrimEnd('=').Replace('+', '-').Replace('/', '_');

    private static readonly SqlText SelectActiveByHash = SqlText.Same(
        """
        SELECT id AS Id, name AS Name, scope AS Scope, merchant_id AS MerchantId
        FROM api_keys WHERE key_hash = @Hash AND revoked_at IS NULL;
        """);

    private static readonly SqlText Insert = SqlText.Same(
        """
        INSERT INTO api_keys (id, name, scope, merchant_id, key_hash, created_at, created_by, revoked_at)
        VALUES (@Id, @Name, @Scope, @MerchantId, @Hash, @Now, @CreatedBy, NULL);
        """);

    private static readonly SqlText UpsertBootstrap = new(
        """
        INSERT INTO api_keys (id, name, scope, merchant_id, key_hash, created_at, created_by, revoked_at)
        VALUES (@Id, 'Bootstrap admin key (PosMonitor:Bootstrap:AdminApiKey)', 'admin', NULL, @Hash, @Now, 'configuration', NULL)
        ON CONFLICT (id) DO UPDATE SET key_hash = excluded.key_hash, revoked_at = NULL
        WHERE api_keys.key_hash <> excluded.key_hash OR api_keys.revoked_at IS NOT NULL;
        """,
        """
        MERGE api_keys WITH (HOLDLOCK) AS t
        USING (SELECT @Id AS id, @Hash AS key_hash) AS s ON t.id = s.id
        WHEN MATCHED AND (t.key_hash <> s.key_hash OR t.revoked_at IS NOT NULL)
            THEN UPDATE SET key_hash = s.key_hash, revoked_at = NULL
        WHEN NOT MATCHED THEN INSERT (id, name, scope, merchant_id, key_hash, created_at, created_by, revoked_at)
            VALUES (s.id, 'Bootstrap admin key (PosMonitor:Bootstrap:AdminApiKey)', 'admin', NULL, s.key_hash, @Now, 'configuration', NULL);
        """);

    private static readonly SqlText Revoke = SqlText.Same(
        "UPDATE api_keys SET revoked_at = @Now WHERE id = @Id AND revoked_at IS NULL;");

    private static readonly SqlText CountActive = SqlText.Same(
        "SELECT COUNT(*) FROM api_keys WHERE id = @Id AND scope = @Scope AND revoked_at IS NULL;");

    private static readonly SqlText SelectAll = SqlText.Same(
        """
        SELECT id AS Id, name AS Name, scope AS Scope, merchant_id AS MerchantId, created_at AS CreatedAt,
               created_by AS CreatedBy, revoked_at AS RevokedAt
        FROM api_keys ORDER BY created_at DESC;
        """);
}
