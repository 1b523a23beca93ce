using Dapper;
using PosMonitor.Web.Infrastructure.Data;

namespace PosMonitor.Web.Features.Feedback;

/// <summary>Feedback and replies. Callers have already decided what the viewer may see (FeedbackService).</summary>
public sealed class FeedbackRepository(Db db, TimeProvider time)
{
    public async Task InsertAsync(FeedbackItem item, CancellationToken ct) =>
        await db.WriteAsync((c, tx) => c.ExecuteAsync(new CommandDefinition(db.Sql(Insert), item, tx, cancellationToken: ct)), ct);

    public async Task<FeedbackItem?> GetAsync(string id, CancellationToken ct)
    {
        await using var c = await db.OpenAsync(ct);
        return await c.QuerySingleOrDefaultAsync<FeedbackItem>(new CommandDefinition(db.Sql(SelectById), new { Id = id }, cancellationToken: ct));
    }

    public async Task<IReadOnlyList<FeedbackItem>> ListForMerchantAsync(string merchantId, int take, CancellationToken ct)
    {
        await using var c = await db.OpenAsync(ct);
        return (await c.QueryAsync<FeedbackItem>(new CommandDefinition(db.Sql(SelectByMerchant), new { MerchantId = merchantId, Take = take }, cancellationToken: ct))).AsList();
    }

    /// <summary>The newest one-click report (it carries telemetry) of the terminal since <paramref name="sinceMs"/> that is not closed.</summary>
    public async Task<FeedbackItem?> OpenReportAsync(string terminalId, long sinceMs, CancellationToken ct)
    {
        await using var c = await db.OpenAsync(ct);
        return await c.QueryFirstOrDefaultAsync<FeedbackItem>(new CommandDefinition(db.Sql(SelectOpenReport),
            new { TerminalId = terminalId, Since = sinceMs, Closed = FeedbackStatuses.Closed }, cancellationToken: ct));
    }

    public async Task<GridPage<FeedbackItem>> ListAsync(FeedbackFilter f, CancellationToken ct)
    {
        var args = new { f.Status, f.Category, Fault = f.PossibleNewFault, f.Skip, f.Take };
        await using var c = await db.OpenAsync(ct);
        var total = await c.ExecuteScalarAsync<long>(new CommandDefinition(db.Sql(Count), args, cancellationToken: ct));
        var items = await c.QueryAsync<FeedbackItem>(new CommandDefinition(db.Sql(Page), args, cancellationToken: ct));
        return new GridPage<FeedbackItem>(items.AsList(), (int)total);
    }

    public async Task<IReadOnlyList<FeedbackReply>> RepliesAsync(string feedbackId, CancellationToken ct)
    {
        await using var c = await db.OpenAsync(ct);
        return (await c.QueryAsync<FeedbackReply>(new CommandDefinition(db.Sql(SelectReplies), new { FeedbackId = feedbackId }, cancellationToken: ct))).AsList();
    }

    /// <summary>Adds a reply and, when <paramref name="status"/> is given, moves the feedback to it.</summary>
    public Task AddReplyAsync(string feedbackId, string authorId, string authorName, bool fromStaff, string text, string? status, CancellationToken ct)
    {
        var now = DbTime.ToMs(time.GetUtcNow());
        return db.WriteAsync(async (c, tx) =>
        {
            await c.ExecuteAsync(new CommandDefinition(db.Sql(InsertReply), new
            {
                FeedbackId = feedbackId, AuthorId = authorId, AuthorName = authorName, FromStaff = fromStaff, Text = text, Now = now,
            }, tx, cancellationToken: ct));
            await c.ExecuteAsync(new CommandDefinition(db.Sql(Touch), new { Id = feedbackId, Status = status, Now = now }, tx, cancellationToken: ct));
        }, ct);
    }

    public Task SetStatusAsync(string id, string status, CancellationToken ct) =>
        db.WriteAsync((c, tx) => c.ExecuteAsync(new CommandDefinition(db.Sql(Touch),
            new { Id = id, Status = status, Now = DbTime.ToMs(time.GetUtcNow()) }, tx, cancellationToken: ct)), ct);

    public Task LinkIncidentAsync(string id, string? incidentId, CancellationToken ct) =>
        db.WriteAsync((c, tx) => c.ExecuteAsync(new CommandDefinition(db.Sql(Link),
            new { Id = id, IncidentId = incidentId, Now = DbTime.ToMs(time.GetUtcNow()) }, tx, cancellationToken: ct)), ct);

