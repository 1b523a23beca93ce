using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.OpenApi;
using Microsoft.OpenApi;
using PosMonitor.Web.Features.Identity;

namespace PosMonitor.Web.Infrastructure.Api;

/// <summary>
/// The HTTP API describing itself: an OpenAPI document generated from the endpoints at <c>/openapi/v1.json</c>, with the
/// key schemes, each operation's scope and the problem+json answers every <c>/api</c> call may give. The wire contract in
/// words is src/PosMonitor.Web/Features/Telemetry/telemetry-api.md; <c>ApiDocumentTests</c> hold the two together.
/// </summary>
public static class ApiDocument
{
    public const string Route = "/openapi/{documentName}.json";

    public static WebApplicationBuilder AddApiDocument(this WebApplicationBuilder builder)
    {
        builder.Services.AddOpenApi(options =>
        {
            // Only the API: the portal's pages, the culture switch and the hub are not part of the contract.
            options.ShouldInclude = d => d.RelativePath?.StartsWith("api/", StringComparison.Ordinal) == true;
            options.AddDocumentTransformer((document, _, _) =>
            {
                document.Info = new OpenApiInfo
                {
                    Title = "PosMonitor API",
                    Version = "v1",
                    Description = "Telemetry intake, fleet, keys and reading for POS terminal fleets. Every call carries an API key "
                        + "(X-Api-Key, or Authorization: Bearer); every error is application/problem+json. "
                        + "The contract in words: src/PosMonitor.Web/Features/Telemetry/telemetry-api.md.",
                };
                document.Components ??= new OpenApiComponents();
                document.Components.SecuritySchemes ??= new Dictionary<string, IOpenApiSecurityScheme>();
                document.Components.SecuritySchemes[ApiKeyHeader] = new OpenApiSecurityScheme
                {
                    Type = SecuritySchemeType.ApiKey, In = ParameterLocation.Header, Name = "X-Api-Key",
                    Description = "An API key, shown once when it was created.",
                };
                document.Components.SecuritySchemes[Bearer] = new OpenApiSecurityScheme
                {
                    Type = SecuritySchemeType.Http, Scheme = "bearer", Description = "The same key as a bearer token.",
                };
                return Task.CompletedTask;
            });
            options.AddOperationTransformer((operation, context, _) =>
            {
                var policy = context.Description.ActionDescriptor.EndpointMetadata.OfType<IAuthorizeData>()
                    .Select(a => a.Policy).LastOrDefault(p => p is not null);
                if (policy is null) return Task.CompletedTask;
                operation.Description = string.Join(" ", new[] { operation.Description, $"Scopes: {ScopesOf(policy)}." }.Where(t => !string.IsNullOrEmpty(t)));
                operation.Security ??= [];
                foreach (var scheme in new[] { ApiKeyHeader, Bearer })
                    operation.Security.Add(new OpenApiSecurityRequirement { [new OpenApiSecuritySchemeReference(scheme, context.Document)] = [] });
                operation.Responses ??= new OpenApiResponses();
                AddProblem(operation, "401", "No key, or an unknown or revoked one.");
                AddProblem(operation, "403", "A known key of a scope that may not do this.");
                return Task.CompletedTask;
            });
        });
        return builder;
    }

    public static WebApplication MapApiDocument(this WebApplication app)
    {
        // Integrators read it before they hold a key: it describes, it holds no data.
        app.MapOpenApi(Route).AllowAnonymous();
        return app;
    }

    private const string ApiKeyHeader = "apiKey";
    private const string Bearer = "bearer";

    private static string ScopesOf(string policy) => policy switch
    {
        ApiPolicies.Admin => Scopes.Admin,
        ApiPolicies.Ingest => $"{Scopes.Admin}, {Scopes.IngestPlatform}, {Scopes.IngestMerchant}",
        ApiPolicies.Read => $"{Scopes.Admin}, {Scopes.ReadPlatform}, {Scopes.ReadMerchant}",
        _ => policy,
    };

    private static void AddProblem(OpenApiOperation operation, string status, string description)
    {
        if (operation.Responses!.ContainsKey(status)) return;
        operation.Responses[status] = new OpenApiResponse
        {
            Description = description,
            Content = new Dictionary<string, OpenApiMediaType> { ["application/problem+json"] = new() },
        };
    }
}
