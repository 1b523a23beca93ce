using System.Text.Json;
using System.Text.Json.Serialization;
using Dapper;
using PosMonitor.Core.Incidents;
using PosMonitor.Core.Telemetry;
using PosMonitor.Web.Infrastructure.Data;

namespace PosMonitor.Web.Features.Runbooks;

/// <summary>The base version an editor started from is no longer current: someone saved in between.</summary>
public sealed class RunbookConflictException(string id, int expected, int current)
    : Exception($"Runbook {id} is at version {current}, not {expected}: reload and edit again.")
{
    public int Current { get; } = current;
}

/// <summary>Runbooks and their immutable versions.</summary>
public sealed class RunbookRepository(Db db, TimeProvider time)
{
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web)
    {
        Converters = { new JsonStringEnumConverter(JsonNamingPolicy.SnakeCaseLower) },
    };

    public async Task<IReadOnlyList<RunbookSummary>> ListAsync(CancellationToken ct = default)
    {
        await using var c = await db.OpenAsync(ct);
        var rows = await c.QueryAsync<VersionRow>(new CommandDefinition(db.Sql(SelectCurrentAll), cancellationToken: ct));
        return [.. rows.Select(r => r.ToRunbook()).Select(r => new RunbookSummary(
            r.Id, r.Version, r.Cause, r.Severity, r.Title, r.Steps.Count, r.CreatedAt)).OrderBy(r => r.Id, StringComparer.Ordinal)];
    }

    /// <summary>The version new incidents start with; null when there is no such runbook.</summary>
    public async Task<Runbook?> CurrentVersionAsync(string id, CancellationToken ct = default)
    {
        await using var c = await db.OpenAsync(ct);
        var row = await c.QuerySingleOrDefaultAsync<VersionRow>(new CommandDefinition(db.Sql(SelectCurrent), new { Id = id }, cancellationToken: ct));
        return row?.ToRunbook();
    }

    /// <summary>An exact version, as an incident that started with it shows it.</summary>
    public async Task<Runbook?> GetVersionAsync(string id, int version, CancellationToken ct = default)
    {
        await using var c = await db.OpenAsync(ct);
        var row = await c.QuerySingleOrDefaultAsync<VersionRow>(new CommandDefinition(db.Sql(SelectVersion), new { Id = id, Version = version }, cancellationToken: ct));
        return row?.ToRunbook();
    }

    public async Task<IReadOnlyList<RunbookVersionInfo>> VersionsAsync(string id, CancellationToken ct = default)
    {
        await using var c = await db.OpenAsync(ct);
        var rows = await c.QueryAsync<VersionRow>(new CommandDefinition(db.Sql(SelectVersions), new { Id = id }, cancellationToken: ct));
        return [.. rows.Select(r => new RunbookVersionInfo((int)r.Version, DbTime.FromMs(r.CreatedAt), r.CreatedBy, r.ChangeNote))];
    }

    /// <summary>
    /// Saves <paramref name="draft"/> as the next version (version 1 of a new runbook).
    /// <paramref name="expectedVersion"/> is the version the editor started from (0 for a new
    /// runbook); when someone saved in between, nothing is written and a conflict is thrown.
    /// </summary>
    public Task<int> SaveAsync(RunbookDraft draft, int expectedVersion, string author, string? changeNote, CancellationToken ct = default)
    {
        var problems = RunbookRules.Check(draft);
        if (problems.Count > 0) throw new ArgumentException($"Runbook draft is invalid: {string.Join(", ", problems)}", nameof(draft));
        draft = MaskCardData(draft);
        changeNote = CardData.MaskOptional(changeNote);
        var now = DbTime.ToMs(time.GetUtcNow());
        return db.WriteAsync(async (c, tx) =>
        {
            var current = await c.ExecuteScalarAsync<long?>(new CommandDefinition(db.Sql(SelectCurrentVersionNumber), new { draft.Id }, tx, cancellationToken: ct)) ?? 0;
            if (current != expectedVersion) throw new RunbookConflictException(draft.Id, expectedVersion, (int)current);
            var next = (int)current + 1;
            if (current == 0)
                await c.ExecuteAsync(new CommandDefinition(db.Sql(InsertRunbook), new { draft.Id, Now = now }, tx, cancellationToken: ct));
            else
            {
                // The WHERE on the old version makes two concurrent editors on SQL Server collide here, not both win.
                var moved = await c.ExecuteAsync(new CommandDefinition(db.Sql(BumpRunbook), new { draft.Id, Next = next, Current = current, Now = now }, tx, cancellationToken: ct));
                if (moved != 1) throw new RunbookConflictException(draft.Id, expectedVersion, next);
            }
            await c.ExecuteAsync(new CommandDefinition(db.Sql(InsertVersion), new
            {
                draft.Id, Version = next, Cause = Causes.Name(draft.Cause), Severity = Causes.Name(draft.Severity),
                TitleEn = draft.Title.En, TitleZh = draft.Title.Zh, Body = JsonSerializer.Serialize(Body.From(draft), Json),
                ChangeNote = changeNote, CreatedBy = author, Now = now,
            }, tx, cancellationToken: ct));
            return next;
        }, ct);
    }

    /// <summary>Every text an editor typed, with card numbers masked (<see cref="CardData.Mask"/>): a runbook is free text.</summary>
    private static RunbookDraft MaskCardData(RunbookDraft d)
    {
        static LocalizedText Mask(LocalizedText t) => new(CardData.Mask(t.En), CardData.Mask(t.Zh));
        return d with
        {
            Title = Mask(d.Title),
            Steps = [.. d.Steps.Select(s => s with { Title = Mask(s.Title), Instructions = Mask(s.Instructions), Role = CardData.Mask(s.Role) })],
            Contacts = [.. d.Contacts.Select(c => c with { Name = CardData.Mask(c.Name), Role = CardData.Mask(c.Role), Address = CardData.Mask(c.Address) })],
            MerchantTemplate = Mask(d.MerchantTemplate),
            Workaround = Mask(d.Workaround),
        };
    }

    /// <summary>The author of the seeded versions; the runbook page describes such a version in the reader's language.</summary>
    public const string SeedAuthor = "system";

    /// <summary>Writes version 1 of each draft whose runbook does not exist yet; existing runbooks are left alone.</summary>
    public async Task<int> SeedAsync(IEnumerable<RunbookDraft> drafts, CancellationToken ct = default)
    {
        var existing = (await ListAsync(ct)).Select(r => r.Id).ToHashSet(StringComparer.Ordinal);
        var added = 0;
        foreach (var d in drafts.Where(d => !existing.Contains(d.Id)))
        {
            await SaveAsync(d, 0, SeedAuthor, null, ct);
            added++;
        }
        return added;
    }

    /// <summary>The part of a version kept as JSON.</summary>
    private sealed record Body(IReadOnlyList<RunbookStep> Steps, IReadOnlyList<EscalationContact> Contacts, LocalizedText MerchantTemplate, LocalizedText Workaround)
    {
        public static Body From(RunbookDraft d) => new(d.Steps, d.Contacts, d.MerchantTemplate, d.Workaround);
    }

    // Properties, not a positional record: Dapper converts INT (SQL Server) and INTEGER (SQLite) into them alike.
    private sealed class VersionRow
    {
        public string RunbookId { get; init; } = "";
        public long Version { get; init; }
        public string CauseName { get; init; } = "";
        public string SeverityName { get; init; } = "";
        public string TitleEn { get; init; } = "";
        public string TitleZh { get; init; } = "";
        public string Body { get; init; } = "{}";
        public string? ChangeNote { get; init; }
        public string CreatedBy { get; init; } = "";
        public long CreatedAt { get; init; }

        public Runbook ToRunbook()
        {
            var body = JsonSerializer.Deserialize<Body>(Body, Json)!;
            Causes.TryParse(CauseName, out Cause cause);
            Causes.TryParse(SeverityName, out Severity severity);
            var draft = new RunbookDraft
            {
                Id = RunbookId, Cause = cause, Severity = severity, Title = new LocalizedText(TitleEn, TitleZh),
                Steps = body.Steps, Contacts = body.Contacts, MerchantTemplate = body.MerchantTemplate, Workaround = body.Workaround,
            };
            return new Runbook(draft, (int)Version, DbTime.FromMs(CreatedAt), CreatedBy, ChangeNote);
        }
    }

    private const string VersionColumns = """
        v.runbook_id AS RunbookId, v.version AS Version, v.cause AS CauseName, v.severity AS SeverityName, v.title_en AS TitleEn,
        v.title_zh AS TitleZh, v.body AS Body, v.change_note AS ChangeNote, v.created_by AS CreatedBy, v.created_at AS CreatedAt
        """;

    private static readonly SqlText SelectCurrentAll = SqlText.Same($"""
        SELECT {VersionColumns}
        FROM runbooks r JOIN runbook_versions v ON v.runbook_id = r.id AND v.version = r.current_version;
        """);

    private static readonly SqlText SelectCurrent = SqlText.Same($"""
        SELECT {VersionColumns}
        FROM runbooks r JOIN runbook_versions v ON v.runbook_id = r.id AND v.version = r.current_version
        WHERE r.id = @Id;
        """);

    private static readonly SqlText SelectVersion = SqlText.Same($"""
        SELECT {VersionColumns} FROM runbook_versions v WHERE v.runbook_id = @Id AND v.version = @Version;
        """);

    private static readonly SqlText SelectVersions = SqlText.Same("""
        SELECT version AS Version, created_at AS CreatedAt, created_by AS CreatedBy, change_note AS ChangeNote
        FROM runbook_versions WHERE runbook_id = @Id ORDER BY version DESC;
        """);

    private static readonly SqlText SelectCurrentVersionNumber = new(
        "SELECT current_version FROM runbooks WHERE id = @Id;",
        // UPDLOCK holds the row until commit, so a concurrent save waits and then sees the new version.
        "SELECT current_version FROM runbooks WITH (UPDLOCK, HOLDLOCK) WHERE id = @Id;");

    private static readonly SqlText InsertRunbook = SqlText.Same(
        "INSERT INTO runbooks (id, current_version, created_at, updated_at) VALUES (@Id, 1, @Now, @Now);");

    private static readonly SqlText BumpRunbook = SqlText.Same(
        "UPDATE runbooks SET current_version = @Next, updated_at = @Now WHERE id = @Id AND current_version = @Current;");

    private static readonly SqlText InsertVersion = SqlText.Same("""
        INSERT INTO runbook_versions (runbook_id, version, cause, severity, title_en, title_zh, body, change_note, created_by, created_at)
        VALUES (@Id, @Version, @Cause, @Severity, @TitleEn, @TitleZh, @Body, @ChangeNote, @CreatedBy, @Now);
        """);
}
