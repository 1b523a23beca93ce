using System.Text.Json;
using Microsoft.AspNetCore.Http.HttpResults;
using PosMonitor.Core.Fleet;
using PosMonitor.Web.Features.Identity;
using PosMonitor.Web.Infrastructure.Api;

namespace PosMonitor.Web.Features.Fleet;

/// <summary><c>PUT /api/v1/fleet</c>: idempotent upsert, validated whole (src/PosMonitor.Web/Features/Telemetry/telemetry-api.md).</summary>
public static class FleetApi
{
    public static IEndpointRouteBuilder MapFleetApi(this IEndpointRouteBuilder app)
    {
        app.MapGroup("/api/v1/fleet").RequireAuthorization(ApiPolicies.Admin).WithTags("Fleet")
            .MapPut("/", PutFleet)
            .WithSummary("Upsert regions, gateways, merchants and terminals")
            .Accepts<FleetDocument>("application/json")
            .ProducesProblem(StatusCodes.Status400BadRequest);
        return app;
    }

    public static async Task<Results<Ok<FleetCounts>, ProblemHttpResult>> PutFleet(
        HttpRequest request, FleetRepository fleet, FleetChanges changes, CancellationToken ct)
    {
        if (!request.HasJsonContentType())
            return TypedResults.Problem(title: "Unsupported media type", detail: "Send the fleet document as application/json.",
                statusCode: StatusCodes.Status415UnsupportedMediaType);
        FleetDocument? document;
        try
        {
            document = await JsonSerializer.DeserializeAsync<FleetDocument>(request.Body, JsonSerializerOptions.Web, ct);
        }
        catch (JsonException e)
        {
            return ApiProblems.BadRequest("The body is not a fleet document",
                $"JSON error at {e.Path ?? "$"} (line {e.LineNumber + 1}): {FirstSentence(e.Message)}");
        }
        if (document is null) return ApiProblems.BadRequest("The body is not a fleet document", "The body is empty or null.");

        if (FleetValidator.CardDataFields(document) is { Count: > 0 } cardData) return ApiProblems.CardData(cardData);
        var regions = await fleet.RegionIdsAsync(ct);
        var gateways = await fleet.GatewayIdsAsync(ct);
        var problems = FleetValidator.Validate(document, regions.Contains, gateways.Contains);
        if (problems.Count > 0) return ApiProblems.Validation("The fleet document was rejected; nothing was stored", problems);

        var counts = await fleet.UpsertAsync(document, ct);
        await changes.NotifyChangedAsync(ct);
        return TypedResults.Ok(counts);
    }

    private static string FirstSentence(string message) => message.Split(". Path:")[0];
}

/// <summary>
/// Tells the ingestion pipeline and detection that the fleet changed; awaited, so telemetry sent
/// right after a fleet upsert already finds the new terminals.
/// </summary>
public sealed class FleetChanges
{
    private readonly List<Func<CancellationToken, Task>> _subscribers = [];

    public void Subscribe(Func<CancellationToken, Task> reload)
    {
        lock (_subscribers) _subscribers.Add(reload);
    }

    private readonly List<Action> _own = [];

    /// <summary>Calls <paramref name="onChanged"/> after each change made on this node (the relay to the other nodes, PosMonitor:Cluster).</summary>
    public void SubscribeOwn(Action onChanged)
    {
        lock (_own) _own.Add(onChanged);
    }

    public async Task NotifyChangedAsync(CancellationToken ct)
    {
        await NotifyChangedFromPeerAsync(ct);
        Action[] own;
        lock (_own) own = [.. _own];
        foreach (var changed in own) changed();
    }

    /// <summary>Another node changed the fleet: this node reloads it.</summary>
    public async Task NotifyChangedFromPeerAsync(CancellationToken ct)
    {
        Func<CancellationToken, Task>[] subscribers;
        lock (_subscribers) subscribers = [.. _subscribers];
        foreach (var reload in subscribers) await reload(ct);
    }
}
