using System.Security.Claims;
using System.Text.Json;
using PosMonitor.Core.Telemetry;
using PosMonitor.Web.Features.Audit;
using PosMonitor.Web.Features.Identity;
using PosMonitor.Web.Features.Incidents;
using PosMonitor.Web.Features.Portal;
using PosMonitor.Web.Infrastructure.Data;

namespace PosMonitor.Web.Features.Feedback;

/// <summary>
/// Merchant feedback (用户反馈机制): merchant owners send and follow their own; support agents
/// triage, answer and link. What a caller may touch comes from its <see cref="Viewer"/>; asking for
/// another merchant's feedback or terminal answers "not found" and is audited.
/// </summary>
public sealed class FeedbackService(FeedbackRepository repository, MerchantPortal portal, OpenIncidents incidents, AuditLog audit,
    Microsoft.Extensions.Localization.IStringLocalizer<FeedbackStrings> strings, TimeProvider time)
{
    public const int ReportMinutes = 15;
    /// <summary>A one-click report of a terminal within this long of an earlier one still open joins it.</summary>
    public const int MergeMinutes = 10;
    private static readonly SemaphoreSlim ReportLock = new(1, 1);

    /// <returns>The new feedback's id, or null with problems (resource keys) when refused.</returns>
    public async Task<(string? Id, IReadOnlyDictionary<string, string> Problems)> SubmitAsync(ClaimsPrincipal user, FeedbackInput input, CancellationToken ct)
    {
        var viewer = Viewer.From(user);
        if (viewer.MerchantId is not { } merchantId || viewer.SeesEveryMerchant)
            return (null, new Dictionary<string, string> { [""] = "Invalid_NotOwner" });
        var problems = new Dictionary<string, string>(input.Validate());
        var terminalId = string.IsNullOrWhiteSpace(input.TerminalId) ? null : input.TerminalId.Trim();
        if (terminalId is not null && !portal.Owns(merchantId, terminalId))
        {
            await audit.RecordCrossMerchantAsync(user, "terminal", terminalId, ct);
            problems[nameof(FeedbackInput.TerminalId)] = "Invalid_Terminal";
        }
        if (problems.Count > 0) return (null, problems);

        // An incident link is accepted only when that open incident covers the merchant's terminal.
        var incident = terminalId is not null ? incidents.Covering(terminalId) : null;
        var incidentId = incident is not null && input.IncidentId == incident.Id ? incident.Id : null;
        var id = await InsertAsync(user, merchantId, input.Category!, input.Rating, input.Text!.Trim(), terminalId, incidentId, input.Contact, null, false, ct);
        return (id, problems);
    }

    /// <summary>
    /// "My terminal is timing out now": attaches the terminal's last 15 minutes, links the open
    /// incident covering it, or else flags the report as a possible new fault for the agents.
    /// </summary>
    public async Task<ReportResult> ReportTimeoutNowAsync(ClaimsPrincipal user, string terminalId, CancellationToken ct)
    {
        var viewer = Viewer.From(user);
        if (viewer.MerchantId is not { } merchantId || !portal.Owns(merchantId, terminalId))
        {
            await audit.RecordCrossMerchantAsync(user, "terminal", terminalId, ct);
            throw new UnauthorizedAccessException($"Terminal {terminalId} is not one of the caller's.");
        }
        var incident = incidents.Covering(terminalId);
        // One report per fault: a second tap, or a colleague on another phone, within minutes adds a line to the open
        // report instead of a second identical one in the agents' inbox. Serialised so two taps cannot both insert.
        await ReportLock.WaitAsync(ct);
        try
        {
            var since = DbTime.ToMs(time.GetUtcNow().AddMinutes(-MergeMinutes));
            if (await repository.OpenReportAsync(terminalId, since, ct) is { } earlier)
            {
                await repository.AddReplyAsync(earlier.Id, user.FindFirstValue(ClaimTypes.NameIdentifier) ?? "", DisplayName(user), false,
                    strings["TimingOutAgain", terminalId].Value, null, ct);
                return new ReportResult(earlier.Id, earlier.IncidentId ?? incident?.Id) { Merged = true, FirstReported = earlier.Created };
            }
            var summary = await portal.SummaryAsync(terminalId, ReportMinutes, ct);
            var text = strings["TimingOutNow", terminalId].Value;
            var id = await InsertAsync(user, merchantId, FeedbackCategories.Timeout, null, text, terminalId, incident?.Id, ContactPreferences.Portal,
                JsonSerializer.Serialize(summary, JsonSerializerOptions.Web), incident is null, ct);
            return new ReportResult(id, incident?.Id);
        }
        finally
        {
            ReportLock.Release();
        }
    }

    /// <summary>The caller's merchant's feedback, newest first (empty for callers bound to no merchant).</summary>
    public async Task<IReadOnlyList<FeedbackItem>> MineAsync(ClaimsPrincipal user, CancellationToken ct) =>
        Viewer.From(user).MerchantId is { } merchantId ? await repository.ListForMerchantAsync(merchantId, 200, ct) : [];

    public async Task<GridPage<FeedbackItem>> InboxAsync(ClaimsPrincipal user, FeedbackFilter filter, CancellationToken ct) =>
        Viewer.From(user).SeesEveryMerchant ? await repository.ListAsync(filter, ct) : new GridPage<FeedbackItem>([], 0);

    /// <summary>One feedback with its replies, or null when it does not exist or belongs to a merchant the caller may not see (audited).</summary>
    public async Task<(FeedbackItem Item, IReadOnlyList<FeedbackReply> Replies)?> GetAsync(ClaimsPrincipal user, string id, CancellationToken ct)
    {
        var item = await repository.GetAsync(id, ct);
        var viewer = Viewer.From(user);
        if (item is null || !viewer.MaySee(item.MerchantId) || viewer.IsDisplay)
        {
            if (!viewer.SeesEveryMerchant) await audit.RecordCrossMerchantAsync(user, "feedback", id, ct);
            return null;
        }
        return (item, await repository.RepliesAsync(id, ct));
    }

    /// <summary>A staff answer (status becomes answered) or the owner's follow-up (status unchanged).</summary>
    public async Task<bool> ReplyAsync(ClaimsPrincipal user, string id, string text, CancellationToken ct)
    {
        if (string.IsNullOrWhiteSpace(text) || await GetAsync(user, id, ct) is null) return false;
        var staff = PortalPolicies.IsStaff(user);
        await repository.AddReplyAsync(id, user.FindFirstValue(ClaimTypes.NameIdentifier) ?? "", DisplayName(user), staff,
            CardData.Mask(text.Trim()), staff ? FeedbackStatuses.Answered : null, ct);
        await audit.RecordAsync(user, AuditActions.FeedbackReplied, id, AuditResults.Success, ct);
        return true;
    }

    public async Task<bool> SetStatusAsync(ClaimsPrincipal user, string id, string status, CancellationToken ct)
    {
        if (!PortalPolicies.IsStaff(user) || !FeedbackStatuses.All.Contains(status) || await repository.GetAsync(id, ct) is null) return false;
        await repository.SetStatusAsync(id, status, ct);
        await audit.RecordAsync(user, AuditActions.FeedbackStatus, id, AuditResults.Success, ct, status);
        return true;
    }

    public async Task<bool> LinkIncidentAsync(ClaimsPrincipal user, string id, string incidentId, CancellationToken ct)
    {
        if (!PortalPolicies.IsStaff(user) || string.IsNullOrWhiteSpace(incidentId) || await repository.GetAsync(id, ct) is null) return false;
        var incident = CardData.Mask(incidentId.Trim());
        await repository.LinkIncidentAsync(id, incident, ct);
        await audit.RecordAsync(user, AuditActions.FeedbackLinked, id, AuditResults.Success, ct, incident);
        return true;
    }

    /// <summary>Volume and average rating by category and week (Monday-based, UTC) over the last <paramref name="weeks"/> weeks.</summary>
    public async Task<IReadOnlyList<FeedbackWeek>> OverviewAsync(int weeks, CancellationToken ct)
    {
        var thisWeek = WeekOf(time.GetUtcNow());
        var from = thisWeek.AddDays(-7 * (weeks - 1));
        var rows = await repository.SinceAsync(new DateTimeOffset(from.ToDateTime(TimeOnly.MinValue), TimeSpan.Zero), ct);
        return [.. rows.GroupBy(r => (Week: WeekOf(DbTime.FromMs(r.CreatedAt)), r.Category))
            .Select(g => new FeedbackWeek(g.Key.Week, g.Key.Category, g.Count(),
                g.Any(r => r.Rating is not null) ? g.Where(r => r.Rating is not null).Average(r => r.Rating!.Value) : null))
            .OrderBy(w => w.Week).ThenBy(w => w.Category, StringComparer.Ordinal)];
    }

    public static DateOnly WeekOf(DateTimeOffset t)
    {
        var day = DateOnly.FromDateTime(t.UtcDateTime);
        return day.AddDays(-(((int)day.DayOfWeek + 6) % 7));
    }

    private async Task<string> InsertAsync(ClaimsPrincipal user, string merchantId, string category, int? rating, string text, string? terminalId,
        string? incidentId, string contact, string? summary, bool possibleNewFault, CancellationToken ct)
    {
        var now = DbTime.ToMs(time.GetUtcNow());
        var item = new FeedbackItem
        {
            Id = "fb-" + Guid.NewGuid().ToString("N")[..12], MerchantId = merchantId, AuthorId = user.FindFirstValue(ClaimTypes.NameIdentifier) ?? "",
            AuthorName = DisplayName(user), Category = category, Rating = rating, Text = CardData.Mask(text), TerminalId = terminalId,
            IncidentId = incidentId, Contact = contact, Status = FeedbackStatuses.New, PossibleNewFault = possibleNewFault,
            TelemetrySummary = summary, CreatedAt = now, UpdatedAt = now,
        };
        await repository.InsertAsync(item, ct);
        await audit.RecordAsync(user, AuditActions.FeedbackCreated, item.Id, AuditResults.Success, ct,
            $"merchant {merchantId}, {category}{(terminalId is null ? "" : $", terminal {terminalId}")}{(incidentId is null ? "" : $", incident {incidentId}")}");
        return item.Id;
    }

    private static string DisplayName(ClaimsPrincipal user) => user.FindFirstValue("display_name") ?? user.Identity?.Name ?? "?";
}
