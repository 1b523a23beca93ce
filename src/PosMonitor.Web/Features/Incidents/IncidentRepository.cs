using System.Data.Common;
using System.Text.Json;
using Dapper;
using PosMonitor.Core.Detection;
using PosMonitor.Core.Incidents;
using PosMonitor.Core.Telemetry;
using PosMonitor.Web.Features.Identity;
using PosMonitor.Web.Infrastructure.Cluster;
using PosMonitor.Web.Infrastructure.Data;

namespace PosMonitor.Web.Features.Incidents;

public enum IncidentStatus { Open, Resolved, All }

/// <summary>One entry of an incident's timeline (opened, updated, resolved), as it was at that moment.</summary>
public sealed record IncidentEvent(DateTimeOffset At, string Kind, Severity Severity, string Title, int AffectedMerchants, int AffectedTerminals);

/// <summary>
/// Stores incidents with the merchants and terminals they affect and their timeline. Every read of
/// incidents for a person or key filters through a <see cref="Viewer"/>: a merchant sees only the
/// incidents whose affected merchants include its own.
/// </summary>
public sealed partial class IncidentRepository(Db db) : IIncidentReader
{
    public const int MaxListed = 1000;

    /// <summary>Incidents newest first (by opened time). Affected ids are not loaded here, only their counts.</summary>
    /// <param name="since">Only incidents open at some moment at or after this time (still open, or resolved since).</param>
    public async Task<IReadOnlyList<Incident>> ListAsync(Viewer viewer, IncidentStatus status, DateTimeOffset? since, int limit, CancellationToken ct)
    {
        if (!viewer.SeesEveryMerchant && viewer.MerchantId is null) return [];
        await using var c = await db.OpenAsync(ct);
        var rows = await c.QueryAsync<IncidentRow>(new CommandDefinition(db.Sql(SelectList), new
        {
            Status = (int)status,
            Since = since is { } s ? DbTime.ToMs(s) : (long?)null,
            MerchantId = viewer.SeesEveryMerchant ? null : viewer.MerchantId,
            Limit = Math.Clamp(limit, 1, MaxListed),
        }, cancellationToken: ct));
        return rows.Select(r => r.ToIncident([], [])).ToList();
    }

    public bool IsDurable => true;

    Task<IReadOnlyList<Incident>> IIncidentReader.OpenAsync(Viewer viewer, CancellationToken ct) =>
        ListAsync(viewer, IncidentStatus.Open, null, MaxListed, ct);

    /// <summary>Incidents naming this terminal (its scope, or among the affected), newest first, as the viewer may see them.</summary>
    public async Task<IReadOnlyList<Incident>> ForTerminalAsync(string terminalId, Viewer viewer, CancellationToken ct)
    {
        if (!viewer.SeesEveryMerchant && viewer.MerchantId is null) return [];
        await using var c = await db.OpenAsync(ct);
        var rows = await c.QueryAsync<IncidentRow>(new CommandDefinition(db.Sql(SelectForTerminal), new
        {
            TerminalId = terminalId,
            MerchantId = viewer.SeesEveryMerchant ? null : viewer.MerchantId,
            Limit = 200,
        }, cancellationToken: ct));
        return rows.Select(r => r.ToIncident([], [])).ToList();
    }

    /// <summary>One incident with its affected merchant and terminal ids, or null when absent or not visible to <paramref name="viewer"/>.</summary>
    public async Task<Incident?> GetAsync(string id, Viewer viewer, CancellationToken ct)
    {
        await using var c = await db.OpenAsync(ct);
        var row = await c.QuerySingleOrDefaultAsync<IncidentRow>(new CommandDefinition(db.Sql(SelectOne), new { Id = id }, cancellationToken: ct));
        if (row is null) return null;
        var affected = (await c.QueryAsync<AffectedRow>(new CommandDefinition(db.Sql(SelectAffectedOf), new { Id = id }, cancellationToken: ct))).ToList();
        var incident = WithAffected(row, affected);
        return viewer.SeesEveryMerchant || (viewer.MerchantId is { } m && incident.AffectedMerchantIds.Contains(m)) ? incident : null;
    }

