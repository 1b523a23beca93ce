using Microsoft.AspNetCore.Http.HttpResults;
using PosMonitor.Core;
using PosMonitor.Core.Telemetry;
using PosMonitor.Web.Features.Audit;
using PosMonitor.Web.Features.Fleet;
using PosMonitor.Web.Infrastructure.Api;

namespace PosMonitor.Web.Features.Identity;

public sealed record CreateKeyRequest(string? Scope, string? MerchantId, string? Name);

public sealed record CreatedKey(string Id, string Key, string Scope, string? MerchantId);

/// <summary><c>POST /api/v1/keys</c> and <c>DELETE /api/v1/keys/{id}</c> (admin).</summary>
public static class ApiKeysApi
{
    public static IEndpointRouteBuilder MapApiKeysApi(this IEndpointRouteBuilder app)
    {
        var api = app.MapGroup("/api/v1/keys").RequireAuthorization(ApiPolicies.Admin).WithTags("Keys");
        api.MapPost("/", CreateKey);
        api.MapDelete("/{id}", RevokeKey);
        return app;
    }

    public static async Task<Results<Created<CreatedKey>, ProblemHttpResult>> CreateKey(
        CreateKeyRequest request, ApiKeyRepository keys, FleetRepository fleet, AuditLog audit, HttpContext http, CancellationToken ct)
    {
        // Checked first and alone: the other messages quote what was sent.
        List<string> cardData = [];
        if (request.Scope is { } s && CardData.Contains(s)) cardData.Add("scope");
        if (request.MerchantId is { } m && CardData.ContainsInIdentifier(m)) cardData.Add("merchantId");
        if (request.Name is { } n && CardData.Contains(n)) cardData.Add("name");
        if (cardData.Count > 0)
        {
            await audit.RecordAsync(http.User, AuditActions.KeyCreated, null, AuditResults.Failure, ct, $"card data in {string.Join(", ", cardData)}");
            return ApiProblems.CardData(cardData);
        }
        var problems = new List<string>();
        if (string.IsNullOrEmpty(request.Scope) || !Scopes.All.Contains(request.Scope))
            problems.Add($"scope: must be one of {string.Join(", ", Scopes.All)}");
        else if (Scopes.IsMerchantBound(request.Scope) && string.IsNullOrEmpty(request.MerchantId))
            problems.Add($"merchantId: is required for scope {request.Scope}");
        else if (!Scopes.IsMerchantBound(request.Scope) && !string.IsNullOrEmpty(request.MerchantId))
            problems.Add($"merchantId: is not allowed for scope {request.Scope}");
        if (!string.IsNullOrEmpty(request.MerchantId)
            && (!Identifier.IsValid(request.MerchantId) || !await fleet.MerchantExistsAsync(request.MerchantId, ct)))
            problems.Add($"merchantId: unknown merchant '{request.MerchantId}'");
        if (request.Name is { Length: > 200 }) problems.Add("name: longer than 200 characters");
        if (problems.Count > 0)
        {
            await audit.RecordAsync(http.User, AuditActions.KeyCreated, request.Scope, AuditResults.Failure, ct, string.Join("; ", problems));
            return ApiProblems.Validation("The key request is invalid", problems);
        }

        var name = string.IsNullOrWhiteSpace(request.Name) ? request.Scope! : request.Name.Trim();
        var (id, key) = await keys.CreateAsync(name, request.Scope!, request.MerchantId, AuditLog.ActorOf(http.User), ct);
        await audit.RecordAsync(http.User, AuditActions.KeyCreated, id, AuditResults.Success, ct,
            $"scope {request.Scope}{(request.MerchantId is null ? "" : $", merchant {request.MerchantId}")}, name {name}");
        return TypedResults.Created($"/api/v1/keys/{id}", new CreatedKey(id, key, request.Scope!, request.MerchantId));
    }

    public static async Task<Results<NoContent, ProblemHttpResult>> RevokeKey(string id, ApiKeyRepository keys, AuditLog audit, HttpContext http, CancellationToken ct)
    {
        var revoked = await keys.RevokeAsync(id, ct);
        await audit.RecordAsync(http.User, AuditActions.KeyRevoked, id, revoked ? AuditResults.Success : AuditResults.Failure, ct,
            revoked ? null : "no active key with that id");
        return revoked ? TypedResults.NoContent() : ApiProblems.NotFound($"No active key has id '{id}'.");
    }
}
