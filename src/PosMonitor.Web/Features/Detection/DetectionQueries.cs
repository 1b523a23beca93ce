using System.Text.Json;
using Dapper;
using PosMonitor.Core.Detection;
using PosMonitor.Core.Incidents;
using PosMonitor.Core.Rollups;
using PosMonitor.Web.Infrastructure.Cluster;
using PosMonitor.Web.Infrastructure.Data;

namespace PosMonitor.Web.Features.Detection;

/// <summary>What detection reads besides rollups and incidents: firmware changes, and its own saved baselines.</summary>
public sealed class DetectionQueries(Db db)
{
    private static readonly JsonSerializerOptions BaselineJson = new(JsonSerializerDefaults.General);

    /// <summary>Firmware changes at or after <paramref name="from"/>, oldest first.</summary>
    public async Task<IReadOnlyList<FirmwareChange>> FirmwareChangesAsync(DateTimeOffset from, CancellationToken ct)
    {
        await using var c = await db.OpenAsync(ct);
        var rows = await c.QueryAsync<FirmwareRow>(new CommandDefinition(db.Sql(SelectFirmwareChanges), new { From = DbTime.ToMs(from) }, cancellationToken: ct));
        return rows.Select(r => new FirmwareChange(r.TerminalId, DbTime.FromMs(r.At), r.FromVersion, r.ToVersion)).ToList();
    }

    /// <summary>Scope rows a baseline save writes per transaction: each transaction short, so ingestion's writes interleave.</summary>
    internal int SaveBatch { get; init; } = 2_000;

    /// <summary>
    /// Restores the baselines saved last into <paramref name="engine"/>, scope by scope as the rows are read;
    /// null when none were saved (or they cannot be read any more: the engine relearns, as after a cold start).
    /// </summary>
    public async Task<LoadedBaselines?> LoadBaselinesAsync(DetectionEngine engine, CancellationToken ct)
    {
        await using var c = await db.OpenAsync(ct);
        var saved = await c.QuerySingleOrDefaultAsync<SavedRow>(new CommandDefinition(db.Sql(SelectBaselines), cancellationToken: ct));
        if (saved is null) return null;
        if (saved.Generation is not { } generation) return ImportDocument(engine, saved.State);
        BaselineHeader? header;
        try
        {
            header = JsonSerializer.Deserialize<BaselineHeader>(saved.State, BaselineJson);
        }
        catch (JsonException)
        {
            return null;
        }
        if (header is null || !engine.ImportBaselines(header)) return null;
        var scopes = 0;
        await using var reader = await c.ExecuteReaderAsync(new CommandDefinition(db.Sql(SelectScopeBaselines), new { Generation = generation }, cancellationToken: ct));
        while (await reader.ReadAsync(ct))
        {
            engine.ImportScopeBaseline(new SavedScopeBaseline((ScopeType)reader.GetInt32(0), reader.GetString(1), reader.GetFieldValue<byte[]>(2)));
            scopes++;
        }
        return new LoadedBaselines(header.LearnedMinutes, scopes);
    }

    /// <summary>An older build's save: the whole fleet in one JSON document, read once until the next save replaces it.</summary>
    private static LoadedBaselines? ImportDocument(DetectionEngine engine, string json)
    {
        try
        {
            if (JsonSerializer.Deserialize<BaselineState>(json, BaselineJson) is not { } state) return null;
            engine.ImportBaselines(state);
            return new LoadedBaselines(state.LearnedMinutes, state.Scopes.Count);
        }
        catch (JsonException)
        {
            return null; // a layout from an older build: detection relearns, as after a cold start
        }
    }

