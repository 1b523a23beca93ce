using Microsoft.AspNetCore.Authentication;

namespace PosMonitor.Web.Features.Identity;

public sealed class BootstrapOptions
{
    public const string Section = "PosMonitor:Bootstrap";

    /// <summary>When set, this exact string is a valid admin API key from start-up on.</summary>
    public string? AdminApiKey { get; set; }
}

public static class IdentityExtensions
{
    public static IHostApplicationBuilder AddPosMonitorIdentity(this IHostApplicationBuilder builder)
    {
        builder.Services.Configure<BootstrapOptions>(builder.Configuration.GetSection(BootstrapOptions.Section));
        builder.Services.AddSingleton<ApiKeyRepository>();
        builder.Services.AddAuthentication()
            .AddScheme<AuthenticationSchemeOptions, ApiKeyAuthenticationHandler>(ApiKeyAuthenticationHandler.SchemeName, null);
        builder.Services.AddAuthorizationBuilder()
            .AddPolicy(ApiPolicies.Admin, p => p.AddAuthenticationSchemes(ApiKeyAuthenticationHandler.SchemeName)
                .RequireClaim(PosClaims.Scope, Scopes.Admin))
            .AddPolicy(ApiPolicies.Ingest, p => p.AddAuthenticationSchemes(ApiKeyAuthenticationHandler.SchemeName)
                .RequireClaim(PosClaims.Scope, Scopes.Admin, Scopes.IngestPlatform, Scopes.IngestMerchant))
            .AddPolicy(ApiPolicies.Read, p => p.AddAuthenticationSchemes(ApiKeyAuthenticationHandler.SchemeName)
                .RequireClaim(PosClaims.Scope, Scopes.Admin, Scopes.ReadPlatform, Scopes.ReadMerchant))
            .AddPolicy(ApiPolicies.Live, p => p.AddAuthenticationSchemes(ApiKeyAuthenticationHandler.SchemeName)
                .RequireClaim(PosClaims.Scope, Scopes.Admin, Scopes.ReadPlatform, Scopes.ReadMerchant, Scopes.Display));
        return builder;
    }
}