    /// <summary>The timeline of an incident, oldest first.</summary>
    public async Task<IReadOnlyList<IncidentEvent>> EventsAsync(string id, CancellationToken ct)
    {
        await using var c = await db.OpenAsync(ct);
        var rows = await c.QueryAsync<EventRow>(new CommandDefinition(db.Sql(SelectEvents), new { Id = id }, cancellationToken: ct));
        return rows.Select(r => r.ToEvent()).ToList();
    }

    /// <summary>Every open incident with its affected ids, oldest first: what detection adopts after a restart.</summary>
    public async Task<IReadOnlyList<Incident>> OpenAsync(CancellationToken ct)
    {
        await using var c = await db.OpenAsync(ct);
        var rows = (await c.QueryAsync<IncidentRow>(new CommandDefinition(db.Sql(SelectOpen), cancellationToken: ct))).ToList();
        if (rows.Count == 0) return [];
        var affected = (await c.QueryAsync<AffectedRow>(new CommandDefinition(db.Sql(SelectOpenAffected), cancellationToken: ct)))
            .ToLookup(a => a.IncidentId, StringComparer.Ordinal);
        return rows.Select(r => WithAffected(r, affected[r.Id])).ToList();
    }

    /// <summary>
    /// The ids of every open incident, oldest first: what detection reads each run (one short row per incident), to adopt
    /// only those its engine does not hold yet (<see cref="OpenAsync(IReadOnlyCollection{string}, CancellationToken)"/>) and to
    /// forget those resolved elsewhere, instead of every open incident's affected rows each time.
    /// </summary>
    public async Task<IReadOnlyList<string>> OpenIdsAsync(CancellationToken ct)
    {
        await using var c = await db.OpenAsync(ct);
        return (await c.QueryAsync<string>(new CommandDefinition(db.Sql(SelectOpenIds), cancellationToken: ct))).ToList();
    }

    /// <summary>Those of <paramref name="ids"/> that are open, with their affected ids, oldest first.</summary>
    public async Task<IReadOnlyList<Incident>> OpenAsync(IReadOnlyCollection<string> ids, CancellationToken ct)
    {
        if (ids.Count == 0) return [];
        var args = new { Ids = JsonSerializer.Serialize(ids) };
        await using var c = await db.OpenAsync(ct);
        var rows = (await c.QueryAsync<IncidentRow>(new CommandDefinition(db.Sql(SelectOpenAmong), args, cancellationToken: ct))).ToList();
        if (rows.Count == 0) return [];
        var affected = (await c.QueryAsync<AffectedRow>(new CommandDefinition(db.Sql(SelectAffectedAmong), args, cancellationToken: ct)))
            .ToLookup(a => a.IncidentId, StringComparer.Ordinal);
        return rows.Select(r => WithAffected(r, affected[r.Id])).ToList();
    }

    /// <summary>The highest incident number issued (inc-000042 → 42), 0 when none: detection continues after it.</summary>
    public async Task<long> LastSequenceAsync(CancellationToken ct)
    {
        await using var c = await db.OpenAsync(ct);
        return await c.ExecuteScalarAsync<long?>(new CommandDefinition(db.Sql(SelectMaxSeq), cancellationToken: ct)) ?? 0;
    }

    /// <summary>
    /// Writes one evaluation's changes in one transaction: each incident upserted, its new affected
    /// rows added (each terminal with its merchant from <paramref name="fleet"/>), an event per change.
    /// </summary>
    public Task SaveAsync(IReadOnlyList<IncidentChange> changes, Core.Fleet.Fleet fleet, CancellationToken ct) =>
        SaveAsync(changes, fleet, null, ct);

    /// <summary>
    /// Detection's write: as <see cref="SaveAsync(IReadOnlyList{IncidentChange}, Core.Fleet.Fleet, CancellationToken)"/>, refused
    /// with <see cref="LeaseLostException"/> when <paramref name="fence"/> (a cluster term, token above 0) no longer holds the
    /// detection lease, and each incident stamped with the term that wrote it.
    /// </summary>
    public Task SaveAsync(IReadOnlyList<IncidentChange> changes, Core.Fleet.Fleet fleet, LeaseFence? fence, CancellationToken ct) =>
        SaveAsync(changes, fleet, fence, null, ct);

