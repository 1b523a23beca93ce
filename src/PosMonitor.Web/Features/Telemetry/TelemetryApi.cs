using System.Buffers;
using System.Diagnostics;
using System.Security.Claims;
using System.Text.Json;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Extensions.Options;
using PosMonitor.Core.Telemetry;
using PosMonitor.Web.Features.Identity;
using PosMonitor.Web.Infrastructure.Api;

namespace PosMonitor.Web.Features.Telemetry;

public sealed record RejectionBody(string Kind, int Index, string? EventId, string Code, string Message);

public sealed record TelemetryAccepted(int Accepted, int Duplicates, IReadOnlyList<RejectionBody> Rejected);

/// <summary><c>POST /api/v1/telemetry</c> exactly as src/PosMonitor.Web/Features/Telemetry/telemetry-api.md describes it.</summary>
public static class TelemetryApi
{
    public const int MaxBodyBytes = 4 * 1024 * 1024;
    public const int MaxEvents = 5_000;
    public const string RateLimitPolicy = "telemetry-per-key";

    public static IEndpointRouteBuilder MapTelemetryApi(this IEndpointRouteBuilder app)
    {
        app.MapGroup("/api/v1/telemetry").RequireAuthorization(ApiPolicies.Ingest).RequireRateLimiting(RateLimitPolicy)
            .WithTags("Telemetry")
            .MapPost("/", PostTelemetry)
            .WithSummary("Send heartbeats and sales")
            .Accepts<TelemetryRequest>("application/json")
            .ProducesProblem(StatusCodes.Status400BadRequest)
            .ProducesProblem(StatusCodes.Status413PayloadTooLarge)
            .ProducesProblem(StatusCodes.Status415UnsupportedMediaType)
            .ProducesProblem(StatusCodes.Status429TooManyRequests)
            .ProducesProblem(StatusCodes.Status503ServiceUnavailable);
        return app;
    }

