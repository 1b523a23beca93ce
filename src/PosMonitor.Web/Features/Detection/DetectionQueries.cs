using System.Text.Json;
using Dapper;
using PosMonitor.Core.Detection;
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

    /// <summary>The baselines saved last, or null when none were saved (or they cannot be read any more).</summary>
    public async Task<BaselineState?> LoadBaselinesAsync(CancellationToken ct)
    {
        await using var c = await db.OpenAsync(ct);
        var json = await c.ExecuteScalarAsync<string?>(new CommandDefinition(db.Sql(SelectBaselines), cancellationToken: ct));
        if (json is null) return null;
        try
        {
            return JsonSerializer.Deserialize<BaselineState>(json, BaselineJson);
        }
        catch (JsonException)
        {
            return null; // a layout from an older build: detection relearns, as after a cold start
        }
    }

    /// <summary>Saves the baselines; with a cluster term (<paramref name="fence"/> token above 0) only while that term holds the lease.</summary>
    public Task SaveBaselinesAsync(BaselineState state, DateTimeOffset at, CancellationToken ct, LeaseFence? fence = null)
    {
        var json = JsonSerializer.Serialize(state, BaselineJson);
        return db.WriteAsync(async (c, tx) =>
        {
            if (fence is { Token: > 0 }) await ClusterStore.CheckFenceAsync(c, tx, fence, ct);
            await c.ExecuteAsync(new CommandDefinition(db.Sql(UpsertBaselines), new { State = json, SavedAt = DbTime.ToMs(at) }, tx, cancellationToken: ct));
        }, ct);
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

    private static readonly SqlText SelectBaselines = SqlText.Same("SELECT state FROM detection_baselines WHERE id = 1;");

    private static readonly SqlText UpsertBaselines = new(
        """
        INSERT INTO detection_baselines (id, state, saved_at) VALUES (1, @State, @SavedAt)
        ON CONFLICT (id) DO UPDATE SET state = excluded.state, saved_at = excluded.saved_at;
        """,
        """
        MERGE detection_baselines WITH (HOLDLOCK) AS t
        USING (SELECT 1 AS id) AS s ON t.id = s.id
        WHEN MATCHED THEN UPDATE SET state = @State, saved_at = @SavedAt
        WHEN NOT MATCHED THEN INSERT (id, state, saved_at) VALUES (1, @State, @SavedAt);
        """);
}