    /// <summary>Category, rating and time of every feedback since <paramref name="from"/>, for the weekly overview.</summary>
    public async Task<IReadOnlyList<(string Category, int? Rating, long CreatedAt)>> SinceAsync(DateTimeOffset from, CancellationToken ct)
    {
        await using var c = await db.OpenAsync(ct);
        var rows = await c.QueryAsync<FeedbackItem>(new CommandDefinition(db.Sql(SelectSince), new { From = DbTime.ToMs(from) }, cancellationToken: ct));
        return [.. rows.Select(r => (r.Category, r.Rating, r.CreatedAt))];
    }

    private const string Columns =
        """
        id AS Id, merchant_id AS MerchantId, author_id AS AuthorId, author_name AS AuthorName, category AS Category, rating AS Rating,
        text AS Text, terminal_id AS TerminalId, incident_id AS IncidentId, contact AS Contact, status AS Status,
        possible_new_fault AS PossibleNewFault, telemetry_summary AS TelemetrySummary, created_at AS CreatedAt, updated_at AS UpdatedAt
        """;

    private static readonly SqlText Insert = SqlText.Same(
        """
        INSERT INTO feedback (id, merchant_id, author_id, author_name, category, rating, text, terminal_id, incident_id, contact,
                              status, possible_new_fault, telemetry_summary, created_at, updated_at)
        VALUES (@Id, @MerchantId, @AuthorId, @AuthorName, @Category, @Rating, @Text, @TerminalId, @IncidentId, @Contact,
                @Status, @PossibleNewFault, @TelemetrySummary, @CreatedAt, @UpdatedAt);
        """);

    private static readonly SqlText SelectById = SqlText.Same($"SELECT {Columns} FROM feedback WHERE id = @Id;");

    private static readonly SqlText SelectByMerchant = new(
        $"SELECT {Columns} FROM feedback WHERE merchant_id = @MerchantId ORDER BY created_at DESC LIMIT @Take;",
        $"SELECT TOP (@Take) {Columns} FROM feedback WHERE merchant_id = @MerchantId ORDER BY created_at DESC;");

    private static readonly SqlText SelectOpenReport = new(
        $"SELECT {Columns} FROM feedback WHERE created_at >= @Since AND terminal_id = @TerminalId AND telemetry_summary IS NOT NULL AND status <> @Closed ORDER BY created_at DESC LIMIT 1;",
        $"SELECT TOP (1) {Columns} FROM feedback WHERE created_at >= @Since AND terminal_id = @TerminalId AND telemetry_summary IS NOT NULL AND status <> @Closed ORDER BY created_at DESC;");

    private const string Filter =
        """
        FROM feedback
        WHERE (@Status IS NULL OR status = @Status) AND (@Category IS NULL OR category = @Category)
          AND (@Fault IS NULL OR possible_new_fault = @Fault)
        """;

    private static readonly SqlText Count = SqlText.Same($"SELECT COUNT(*) {Filter};");

    private static readonly SqlText Page = new(
        $"SELECT {Columns} {Filter} ORDER BY created_at DESC LIMIT @Take OFFSET @Skip;",
        $"SELECT {Columns} {Filter} ORDER BY created_at DESC OFFSET @Skip ROWS FETCH NEXT @Take ROWS ONLY;");

    private static readonly SqlText SelectReplies = SqlText.Same(
        """
        SELECT id AS Id, feedback_id AS FeedbackId, author_name AS AuthorName, from_staff AS FromStaff, text AS Text, created_at AS CreatedAt
        FROM feedback_replies WHERE feedback_id = @FeedbackId ORDER BY created_at, id;
        """);

    private static readonly SqlText InsertReply = SqlText.Same(
        """
        INSERT INTO feedback_replies (feedback_id, author_id, author_name, from_staff, text, created_at)
        VALUES (@FeedbackId, @AuthorId, @AuthorName, @FromStaff, @Text, @Now);
        """);

    private static readonly SqlText Touch = SqlText.Same(
        "UPDATE feedback SET status = COALESCE(@Status, status), updated_at = @Now WHERE id = @Id;");

    private static readonly SqlText Link = SqlText.Same(
        "UPDATE feedback SET incident_id = @IncidentId, possible_new_fault = 0, updated_at = @Now WHERE id = @Id;");

    private static readonly SqlText SelectSince = SqlText.Same(
        "SELECT category AS Category, rating AS Rating, created_at AS CreatedAt FROM feedback WHERE created_at >= @From;");
}
