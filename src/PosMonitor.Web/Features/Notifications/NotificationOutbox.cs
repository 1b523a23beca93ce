using System.Text.Json;
using Dapper;
using PosMonitor.Core.Telemetry;
using PosMonitor.Web.Infrastructure.Data;

namespace PosMonitor.Web.Features.Notifications;

/// <summary>One outbox row: a notification for one channel (and, for escalation contacts, one recipient).</summary>
public sealed record OutboxItem(
    long Id, string Channel, ChannelKind Kind, string? Recipient, string Event, string? IncidentId, NotificationMessage Message,
    DateTimeOffset CreatedAt, int Attempts, DateTimeOffset NextAttemptAt, DateTimeOffset? LastAttemptAt, string? LastError,
    DateTimeOffset? DeliveredAt, DateTimeOffset? AbandonedAt)
{
    public OutboxState State => DeliveredAt is not null ? OutboxState.Delivered
        : AbandonedAt is not null ? OutboxState.Abandoned
        : Attempts > 0 ? OutboxState.Failing : OutboxState.Pending;
}

public enum OutboxState { Pending, Failing, Delivered, Abandoned }

/// <summary>A notification to write: the message, where it goes, and to whom when not the channel's own address.</summary>
public sealed record OutboxEntry(string Channel, ChannelKind Kind, string? Recipient, NotificationMessage Message);

/// <summary>The notification outbox table.</summary>
public sealed class NotificationOutbox(Db db)
{
    internal static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    public async Task AddAsync(IReadOnlyList<OutboxEntry> entries, DateTimeOffset now, CancellationToken ct)
    {
        if (entries.Count == 0) return;
        var at = DbTime.ToMs(now);
        await db.WriteAsync((c, tx) => c.ExecuteAsync(new CommandDefinition(db.Sql(Insert), entries.Select(e => new
        {
            e.Channel, Kind = KindName(e.Kind), e.Recipient, e.Message.Event, e.Message.IncidentId,
            // Titles carry the fleet's names and notes what a person wrote: masked where they are stored.
            Payload = JsonSerializer.Serialize(e.Message with { Title = CardData.Mask(e.Message.Title), Note = CardData.MaskOptional(e.Message.Note) }, Json),
            Now = at,
        }), tx, cancellationToken: ct)), ct);
    }

    /// <summary>
    /// Claims up to <paramref name="max"/> due rows by pushing their next attempt to <paramref name="leaseUntil"/>:
    /// a process that dies mid-delivery leaves them due again once the lease passes, so none is lost.
    /// </summary>
    public Task<IReadOnlyList<OutboxItem>> ClaimDueAsync(DateTimeOffset now, DateTimeOffset leaseUntil, int max, CancellationToken ct) =>
        db.WriteAsync<IReadOnlyList<OutboxItem>>(async (c, tx) =>
        {
            var due = (await c.QueryAsync<Row>(new CommandDefinition(db.Sql(SelectDue), new { Now = DbTime.ToMs(now), Take = max }, tx, cancellationToken: ct))).ToList();
            var claimed = new List<OutboxItem>(due.Count);
            foreach (var row in due)
            {
                var n = await c.ExecuteAsync(new CommandDefinition(db.Sql(Lease),
                    new { row.Id, Lease = DbTime.ToMs(leaseUntil), Old = row.NextAttemptAt }, tx, cancellationToken: ct));
                if (n == 1) claimed.Add(row.ToItem());
            }
            return claimed;
        }, ct);

    public Task MarkDeliveredAsync(long id, int attempts, DateTimeOffset at, CancellationToken ct) =>
        db.WriteAsync((c, tx) => c.ExecuteAsync(new CommandDefinition(db.Sql(Delivered),
            new { Id = id, Attempts = attempts, At = DbTime.ToMs(at) }, tx, cancellationToken: ct)), ct);

