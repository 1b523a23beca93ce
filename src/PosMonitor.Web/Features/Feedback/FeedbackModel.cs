namespace PosMonitor.Web.Features.Feedback;

public static class FeedbackCategories
{
    public const string Timeout = "timeout", Hardware = "hardware", Network = "network", Payment = "payment", Service = "service", Other = "other";
    public static IReadOnlyList<string> All { get; } = [Timeout, Hardware, Network, Payment, Service, Other];
}

public static class FeedbackStatuses
{
    public const string New = "new", Triaged = "triaged", Answered = "answered", Closed = "closed";
    public static IReadOnlyList<string> All { get; } = [New, Triaged, Answered, Closed];
}

public static class ContactPreferences
{
    public const string Portal = "portal", Phone = "phone", Email = "email", None = "none";
    public static IReadOnlyList<string> All { get; } = [Portal, Phone, Email, None];
}

/// <summary>What a merchant owner fills in. Validated by <see cref="Validate"/> (keys of FeedbackStrings).</summary>
public sealed class FeedbackInput
{
    public const int MaxText = 4000;

    public string? Category { get; set; }
    public int? Rating { get; set; }
    public string? Text { get; set; }
    public string? TerminalId { get; set; }
    public string? IncidentId { get; set; }
    public string Contact { get; set; } = ContactPreferences.Portal;

    /// <returns>Field name → resource key of the problem; empty when the input may be sent.</returns>
    public IReadOnlyDictionary<string, string> Validate()
    {
        var problems = new Dictionary<string, string>();
        if (Category is null || !FeedbackCategories.All.Contains(Category)) problems[nameof(Category)] = "Invalid_Category";
        if (Rating is not (>= 1 and <= 5)) problems[nameof(Rating)] = "Invalid_Rating";
        if (string.IsNullOrWhiteSpace(Text) || Text.Trim().Length < 5) problems[nameof(Text)] = "Invalid_TextShort";
        else if (Text.Length > MaxText) problems[nameof(Text)] = "Invalid_TextLong";
        if (!ContactPreferences.All.Contains(Contact)) problems[nameof(Contact)] = "Invalid_Contact";
        return problems;
    }
}

/// <summary>One piece of feedback as stored (text already masked).</summary>
public sealed class FeedbackItem
{
    public string Id { get; init; } = "";
    public string MerchantId { get; init; } = "";
    public string AuthorId { get; init; } = "";
    public string AuthorName { get; init; } = "";
    public string Category { get; init; } = "";
    public int? Rating { get; init; }
    public string Text { get; init; } = "";
    public string? TerminalId { get; init; }
    public string? IncidentId { get; init; }
    public string Contact { get; init; } = "";
    public string Status { get; init; } = "";
    public bool PossibleNewFault { get; init; }
    public string? TelemetrySummary { get; init; }
    public long CreatedAt { get; init; }
    public long UpdatedAt { get; init; }

    public DateTimeOffset Created => DateTimeOffset.FromUnixTimeMilliseconds(CreatedAt);
}

public sealed class FeedbackReply
{
    public long Id { get; init; }
    public string FeedbackId { get; init; } = "";
    public string AuthorName { get; init; } = "";
    public bool FromStaff { get; init; }
    public string Text { get; init; } = "";
    public long CreatedAt { get; init; }

    public DateTimeOffset Created => DateTimeOffset.FromUnixTimeMilliseconds(CreatedAt);
}

public sealed record FeedbackFilter(string? Status, string? Category, bool? PossibleNewFault, int Skip, int Take);

/// <summary>One bar of the overview: a category in a week (weeks start on Monday, UTC).</summary>
public sealed record FeedbackWeek(DateOnly Week, string Category, int Count, double? AverageRating);

public sealed record ReportResult(string FeedbackId, string? IncidentId)
{
    /// <summary>The terminal was reported minutes ago: this report joined that one.</summary>
    public bool Merged { get; init; }
    public DateTimeOffset? FirstReported { get; init; }
}