    /// <summary>
    /// As <see cref="SaveAsync(IReadOnlyList{IncidentChange}, Core.Fleet.Fleet, LeaseFence?, CancellationToken)"/>, with the
    /// affected rows compared to <paramref name="known"/> instead of read back: an update of an incident of 50,000 terminals
    /// inserts the few it adds. An incident not known yet is read once; <paramref name="known"/> learns what commits.
    /// </summary>
    public async Task SaveAsync(IReadOnlyList<IncidentChange> changes, Core.Fleet.Fleet fleet, LeaseFence? fence, KnownAffectedRows? known,
        CancellationToken ct)
    {
        var delta = known is null ? null : new AffectedDelta(known, fleet);
        await db.WriteAsync(async (c, tx) =>
        {
            if (fence is { Token: > 0 }) await ClusterStore.CheckFenceAsync(c, tx, fence, ct);
            foreach (var change in changes) await SaveAsync(c, tx, change, fleet, ct, leaseToken: fence?.Token ?? 0, delta: delta);
        }, ct);
        delta?.Committed();
    }

    /// <summary>
    /// Writes an agent's resolve or reopen of an incident: the incident as it now stands and a timeline event
    /// <c>resolved_by_hand</c> or <c>reopened_by_hand</c> (the ticket's notes say who).
    /// </summary>
    public Task SaveByHandAsync(IncidentChange change, Core.Fleet.Fleet fleet, CancellationToken ct) =>
        db.WriteAsync((c, tx) => SaveAsync(c, tx, change, fleet, ct, KindName(change.Kind) + ByHand), ct);

    public const string ByHand = "_by_hand";

    /// <summary>How often the incident was reopened (by detection or by hand): the round its merchants' notices belong to.</summary>
    public async Task<int> ReopenCountAsync(string id, CancellationToken ct)
    {
        await using var c = await db.OpenAsync(ct);
        return await c.ExecuteScalarAsync<int>(new CommandDefinition(db.Sql(SelectReopenCount), new { Id = id }, cancellationToken: ct));
    }

    /// <summary>Inserts or replaces one incident without a timeline event (imports, tests).</summary>
    public Task UpsertAsync(Incident incident, Core.Fleet.Fleet fleet, CancellationToken ct) =>
        db.WriteAsync((c, tx) => UpsertAsync(c, tx, incident, fleet, ct), ct);

    private async Task SaveAsync(DbConnection c, DbTransaction tx, IncidentChange change, Core.Fleet.Fleet fleet, CancellationToken ct,
        string? eventKind = null, long leaseToken = 0, AffectedDelta? delta = null)
    {
        var i = change.Incident;
        await UpsertAsync(c, tx, i, fleet, ct, leaseToken, delta);
        await c.ExecuteAsync(new CommandDefinition(db.Sql(InsertEvent), new
        {
            IncidentId = i.Id,
            At = DbTime.ToMs(change.Kind switch
            {
                IncidentChangeKind.Opened => i.OpenedAt,
                IncidentChangeKind.Resolved => i.ResolvedAt ?? i.UpdatedAt,
                _ => i.UpdatedAt,
            }),
            Kind = eventKind ?? KindName(change.Kind),
            Severity = Causes.Name(i.Severity),
            Title = CardData.Mask(i.Title),
            AffectedMerchants = i.AffectedMerchants,
            AffectedTerminals = i.AffectedTerminals,
        }, tx, cancellationToken: ct));
    }