    /// <summary>Records a failed attempt; <paramref name="next"/> null abandons the row.</summary>
    public Task MarkFailedAsync(long id, int attempts, DateTimeOffset at, string error, DateTimeOffset? next, CancellationToken ct) =>
        db.WriteAsync((c, tx) => c.ExecuteAsync(new CommandDefinition(db.Sql(Failed), new
        {
            Id = id, Attempts = attempts, At = DbTime.ToMs(at), Error = error.Length > 2000 ? error[..2000] : error,
            Next = DbTime.ToMs(next ?? at), Abandoned = next is null ? DbTime.ToMs(at) : (long?)null,
        }, tx, cancellationToken: ct)), ct);

    /// <summary>Makes a failing or abandoned row due now (the admin page's "retry now").</summary>
    public Task<bool> RetryNowAsync(long id, DateTimeOffset now, CancellationToken ct) =>
        db.WriteAsync(async (c, tx) => await c.ExecuteAsync(new CommandDefinition(db.Sql(Retry),
            new { Id = id, Now = DbTime.ToMs(now) }, tx, cancellationToken: ct)) == 1, ct);

    /// <summary>Rows still to deliver (pending or being retried): the outbox depth of /metrics.</summary>
    public async Task<long> DepthAsync(CancellationToken ct)
    {
        await using var c = await db.OpenAsync(ct);
        return await c.ExecuteScalarAsync<long>(new CommandDefinition(db.Sql(Depth), cancellationToken: ct));
    }

    public async Task<OutboxItem?> GetAsync(long id, CancellationToken ct)
    {
        await using var c = await db.OpenAsync(ct);
        return (await c.QuerySingleOrDefaultAsync<Row>(new CommandDefinition(db.Sql(SelectOne), new { Id = id }, cancellationToken: ct)))?.ToItem();
    }

    private static readonly IReadOnlyDictionary<string, string> SortColumns = new Dictionary<string, string>
    {
        ["CreatedAt"] = "created_at", ["Channel"] = "channel", ["Event"] = "event", ["Attempts"] = "attempts",
        ["NextAttemptAt"] = "next_attempt_at", ["DeliveredAt"] = "delivered_at", ["IncidentId"] = "incident_id",
    };

    /// <summary>A page of the outbox for the admin grid, newest first unless sorted otherwise.</summary>
    public async Task<GridPage<OutboxItem>> PageAsync(GridQuery query, OutboxState? state, CancellationToken ct)
    {
        await using var c = await db.OpenAsync(ct);
        var args = new { Pattern = query.SearchPattern, State = state?.ToString(), query.Skip, query.Take };
        var total = await c.ExecuteScalarAsync<int>(new CommandDefinition(db.Sql(CountPage), args, cancellationToken: ct));
        var sql = Paging.Page(db.Sql(SelectPage), query.SortBy is null ? "created_at DESC, id DESC" : query.OrderBy(SortColumns, "created_at") + ", id DESC");
        var rows = await c.QueryAsync<Row>(new CommandDefinition(sql, args, cancellationToken: ct));
        return new GridPage<OutboxItem>([.. rows.Select(r => r.ToItem())], total);
    }

    public static string KindName(ChannelKind k) => k.ToString().ToLowerInvariant();

    private sealed class Row
    {
        public long Id { get; init; }
        public string Channel { get; init; } = "";
        public string Kind { get; init; } = "";
        public string? Recipient { get; init; }
        public string Event { get; init; } = "";
        public string? IncidentId { get; init; }
        public string Payload { get; init; } = "{}";
        public long CreatedAt { get; init; }
        public long Attempts { get; init; }
        public long NextAttemptAt { get; init; }
        public long? LastAttemptAt { get; init; }
        public string? LastError { get; init; }
        public long? DeliveredAt { get; init; }
        public long? AbandonedAt { get; init; }

