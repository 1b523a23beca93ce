using Microsoft.AspNetCore.Http.HttpResults;
using PosMonitor.Web.Features.Identity;
using PosMonitor.Web.Infrastructure.Api;

namespace PosMonitor.Web.Features.Feedback;

public sealed record FeedbackBody(
    string Id, string MerchantId, string Category, int? Rating, string Text, string? TerminalId, string? IncidentId, string Status,
    bool PossibleNewFault, DateTimeOffset CreatedAt, IReadOnlyList<ReplyBody>? Replies);

public sealed record ReplyBody(string Author, bool FromStaff, string Text, DateTimeOffset At);

/// <summary>
/// <c>GET /api/v1/feedback</c> and <c>/api/v1/feedback/{id}</c> (read scopes or a signed-in user):
/// a <c>read:merchant</c> key or merchant owner sees only its merchant's feedback; another
/// merchant's id answers 404, as an unknown one does, and is audited.
/// </summary>
public static class FeedbackApi
{
    public static IEndpointRouteBuilder MapFeedbackApi(this IEndpointRouteBuilder app)
    {
        var api = app.MapGroup("/api/v1/feedback").RequireAuthorization(ApiPolicies.Read).WithTags("Feedback");
        api.MapGet("/", List);
        api.MapGet("/{id}", Get);
        return app;
    }

    public static async Task<Ok<IReadOnlyList<FeedbackBody>>> List(HttpContext http, FeedbackService feedback, CancellationToken ct)
    {
        var viewer = Viewer.From(http.User);
        var items = viewer.SeesEveryMerchant
            ? (await feedback.InboxAsync(http.User, new FeedbackFilter(null, null, null, 0, 200), ct)).Items
            : await feedback.MineAsync(http.User, ct);
        return TypedResults.Ok<IReadOnlyList<FeedbackBody>>([.. items.Select(i => Body(i, null))]);
    }

    public static async Task<Results<Ok<FeedbackBody>, ProblemHttpResult>> Get(string id, HttpContext http, FeedbackService feedback, CancellationToken ct) =>
        await feedback.GetAsync(http.User, id, ct) is { } found
            ? TypedResults.Ok(Body(found.Item, found.Replies))
            : ApiProblems.NotFound($"No feedback '{id}' that this caller may see.");

    private static FeedbackBody Body(FeedbackItem i, IReadOnlyList<FeedbackReply>? replies) => new(
        i.Id, i.MerchantId, i.Category, i.Rating, i.Text, i.TerminalId, i.IncidentId, i.Status, i.PossibleNewFault, i.Created,
        replies?.Select(r => new ReplyBody(r.AuthorName, r.FromStaff, r.Text, r.Created)).ToList());
}