    private async Task UpsertAsync(DbConnection c, DbTransaction tx, Incident i, Core.Fleet.Fleet fleet, CancellationToken ct, long leaseToken = 0,
        AffectedDelta? delta = null)
    {
        await c.ExecuteAsync(new CommandDefinition(db.Sql(Upsert), new
        {
            i.Id,
            Seq = SequentialIncidentIdGenerator.Parse(i.Id) ?? 0,
            ScopeType = Causes.Name(i.ScopeType),
            i.ScopeId,
            Cause = Causes.Name(i.Cause),
            Severity = Causes.Name(i.Severity),
            OpenedAt = DbTime.ToMs(i.OpenedAt),
            ResolvedAt = i.ResolvedAt is { } r ? DbTime.ToMs(r) : (long?)null,
            i.RunbookId,
            // Titles and evidence quote the fleet's names and what agents typed: masked where they are stored.
            Title = CardData.Mask(i.Title),
            Evidence = JsonSerializer.Serialize(i.Evidence.Select(CardData.Mask)),
            i.AffectedMerchants,
            i.AffectedTerminals,
            i.PeakRate,
            UpdatedAt = DbTime.ToMs(i.UpdatedAt == default ? i.OpenedAt : i.UpdatedAt),
            LeaseToken = leaseToken,
        }, tx, cancellationToken: ct));

        // Affected sets only grow while an incident lives, so only the rows not stored yet are added.
        if (delta is not null)
        {
            var added = (await delta.NewRowsAsync(i, () => Rows(i, fleet), () => ReadAffectedAsync(c, tx, i.Id, ct)))
                .Select(w => new { IncidentId = i.Id, w.MerchantId, w.TerminalId }).ToList();
            // Insert-unless-stored: another writer (an import, the previous leader) may have stored a row this one does not know of.
            if (added.Count > 0)
                await c.ExecuteAsync(new CommandDefinition(db.Sql(InsertAffectedUnlessStored), added, tx, cancellationToken: ct));
            return;
        }
        var stored = await ReadAffectedAsync(c, tx, i.Id, ct);
        var wanted = Rows(i, fleet);
        var missing = wanted.Where(w => !stored.Contains(w)).Select(w => new { IncidentId = i.Id, w.MerchantId, w.TerminalId }).ToList();
        if (missing.Count > 0)
            await c.ExecuteAsync(new CommandDefinition(db.Sql(InsertAffected), missing, tx, cancellationToken: ct));
    }

    private async Task<HashSet<(string MerchantId, string TerminalId)>> ReadAffectedAsync(DbConnection c, DbTransaction tx, string id, CancellationToken ct) =>
        (await c.QueryAsync<AffectedRow>(new CommandDefinition(db.Sql(SelectAffectedOf), new { Id = id }, tx, cancellationToken: ct)))
            .Select(a => (a.MerchantId, a.TerminalId)).ToHashSet();

    /// <summary>
    /// One row per terminal with its merchant (the incident lists both sets but not who owns what),
    /// plus a row with terminal_id '' for each merchant counted without one of its terminals.
    /// </summary>
    private static List<(string MerchantId, string TerminalId)> Rows(Incident i, Core.Fleet.Fleet fleet)
    {
        var rows = new List<(string, string)>();
        var covered = new HashSet<string>(StringComparer.Ordinal);
        foreach (var t in i.AffectedTerminalIds)
        {
            var m = fleet.Terminals.TryGetValue(t, out var terminal) ? terminal.MerchantId : "";
            rows.Add((m, t));
            covered.Add(m);
        }
        foreach (var m in i.AffectedMerchantIds)
            if (!covered.Contains(m)) rows.Add((m, ""));
        return rows;
    }