        public OutboxItem ToItem() => new(Id, Channel, Enum.Parse<ChannelKind>(Kind, ignoreCase: true), Recipient, Event, IncidentId,
            JsonSerializer.Deserialize<NotificationMessage>(Payload, Json)!, DbTime.FromMs(CreatedAt), (int)Attempts,
            DbTime.FromMs(NextAttemptAt), DbTime.FromMs(LastAttemptAt), LastError, DbTime.FromMs(DeliveredAt), DbTime.FromMs(AbandonedAt));
    }

    private const string Columns = """
        id AS Id, channel AS Channel, kind AS Kind, recipient AS Recipient, event AS Event, incident_id AS IncidentId,
        payload AS Payload, created_at AS CreatedAt, attempts AS Attempts, next_attempt_at AS NextAttemptAt,
        last_attempt_at AS LastAttemptAt, last_error AS LastError, delivered_at AS DeliveredAt, abandoned_at AS AbandonedAt
        """;

    private const string PageFilter = """
        WHERE (channel LIKE @Pattern OR event LIKE @Pattern OR COALESCE(incident_id, '') LIKE @Pattern OR COALESCE(last_error, '') LIKE @Pattern)
          AND (@State IS NULL
               OR (@State = 'Delivered' AND delivered_at IS NOT NULL)
               OR (@State = 'Abandoned' AND abandoned_at IS NOT NULL AND delivered_at IS NULL)
               OR (@State = 'Failing' AND attempts > 0 AND delivered_at IS NULL AND abandoned_at IS NULL)
               OR (@State = 'Pending' AND attempts = 0 AND delivered_at IS NULL AND abandoned_at IS NULL))
        """;

    private static readonly SqlText Insert = SqlText.Same("""
        INSERT INTO notification_outbox (channel, kind, recipient, event, incident_id, payload, created_at, attempts, next_attempt_at)
        VALUES (@Channel, @Kind, @Recipient, @Event, @IncidentId, @Payload, @Now, 0, @Now);
        """);

    private static readonly SqlText SelectDue = new(
        $"""
        SELECT {Columns} FROM notification_outbox
        WHERE delivered_at IS NULL AND abandoned_at IS NULL AND next_attempt_at <= @Now
        ORDER BY next_attempt_at, id LIMIT @Take;
        """,
        $"""
        SELECT TOP (@Take) {Columns} FROM notification_outbox WITH (UPDLOCK, READPAST)
        WHERE delivered_at IS NULL AND abandoned_at IS NULL AND next_attempt_at <= @Now
        ORDER BY next_attempt_at, id;
        """);

    private static readonly SqlText Lease = SqlText.Same(
        "UPDATE notification_outbox SET next_attempt_at = @Lease WHERE id = @Id AND next_attempt_at = @Old AND delivered_at IS NULL;");

    private static readonly SqlText Delivered = SqlText.Same("""
        UPDATE notification_outbox SET delivered_at = @At, last_attempt_at = @At, attempts = @Attempts WHERE id = @Id;
        """);

    private static readonly SqlText Failed = SqlText.Same("""
        UPDATE notification_outbox
        SET attempts = @Attempts, last_attempt_at = @At, last_error = @Error, next_attempt_at = @Next, abandoned_at = @Abandoned
        WHERE id = @Id;
        """);

    private static readonly SqlText Retry = SqlText.Same("""
        UPDATE notification_outbox SET next_attempt_at = @Now, abandoned_at = NULL WHERE id = @Id AND delivered_at IS NULL;
        """);

    // Counted on the partial index of undelivered rows (ix_notification_outbox_due), not the whole table.
    private static readonly SqlText Depth = SqlText.Same(
        "SELECT COUNT(*) FROM notification_outbox WHERE delivered_at IS NULL AND abandoned_at IS NULL;");

    private static readonly SqlText SelectOne = SqlText.Same($"SELECT {Columns} FROM notification_outbox WHERE id = @Id;");

    private static readonly SqlText CountPage = SqlText.Same($"SELECT COUNT(*) FROM notification_outbox {PageFilter};");

    private static readonly SqlText SelectPage = Paging.Paged($"SELECT {Columns} FROM notification_outbox {PageFilter}");
}