    public static async Task<Results<Accepted<TelemetryAccepted>, ProblemHttpResult>> PostTelemetry(
        HttpContext http, TelemetryFleetCheck fleetCheck, IngestionQueue queue, IngestionMetrics metrics,
        IOptions<IngestionOptions> options, TimeProvider time, ILoggerFactory loggers, CancellationToken ct)
    {
        var request = http.Request;
        if (!request.HasJsonContentType())
            return Problem(StatusCodes.Status415UnsupportedMediaType, "Unsupported media type", "Send telemetry as application/json.");
        if (request.ContentLength > MaxBodyBytes)
            return TooLarge($"The body is {request.ContentLength} bytes; the limit is {MaxBodyBytes} bytes (4 MiB).");

        var buffer = ArrayPool<byte>.Shared.Rent(64 * 1024);
        try
        {
            var length = 0;
            while (true)
            {
                if (length == buffer.Length)
                {
                    if (length > MaxBodyBytes) return TooLarge($"The body is over the limit of {MaxBodyBytes} bytes (4 MiB).");
                    var larger = ArrayPool<byte>.Shared.Rent(Math.Min(buffer.Length * 2, MaxBodyBytes + 1));
                    buffer.AsSpan(0, length).CopyTo(larger);
                    ArrayPool<byte>.Shared.Return(buffer);
                    buffer = larger;
                }
                var read = await request.Body.ReadAsync(buffer.AsMemory(length), ct);
                if (read == 0) break;
                length += read;
                if (length > MaxBodyBytes) return TooLarge($"The body is over the limit of {MaxBodyBytes} bytes (4 MiB).");
            }
            return await Ingest(http, buffer.AsMemory(0, length), fleetCheck, queue, metrics, options.Value, time.GetUtcNow(),
                loggers.CreateLogger(typeof(TelemetryApi)));
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    private static async Task<Results<Accepted<TelemetryAccepted>, ProblemHttpResult>> Ingest(HttpContext http, ReadOnlyMemory<byte> body, TelemetryFleetCheck fleetCheck,
        IngestionQueue queue, IngestionMetrics metrics, IngestionOptions options, DateTimeOffset now, ILogger logger)
    {
        using var activity = metrics.StartRequest();
        var parsed = TelemetryBatch.Read(body, now, MaxEvents);
        activity?.SetTag("posmonitor.telemetry.events", parsed.Total);
        switch (parsed.Problem)
        {
            case TelemetryBodyProblem.NotUtf8:
                return ApiProblems.BadRequest("The body is not UTF-8",
                    $"Byte {parsed.InvalidByteOffset + 1} of the body is not valid UTF-8: telemetry is JSON in UTF-8. Nothing of this request was stored.");
            case TelemetryBodyProblem.NotJson:
                return ApiProblems.BadRequest("The body is not telemetry JSON",
                    $"JSON error at line {parsed.ErrorLine + 1}, byte {parsed.ErrorBytePositionInLine + 1}: the body must be {{ \"heartbeats\": [...], \"transactions\": [...] }}.");
            case TelemetryBodyProblem.NotAnObject:
                return ApiProblems.BadRequest("The body is not telemetry JSON", "The body must be a JSON object with \"heartbeats\" and/or \"transactions\" arrays.");
            case TelemetryBodyProblem.NotAnArray:
                return ApiProblems.BadRequest("The body is not telemetry JSON", $"\"{parsed.List}\" must be an array.");
            case TelemetryBodyProblem.NoLists:
                return ApiProblems.BadRequest("The body is not telemetry JSON", "The body has neither a \"heartbeats\" nor a \"transactions\" array.");
            case TelemetryBodyProblem.TooManyEvents:
                return TooLarge($"The body holds {parsed.Total} events; the limit is {MaxEvents} per request.");
        }
        var scope = http.User.FindFirstValue(PosClaims.Scope);
        var ownMerchant = scope == Scopes.IngestMerchant ? http.User.FindFirstValue(PosClaims.MerchantId) : null;
        var (heartbeats, transactions, rejected, withinBatchDuplicates) = fleetCheck.Check(parsed, ownMerchant);
        foreach (var r in rejected) metrics.Rejected(r.Code);
        if (rejected.Any(r => r.Code == RejectionCodes.CardData))
            // Never the value: which event, and that it was discarded.
            logger.LogWarning("Discarded {Count} event(s) holding card data from key {KeyId}",
                rejected.Count(r => r.Code == RejectionCodes.CardData), http.User.FindFirstValue(PosClaims.KeyId));

        var duplicates = withinBatchDuplicates;
        var batch = new IngestBatch(heartbeats, transactions);
        if (batch.Count > 0)
        {
            if (!queue.TryEnqueue(batch))
            {
                activity?.SetStatus(ActivityStatusCode.Error, "ingestion queue full");
                metrics.Refused(StatusCodes.Status503ServiceUnavailable);
                return ApiProblems.RetryLater(http, StatusCodes.Status503ServiceUnavailable, options.RetryAfterSeconds,
                    "Ingestion queue is full", "Nothing of this request was stored; send it again after Retry-After seconds.");
            }
            try
            {
                duplicates += await batch.Stored.Task;
            }
            catch (Exception)
            {
                activity?.SetStatus(ActivityStatusCode.Error, "commit failed");
                metrics.Refused(StatusCodes.Status503ServiceUnavailable);
                return ApiProblems.RetryLater(http, StatusCodes.Status503ServiceUnavailable, options.RetryAfterSeconds,
                    "The server cannot store telemetry right now", "Nothing of this request was stored; send it again after Retry-After seconds.");
            }
        }
        var accepted = batch.Count - (duplicates - withinBatchDuplicates);
        // The writer counts what it stored and the duplicates it found; the ones inside this request never reached it.
        metrics.Duplicates(withinBatchDuplicates);
        activity?.SetTag("posmonitor.telemetry.accepted", accepted).SetTag("posmonitor.telemetry.duplicates", duplicates)
            .SetTag("posmonitor.telemetry.rejected", rejected.Count);
        return TypedResults.Accepted((string?)null, new TelemetryAccepted(accepted, duplicates, rejected));
    }

    private static ProblemHttpResult Problem(int status, string title, string detail) =>
        TypedResults.Problem(title: title, detail: detail, statusCode: status);

    private static ProblemHttpResult TooLarge(string detail) =>
        Problem(StatusCodes.Status413PayloadTooLarge, "Request too large", detail + " Split it into smaller batches.");
}
