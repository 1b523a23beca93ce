using Dapper;
using PosMonitor.Core.Telemetry;
using PosMonitor.Web.Features.Runbooks;
using PosMonitor.Web.Infrastructure.Data;

namespace PosMonitor.Web.Features.Incidents;

/// <summary>What a merchant was told about an incident (a <see cref="NoticeKinds"/> kind), in both languages.</summary>
/// <param name="Round">How often the incident had reopened when this was posted.</param>
public sealed record MerchantNotice(long Id, string MerchantId, string IncidentId, string Kind, LocalizedText Text, DateTimeOffset CreatedAt, int Round = 0);

/// <summary>
/// What merchants are told: the opening message (to each merchant once, also to those joining a running incident),
/// then an update per phase (MerchantPhase: identified, monitoring, resolved) and when the incident reopens.
/// </summary>
public static class NoticeKinds
{
    public const string Opened = "opened";
    public const string Identified = "identified";
    public const string Monitoring = "monitoring";
    public const string Reopened = "reopened";
    public const string Resolved = "resolved";
}

/// <summary>One notice to post: <paramref name="Round"/> is how often the incident has reopened (each kind goes once per round).</summary>
public sealed record NoticeToPost(string MerchantId, string IncidentId, string Kind, LocalizedText Text, int Round = 0);

/// <summary>The notices posted to merchants' portal view (merchant_notices).</summary>
public sealed class MerchantNoticeRepository(Db db)
{
    /// <summary>Posts notices; a merchant gets each kind of notice of an incident once per round, however often this is called.</summary>
    public Task<int> AddAsync(IReadOnlyList<NoticeToPost> notices, DateTimeOffset now, CancellationToken ct) =>
        notices.Count == 0 ? Task.FromResult(0) : db.WriteAsync(async (c, tx) =>
        {
            var added = 0;
            foreach (var n in notices)
                added += await c.ExecuteAsync(new CommandDefinition(db.Sql(Insert), new
                {
                    // Filled in from a runbook and the fleet's names: masked again here, where a merchant's notice is stored.
                    n.MerchantId, n.IncidentId, n.Kind, Text = CardData.Mask(n.Text.En), TextZh = CardData.Mask(n.Text.Zh), Now = DbTime.ToMs(now), n.Round,
                }, tx, cancellationToken: ct));
            return added;
        }, ct);

    /// <summary>A merchant's notices, newest first (the merchant portal shows these).</summary>
    public async Task<IReadOnlyList<MerchantNotice>> ForMerchantAsync(string merchantId, CancellationToken ct = default)
    {
        await using var c = await db.OpenAsync(ct);
        var rows = await c.QueryAsync<Row>(new CommandDefinition(db.Sql(SelectForMerchant), new { MerchantId = merchantId }, cancellationToken: ct));
        return [.. rows.Select(r => r.ToNotice())];
    }

    public async Task<IReadOnlyList<MerchantNotice>> ForIncidentAsync(string incidentId, CancellationToken ct = default)
    {
        await using var c = await db.OpenAsync(ct);
        var rows = await c.QueryAsync<Row>(new CommandDefinition(db.Sql(SelectForIncident), new { IncidentId = incidentId }, cancellationToken: ct));
        return [.. rows.Select(r => r.ToNotice())];
    }

    private sealed class Row
    {
        public long Id { get; init; }
        public string MerchantId { get; init; } = "";
        public string IncidentId { get; init; } = "";
        public string Kind { get; init; } = "";
        public string Text { get; init; } = "";
        public string TextZh { get; init; } = "";
        public long CreatedAt { get; init; }
        public long Round { get; init; }

        public MerchantNotice ToNotice() => new(Id, MerchantId, IncidentId, Kind, new LocalizedText(Text, TextZh), DbTime.FromMs(CreatedAt), (int)Round);
    }

    private const string Columns =
        "id AS Id, merchant_id AS MerchantId, incident_id AS IncidentId, kind AS Kind, text AS Text, text_zh AS TextZh, created_at AS CreatedAt, round AS Round";

    private static readonly SqlText Insert = new(
        """
        INSERT INTO merchant_notices (merchant_id, incident_id, kind, text, text_zh, created_at, round)
        VALUES (@MerchantId, @IncidentId, @Kind, @Text, @TextZh, @Now, @Round)
        ON CONFLICT (incident_id, merchant_id, kind, round) DO NOTHING;
        """,
        """
        INSERT INTO merchant_notices (merchant_id, incident_id, kind, text, text_zh, created_at, round)
        SELECT @MerchantId, @IncidentId, @Kind, @Text, @TextZh, @Now, @Round
        WHERE NOT EXISTS (SELECT 1 FROM merchant_notices WITH (UPDLOCK, HOLDLOCK)
                          WHERE incident_id = @IncidentId AND merchant_id = @MerchantId AND kind = @Kind AND round = @Round);
        """);

    private static readonly SqlText SelectForMerchant = SqlText.Same(
        $"SELECT {Columns} FROM merchant_notices WHERE merchant_id = @MerchantId ORDER BY created_at DESC, id DESC;");

    private static readonly SqlText SelectForIncident = SqlText.Same(
        $"SELECT {Columns} FROM merchant_notices WHERE incident_id = @IncidentId ORDER BY created_at, id;");
}