    private static Incident WithAffected(IncidentRow row, IEnumerable<AffectedRow> affected)
    {
        var mine = affected.ToList();
        // '' stands for "merchant unknown" (terminal rows) or "no terminal" (merchant rows).
        return row.ToIncident(
            mine.Select(a => a.MerchantId).Where(m => m.Length > 0).Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal).ToList(),
            mine.Where(a => a.TerminalId.Length > 0).Select(a => a.TerminalId).Order(StringComparer.Ordinal).ToList());
    }

    public static string KindName(IncidentChangeKind kind) => kind switch
    {
        IncidentChangeKind.Opened => "opened",
        IncidentChangeKind.Updated => "updated",
        IncidentChangeKind.Reopened => "reopened",
        _ => "resolved",
    };

    /// <summary>One transaction's affected rows: the stored ones, and those it adds, which <see cref="KnownAffectedRows"/> learns only once they commit.</summary>
    private sealed class AffectedDelta(KnownAffectedRows known, Core.Fleet.Fleet fleet)
    {
        private readonly Dictionary<string, (HashSet<(string, string)> Stored, HashSet<(string, string)> Added, Incident Last)> _incidents =
            new(StringComparer.Ordinal);

        public async Task<List<(string MerchantId, string TerminalId)>> NewRowsAsync(Incident i, Func<List<(string MerchantId, string TerminalId)>> wanted,
            Func<Task<HashSet<(string MerchantId, string TerminalId)>>> read)
        {
            if (!_incidents.TryGetValue(i.Id, out var rows))
            {
                if (known.SameAffected(i, fleet)) return [];
                rows = (known.Of(i.Id) ?? await read(), [], i);
            }
            _incidents[i.Id] = rows with { Last = i };
            return wanted().Where(w => !rows.Stored.Contains(w) && rows.Added.Add(w)).ToList();
        }

        public void Committed()
        {
            foreach (var (id, rows) in _incidents) known.Learn(id, rows.Stored, rows.Added, rows.Last, fleet);
        }
    }

    private sealed record AffectedRow(string IncidentId, string MerchantId, string TerminalId);

    // Rows bind by property so Dapper converts INT and BIGINT columns alike (the dialects differ).
    private sealed class EventRow
    {
        public long At { get; init; }
        public string Kind { get; init; } = "";
        public string Severity { get; init; } = "";
        public string Title { get; init; } = "";
        public long AffectedMerchants { get; init; }
        public long AffectedTerminals { get; init; }

        public IncidentEvent ToEvent() => new(DbTime.FromMs(At), Kind,
            Causes.TryParse(Severity, out Severity s) ? s : Core.Incidents.Severity.Minor, Title, (int)AffectedMerchants, (int)AffectedTerminals);
    }

    private sealed class IncidentRow
    {
        public string Id { get; init; } = "";
        public string ScopeType { get; init; } = "";
        public string ScopeId { get; init; } = "";
        public string Cause { get; init; } = "";
        public string Severity { get; init; } = "";
        public long OpenedAt { get; init; }
        public long? ResolvedAt { get; init; }
        public string RunbookId { get; init; } = "";
        public string Title { get; init; } = "";
        public string Evidence { get; init; } = "[]";
        public long AffectedMerchants { get; init; }
        public long AffectedTerminals { get; init; }
        public double PeakRate { get; init; }
        public long UpdatedAt { get; init; }

        public Incident ToIncident(IReadOnlyList<string> merchants, IReadOnlyList<string> terminals) => new()
        {
            Id = Id,
            ScopeType = Causes.TryParse(ScopeType, out ScopeType st) ? st : Core.Incidents.ScopeType.Platform,
            ScopeId = ScopeId,
            Cause = Causes.TryParse(Cause, out Cause c) ? c : Core.Incidents.Cause.Network,
            Severity = Causes.TryParse(Severity, out Severity s) ? s : Core.Incidents.Severity.Minor,
            OpenedAt = DbTime.FromMs(OpenedAt),
            ResolvedAt = DbTime.FromMs(ResolvedAt),
            RunbookId = RunbookId,
            Title = Title,
            Evidence = JsonSerializer.Deserialize<List<string>>(Evidence) ?? [],
            AffectedMerchants = (int)AffectedMerchants,
            AffectedTerminals = (int)AffectedTerminals,
            AffectedMerchantIds = merchants,
            AffectedTerminalIds = terminals,
            PeakRate = PeakRate,
            UpdatedAt = DbTime.FromMs(UpdatedAt),
        };
    }

    private const string Columns =
        """
        i.id AS Id, i.scope_type AS ScopeType, i.scope_id AS ScopeId, i.cause AS Cause, i.severity AS Severity,
        i.opened_at AS OpenedAt, i.resolved_at AS ResolvedAt, i.runbook_id AS RunbookId, i.title AS Title,
        i.evidence AS Evidence, i.affected_merchants AS AffectedMerchants, i.affected_terminals AS AffectedTerminals,
        i.peak_rate AS PeakRate, i.updated_at AS UpdatedAt
        """;

    // @Status: 0 open, 1 resolved, 2 all (IncidentStatus).
    private const string ListFilter =
        """
        WHERE (@Status = 2 OR (@Status = 0 AND i.resolved_at IS NULL) OR (@Status = 1 AND i.resolved_at IS NOT NULL))
          AND (@Since IS NULL OR i.resolved_at IS NULL OR i.resolved_at >= @Since)
          AND (@MerchantId IS NULL OR EXISTS (SELECT 1 FROM incident_affected a WHERE a.merchant_id = @MerchantId AND a.incident_id = i.id))
        """;

    private static readonly SqlText SelectList = new(
        $"SELECT {Columns} FROM incidents i {ListFilter} ORDER BY i.opened_at DESC, i.seq DESC LIMIT @Limit;",
        $"SELECT TOP (@Limit) {Columns} FROM incidents i {ListFilter} ORDER BY i.opened_at DESC, i.seq DESC;");

    private const string TerminalFilter =
        """
        WHERE ((i.scope_type = 'terminal' AND i.scope_id = @TerminalId)
               OR EXISTS (SELECT 1 FROM incident_affected a WHERE a.terminal_id = @TerminalId AND a.incident_id = i.id))
          AND (@MerchantId IS NULL OR EXISTS (SELECT 1 FROM incident_affected a WHERE a.merchant_id = @MerchantId AND a.incident_id = i.id))
        """;

    private static readonly SqlText SelectForTerminal = new(
        $"SELECT {Columns} FROM incidents i {TerminalFilter} ORDER BY i.opened_at DESC, i.seq DESC LIMIT @Limit;",
        $"SELECT TOP (@Limit) {Columns} FROM incidents i {TerminalFilter} ORDER BY i.opened_at DESC, i.seq DESC;");

    private static readonly SqlText SelectOne = SqlText.Same($"SELECT {Columns} FROM incidents i WHERE i.id = @Id;");

    private static readonly SqlText SelectOpen = SqlText.Same(
        $"SELECT {Columns} FROM incidents i WHERE i.resolved_at IS NULL ORDER BY i.opened_at, i.seq;");

    private static readonly SqlText SelectOpenIds = SqlText.Same(
        "SELECT i.id FROM incidents i WHERE i.resolved_at IS NULL ORDER BY i.opened_at, i.seq;");

    // The ids as one JSON array parameter, as TicketRepository.SelectForIncidents: one statement for any count.
    private static readonly SqlText SelectOpenAmong = new(
        $"SELECT {Columns} FROM incidents i WHERE i.resolved_at IS NULL AND i.id IN (SELECT value FROM json_each(@Ids)) ORDER BY i.opened_at, i.seq;",
        $"SELECT {Columns} FROM incidents i WHERE i.resolved_at IS NULL AND i.id IN (SELECT value FROM OPENJSON(@Ids)) ORDER BY i.opened_at, i.seq;");

    private static readonly SqlText SelectAffectedAmong = new(
        """
        SELECT a.incident_id AS IncidentId, a.merchant_id AS MerchantId, a.terminal_id AS TerminalId
        FROM incident_affected a WHERE a.incident_id IN (SELECT value FROM json_each(@Ids));
        """,
        """
        SELECT a.incident_id AS IncidentId, a.merchant_id AS MerchantId, a.terminal_id AS TerminalId
        FROM incident_affected a WHERE a.incident_id IN (SELECT value FROM OPENJSON(@Ids));
        """);

    private static readonly SqlText SelectMaxSeq = SqlText.Same("SELECT MAX(seq) FROM incidents;");

    private static readonly SqlText SelectReopenCount = SqlText.Same(
        "SELECT COUNT(*) FROM incident_events WHERE incident_id = @Id AND kind IN ('reopened', 'reopened_by_hand');");

    private static readonly SqlText SelectOpenAffected = SqlText.Same(
        """
        SELECT a.incident_id AS IncidentId, a.merchant_id AS MerchantId, a.terminal_id AS TerminalId
        FROM incident_affected a JOIN incidents i ON i.id = a.incident_id
        WHERE i.resolved_at IS NULL;
        """);

    private static readonly SqlText SelectAffectedOf = SqlText.Same(
        "SELECT incident_id AS IncidentId, merchant_id AS MerchantId, terminal_id AS TerminalId FROM incident_affected WHERE incident_id = @Id;");

    private static readonly SqlText InsertAffected = SqlText.Same(
        "INSERT INTO incident_affected (incident_id, merchant_id, terminal_id) VALUES (@IncidentId, @MerchantId, @TerminalId);");

    private static readonly SqlText InsertAffectedUnlessStored = new(
        "INSERT INTO incident_affected (incident_id, merchant_id, terminal_id) VALUES (@IncidentId, @MerchantId, @TerminalId) ON CONFLICT DO NOTHING;",
        """
        INSERT INTO incident_affected (incident_id, merchant_id, terminal_id)
        SELECT @IncidentId, @MerchantId, @TerminalId
        WHERE NOT EXISTS (SELECT 1 FROM incident_affected WITH (UPDLOCK, HOLDLOCK)
                          WHERE incident_id = @IncidentId AND merchant_id = @MerchantId AND terminal_id = @TerminalId);
        """);

    private static readonly SqlText SelectEvents = SqlText.Same(
        """
        SELECT at AS At, kind AS Kind, severity AS Severity, title AS Title,
               affected_merchants AS AffectedMerchants, affected_terminals AS AffectedTerminals
        FROM incident_events WHERE incident_id = @Id ORDER BY at, id;
        """);

    private static readonly SqlText InsertEvent = SqlText.Same(
        """
        INSERT INTO incident_events (incident_id, at, kind, severity, title, affected_merchants, affected_terminals)
        VALUES (@IncidentId, @At, @Kind, @Severity, @Title, @AffectedMerchants, @AffectedTerminals);
        """);

    private static readonly SqlText Upsert = new(
        """
        INSERT INTO incidents (id, seq, scope_type, scope_id, cause, severity, opened_at, resolved_at, runbook_id, title,
                               evidence, affected_merchants, affected_terminals, peak_rate, updated_at, lease_token)
        VALUES (@Id, @Seq, @ScopeType, @ScopeId, @Cause, @Severity, @OpenedAt, @ResolvedAt, @RunbookId, @Title,
                @Evidence, @AffectedMerchants, @AffectedTerminals, @PeakRate, @UpdatedAt, @LeaseToken)
        ON CONFLICT (id) DO UPDATE SET scope_type = excluded.scope_type, scope_id = excluded.scope_id, cause = excluded.cause,
            severity = excluded.severity, resolved_at = excluded.resolved_at, runbook_id = excluded.runbook_id,
            title = excluded.title, evidence = excluded.evidence, affected_merchants = excluded.affected_merchants,
            affected_terminals = excluded.affected_terminals, peak_rate = excluded.peak_rate, updated_at = excluded.updated_at,
            lease_token = max(incidents.lease_token, excluded.lease_token);
        """,
        """
        MERGE incidents WITH (HOLDLOCK) AS t
        USING (SELECT @Id AS id) AS s ON t.id = s.id
        WHEN MATCHED THEN UPDATE SET scope_type = @ScopeType, scope_id = @ScopeId, cause = @Cause, severity = @Severity,
            resolved_at = @ResolvedAt, runbook_id = @RunbookId, title = @Title, evidence = @Evidence,
            affected_merchants = @AffectedMerchants, affected_terminals = @AffectedTerminals, peak_rate = @PeakRate,
            updated_at = @UpdatedAt, lease_token = GREATEST(t.lease_token, @LeaseToken)
        WHEN NOT MATCHED THEN INSERT (id, seq, scope_type, scope_id, cause, severity, opened_at, resolved_at, runbook_id, title,
                                      evidence, affected_merchants, affected_terminals, peak_rate, updated_at, lease_token)
            VALUES (@Id, @Seq, @ScopeType, @ScopeId, @Cause, @Severity, @OpenedAt, @ResolvedAt, @RunbookId, @Title,
                    @Evidence, @AffectedMerchants, @AffectedTerminals, @PeakRate, @UpdatedAt, @LeaseToken);
        """);
}