    /// <summary>
    /// Saves the baselines: the scopes under a new generation, <see cref="SaveBatch"/> rows per transaction as
    /// <paramref name="scopes"/> is enumerated (nothing is built for the whole fleet), then the header pointing at
    /// them, then the older rows are removed. With a cluster term (<paramref name="fence"/> token above 0) each
    /// transaction checks that the term still holds the lease.
    /// </summary>
    public async Task SaveBaselinesAsync(BaselineHeader header, IEnumerable<SavedScopeBaseline> scopes, DateTimeOffset at, CancellationToken ct, LeaseFence? fence = null)
    {
        var generation = await db.WriteAsync(async (c, tx) =>
        {
            if (fence is { Token: > 0 }) await ClusterStore.CheckFenceAsync(c, tx, fence, ct);
            return await c.ExecuteScalarAsync<long>(new CommandDefinition(db.Sql(NextGeneration), transaction: tx, cancellationToken: ct));
        }, ct);
        var batch = new List<ScopeRow>(SaveBatch);
        foreach (var scope in scopes)
        {
            batch.Add(new ScopeRow(generation, (int)scope.ScopeType, scope.ScopeId, scope.Figures));
            if (batch.Count < SaveBatch) continue;
            await InsertAsync(batch, null, ct);
            batch.Clear();
        }
        await InsertAsync(batch, new { State = JsonSerializer.Serialize(header, BaselineJson), SavedAt = DbTime.ToMs(at), Generation = generation }, ct);
        while (await db.WriteAsync(async (c, tx) =>
               {
                   if (fence is { Token: > 0 }) await ClusterStore.CheckFenceAsync(c, tx, fence, ct);
                   return await c.ExecuteAsync(new CommandDefinition(db.Sql(DeleteOlderScopeBaselines), new { Generation = generation }, tx, cancellationToken: ct));
               }, ct) > 0)
        {
        }

        Task InsertAsync(List<ScopeRow> rows, object? pointer, CancellationToken token) => db.WriteAsync(async (c, tx) =>
        {
            if (fence is { Token: > 0 }) await ClusterStore.CheckFenceAsync(c, tx, fence, token);
            if (rows.Count > 0) await c.ExecuteAsync(new CommandDefinition(db.Sql(InsertScopeBaseline), rows, tx, cancellationToken: token));
            if (pointer is not null) await c.ExecuteAsync(new CommandDefinition(db.Sql(UpsertBaselines), pointer, tx, cancellationToken: token));
        }, token);
    }

    private sealed record ScopeRow(long Generation, int ScopeType, string ScopeId, byte[] Figures);

    private sealed class SavedRow
    {
        public string State { get; init; } = "";
        public long? Generation { get; init; }
    }

    private sealed class FirmwareRow
    {
        public string TerminalId { get; init; } = "";
        public long At { get; init; }
        public string? FromVersion { get; init; }
        public string ToVersion { get; init; } = "";
    }

    private static readonly SqlText SelectFirmwareChanges = SqlText.Same(
        """
        SELECT terminal_id AS TerminalId, at AS At, from_version AS FromVersion, to_version AS ToVersion
        FROM firmware_changes WHERE at >= @From ORDER BY at;
        """);

    private static readonly SqlText SelectBaselines = SqlText.Same("SELECT state AS State, generation AS Generation FROM detection_baselines WHERE id = 1;");

    private static readonly SqlText SelectScopeBaselines = SqlText.Same(
        "SELECT scope_type, scope_id, figures FROM detection_scope_baselines WHERE generation = @Generation;");

    // Past every generation written, also one a save that stopped half-way left behind (removed by the next save).
    private static readonly SqlText NextGeneration = SqlText.Same(
        """
        SELECT COALESCE(MAX(g), 0) + 1 FROM (
            SELECT MAX(generation) AS g FROM detection_scope_baselines
            UNION ALL SELECT MAX(generation) AS g FROM detection_baselines) AS saved;
        """);

    private static readonly SqlText InsertScopeBaseline = SqlText.Same(
        """
        INSERT INTO detection_scope_baselines (generation, scope_type, scope_id, figures)
        VALUES (@Generation, @ScopeType, @ScopeId, @Figures);
        """);

    private static readonly SqlText DeleteOlderScopeBaselines = new(
        """
        DELETE FROM detection_scope_baselines WHERE rowid IN (
            SELECT rowid FROM detection_scope_baselines WHERE generation < @Generation LIMIT 5000);
        """,
        "DELETE TOP (5000) FROM detection_scope_baselines WHERE generation < @Generation;");

    private static readonly SqlText UpsertBaselines = new(
        """
        INSERT INTO detection_baselines (id, state, saved_at, generation) VALUES (1, @State, @SavedAt, @Generation)
        ON CONFLICT (id) DO UPDATE SET state = excluded.state, saved_at = excluded.saved_at, generation = excluded.generation;
        """,
        """
        MERGE detection_baselines WITH (HOLDLOCK) AS t
        USING (SELECT 1 AS id) AS s ON t.id = s.id
        WHEN MATCHED THEN UPDATE SET state = @State, saved_at = @SavedAt, generation = @Generation
        WHEN NOT MATCHED THEN INSERT (id, state, saved_at, generation) VALUES (1, @State, @SavedAt, @Generation);
        """);
}

/// <summary>What <see cref="DetectionQueries.LoadBaselinesAsync"/> restored.</summary>
public sealed record LoadedBaselines(long LearnedMinutes, int Scopes);
