namespace PosMonitor.Web.Features.Identity;

/// <summary>API key scopes of src/PosMonitor.Web/Features/Telemetry/telemetry-api.md; each key has exactly one.</summary>
public static class Scopes
{
    public const string Admin = "admin";
    public const string IngestPlatform = "ingest:platform";
    public const string IngestMerchant = "ingest:merchant";
    public const string ReadMerchant = "read:merchant";
    public const string ReadPlatform = "read:platform";
    public const string Display = "display";
    /// <summary>Scrapes PosMonitor's own metrics at <c>/metrics</c>, nothing else.</summary>
    public const string Metrics = "metrics";

    public static IReadOnlyList<string> All { get; } = [Admin, IngestPlatform, IngestMerchant, ReadMerchant, ReadPlatform, Display, Metrics];

    /// <summary>The <c>:merchant</c> scopes are bound to one merchant; the others must not be.</summary>
    public static bool IsMerchantBound(string scope) => scope is IngestMerchant or ReadMerchant;
}

/// <summary>Authorization policies of the API, by what a scope may do.</summary>
public static class ApiPolicies
{
    public const string Admin = "api:admin";
    public const string Ingest = "api:ingest";
    public const string Read = "api:read";
    public const string Live = "api:live";
    public const string Metrics = "api:metrics";
}

public static class PosClaims
{
    public const string Scope = "scope";
    public const string MerchantId = "merchant_id";
    public const string KeyId = "key_id";
    /// <summary>The server-side session a signed-in user's cookie belongs to (<see cref="SessionStore"/>).</summary>
    public const string SessionId = "sid";
}
