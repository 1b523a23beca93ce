using Microsoft.AspNetCore.Http.HttpResults;
using PosMonitor.Core.Telemetry;

namespace PosMonitor.Web.Infrastructure.Api;

/// <summary>problem+json answers shared by the API groups.</summary>
public static class ApiProblems
{
    /// <summary>400 listing every problem found, in <c>errors</c>.</summary>
    public static ProblemHttpResult Validation(string title, IReadOnlyList<string> problems) =>
        TypedResults.Problem(
            title: title,
            detail: $"{problems.Count} problem(s): " + string.Join("; ", problems.Take(20)) + (problems.Count > 20 ? "; …" : ""),
            statusCode: StatusCodes.Status400BadRequest,
            extensions: new Dictionary<string, object?> { ["errors"] = problems });

    /// <summary>
    /// 400 with code <c>card_data</c>: the named fields hold a PAN or track data. Nothing of the request was stored,
    /// and the values are not echoed.
    /// </summary>
    public static ProblemHttpResult CardData(IReadOnlyList<string> fields) =>
        TypedResults.Problem(
            title: "The request holds card data; nothing was stored",
            detail: $"Card data (a PAN or track data) in {string.Join(", ", fields)}. Never send card numbers.",
            statusCode: StatusCodes.Status400BadRequest,
            extensions: new Dictionary<string, object?>
            {
                ["code"] = RejectionCodes.CardData,
                ["fields"] = fields,
                ["errors"] = fields.Select(f => $"{f}: holds card data (a PAN or track data)").ToList(),
            });

    public static ProblemHttpResult BadRequest(string title, string detail) =>
        TypedResults.Problem(title: title, detail: detail, statusCode: StatusCodes.Status400BadRequest);

    public static ProblemHttpResult NotFound(string detail) =>
        TypedResults.Problem(title: "Not found", detail: detail, statusCode: StatusCodes.Status404NotFound);

    /// <summary>429/503 with Retry-After: nothing of the request was stored, send it again later.</summary>
    public static ProblemHttpResult RetryLater(HttpContext http, int status, int retryAfterSeconds, string title, string detail)
    {
        http.Response.Headers.RetryAfter = retryAfterSeconds.ToString(System.Globalization.CultureInfo.InvariantCulture);
        return TypedResults.Problem(title: title, detail: detail, statusCode: status,
            extensions: new Dictionary<string, object?> { ["retryAfterSeconds"] = retryAfterSeconds });
    }
}
