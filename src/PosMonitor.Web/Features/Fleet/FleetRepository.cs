using Dapper;
using PosMonitor.Core.Fleet;
using PosMonitor.Web.Infrastructure.Data;

namespace PosMonitor.Web.Features.Fleet;

public sealed record FleetCounts(int Regions, int Gateways, int Merchants, int Terminals);

/// <summary>Writes the fleet document and reads the fleet for the admin grids and the pipeline.</summary>
public sealed partial class FleetRepository(Db db, TimeProvider time)
{
    /// <summary>
    /// Upserts every entity of an already validated document in one transaction. Rows whose values
    /// did not change are not touched, so sending the same document twice changes nothing.
    /// </summary>
    public async Task<FleetCounts> UpsertAsync(FleetDocument document, CancellationToken ct)
    {
        var now = DbTime.ToMs(time.GetUtcNow());
        var merchants = document.Merchants ?? [];
        var terminals = merchants.SelectMany(m => (m.Terminals ?? []).Select(t => t.ToTerminal(m))).ToList();
        await db.WriteAsync(async (c, tx) =>
        {
            await c.ExecuteAsync(new CommandDefinition(db.Sql(UpsertRegion),
                (document.Regions ?? []).Select(r => new { r.Id, Name = r.Name ?? r.Id, Now = now }), tx, cancellationToken: ct));
            await c.ExecuteAsync(new CommandDefinition(db.Sql(UpsertGateway),
                (document.Gateways ?? []).Select(g => new { g.Id, Name = g.Name ?? g.Id, Now = now }), tx, cancellationToken: ct));
            await c.ExecuteAsync(new CommandDefinition(db.Sql(UpsertMerchant),
                merchants.Select(m => m.ToMerchant()).Select(m => new
                {
                    m.Id, m.Name, m.RegionId, m.TimeZone, m.OpeningHours, Now = now,
                }), tx, cancellationToken: ct));
            await c.ExecuteAsync(new CommandDefinition(db.Sql(UpsertTerminal),
                terminals.Select(t => new
                {
                    t.Id, t.MerchantId, t.RegionId, t.GatewayId, t.Model, t.Firmware, t.Store, Now = now,
                }), tx, cancellationToken: ct));
        }, ct);
        return new FleetCounts(document.Regions?.Count ?? 0, document.Gateways?.Count ?? 0, merchants.Count, terminals.Count);
    }

    public async Task<HashSet<string>> RegionIdsAsync(CancellationToken ct)
    {
        await using var c = await db.OpenAsync(ct);
        return (await c.QueryAsync<string>(new CommandDefinition(db.Sql(SelectRegionIds), cancellationToken: ct))).ToHashSet(StringComparer.Ordinal);
    }

    public async Task<HashSet<string>> GatewayIdsAsync(CancellationToken ct)
    {
        await using var c = await db.OpenAsync(ct);
        return (await c.QueryAsync<string>(new CommandDefinition(db.Sql(SelectGatewayIds), cancellationToken: ct))).ToHashSet(StringComparer.Ordinal);
    }

    /// <summary>The whole fleet, for the ingestion pipeline's lookups and for detection.</summary>
    public async Task<Core.Fleet.Fleet> LoadAsync(CancellationToken ct)
    {
        await using var c = await db.OpenAsync(ct);
        var regions = await c.QueryAsync<Region>(new CommandDefinition(db.Sql(SelectRegions), cancellationToken: ct));
        var gateways = await c.QueryAsync<Gateway>(new CommandDefinition(db.Sql(SelectGateways), cancellationToken: ct));
        var merchants = await c.QueryAsync<MerchantRow>(new CommandDefinition(db.Sql(SelectMerchants), cancellationToken: ct));
        var terminals = await c.QueryAsync<TerminalRow>(new CommandDefinition(db.Sql(SelectTerminals), cancellationToken: ct));
        // Each row reads its own copy of a region, gateway, model, firmware, time zone or opening hours: one string each
        // instead (a 200,000-terminal estate held ~1.3 million such copies, ~40 MB), terminals sharing their merchant's id.
        var pool = new Dictionary<string, string>(StringComparer.Ordinal);
        string Shared(string value) => pool.TryAdd(value, value) ? value : pool[value];
        string? SharedOrNull(string? value) => value is null ? null : Shared(value);
        return new Core.Fleet.Fleet(regions, gateways,
            merchants.Select(m => new Merchant(Shared(m.Id), m.Name, Shared(m.RegionId), Shared(m.TimeZone), SharedOrNull(m.OpeningHours))),
            terminals.Select(t => new Terminal(t.Id, Shared(t.MerchantId), Shared(t.RegionId), Shared(t.GatewayId), Shared(t.Model), Shared(t.Firmware), SharedOrNull(t.Store))));
    }

    public async Task<bool> MerchantExistsAsync(string id, CancellationToken ct)
    {
        await using var c = await db.OpenAsync(ct);
        return await c.ExecuteScalarAsync<int>(new CommandDefinition(db.Sql(CountMerchant), new { Id = id }, cancellationToken: ct)) > 0;
    }

    private sealed record MerchantRow(string Id, string Name, string RegionId, string TimeZone, string? OpeningHours);
    private sealed record TerminalRow(string Id, string MerchantId, string RegionId, string GatewayId, string Model, string Firmware, string? Store);

    private static readonly SqlText UpsertRegion = new(
        """
        INSERT INTO regions (id, name, updated_at) VALUES (@Id, @Name, @Now)
        ON CONFLICT (id) DO UPDATE SET name = excluded.name, updated_at = excluded.updated_at
        WHERE regions.name <> excluded.name;
        """,
        """
        MERGE regions WITH (HOLDLOCK) AS t
        USING (SELECT @Id AS id, @Name AS name) AS s ON t.id = s.id
        WHEN MATCHED AND t.name <> s.name THEN UPDATE SET name = s.name, updated_at = @Now
        WHEN NOT MATCHED THEN INSERT (id, name, updated_at) VALUES (s.id, s.name, @Now);
        """);

    private static readonly SqlText UpsertGateway = new(
        """
        INSERT INTO gateways (id, name, updated_at) VALUES (@Id, @Name, @Now)
        ON CONFLICT (id) DO UPDATE SET name = excluded.name, updated_at = excluded.updated_at
        WHERE gateways.name <> excluded.name;
        """,
        """
        MERGE gateways WITH (HOLDLOCK) AS t
        USING (SELECT @Id AS id, @Name AS name) AS s ON t.id = s.id
        WHEN MATCHED AND t.name <> s.name THEN UPDATE SET name = s.name, updated_at = @Now
        WHEN NOT MATCHED THEN INSERT (id, name, updated_at) VALUES (s.id, s.name, @Now);
        """);

    private static readonly SqlText UpsertMerchant = new(
        """
        INSERT INTO merchants (id, name, region_id, time_zone, opening_hours, updated_at)
        VALUES (@Id, @Name, @RegionId, @TimeZone, @OpeningHours, @Now)
        ON CONFLICT (id) DO UPDATE SET name = excluded.name, region_id = excluded.region_id,
            time_zone = excluded.time_zone, opening_hours = excluded.opening_hours, updated_at = excluded.updated_at
        WHERE merchants.name IS NOT excluded.name OR merchants.region_id IS NOT excluded.region_id
           OR merchants.time_zone IS NOT excluded.time_zone OR merchants.opening_hours IS NOT excluded.opening_hours;
        """,
        """
        MERGE merchants WITH (HOLDLOCK) AS t
        USING (SELECT @Id AS id, @Name AS name, @RegionId AS region_id, @TimeZone AS time_zone, @OpeningHours AS opening_hours) AS s
        ON t.id = s.id
        WHEN MATCHED AND EXISTS (SELECT t.name, t.region_id, t.time_zone, t.opening_hours
                                 EXCEPT SELECT s.name, s.region_id, s.time_zone, s.opening_hours)
            THEN UPDATE SET name = s.name, region_id = s.region_id, time_zone = s.time_zone,
                            opening_hours = s.opening_hours, updated_at = @Now
        WHEN NOT MATCHED THEN INSERT (id, name, region_id, time_zone, opening_hours, updated_at)
            VALUES (s.id, s.name, s.region_id, s.time_zone, s.opening_hours, @Now);
        """);

    private static readonly SqlText UpsertTerminal = new(
        """
        INSERT INTO terminals (id, merchant_id, region_id, gateway_id, model, firmware, store, updated_at)
        VALUES (@Id, @MerchantId, @RegionId, @GatewayId, @Model, @Firmware, @Store, @Now)
        ON CONFLICT (id) DO UPDATE SET merchant_id = excluded.merchant_id, region_id = excluded.region_id,
            gateway_id = excluded.gateway_id, model = excluded.model, firmware = excluded.firmware,
            store = excluded.store, updated_at = excluded.updated_at
        WHERE terminals.merchant_id IS NOT excluded.merchant_id OR terminals.region_id IS NOT excluded.region_id
           OR terminals.gateway_id IS NOT excluded.gateway_id OR terminals.model IS NOT excluded.model
           OR terminals.firmware IS NOT excluded.firmware OR terminals.store IS NOT excluded.store;
        """,
        """
        MERGE terminals WITH (HOLDLOCK) AS t
        USING (SELECT @Id AS id, @MerchantId AS merchant_id, @RegionId AS region_id, @GatewayId AS gateway_id,
                      @Model AS model, @Firmware AS firmware, @Store AS store) AS s
        ON t.id = s.id
        WHEN MATCHED AND EXISTS (SELECT t.merchant_id, t.region_id, t.gateway_id, t.model, t.firmware, t.store
                                 EXCEPT SELECT s.merchant_id, s.region_id, s.gateway_id, s.model, s.firmware, s.store)
            THEN UPDATE SET merchant_id = s.merchant_id, region_id = s.region_id, gateway_id = s.gateway_id,
                            model = s.model, firmware = s.firmware, store = s.store, updated_at = @Now
        WHEN NOT MATCHED THEN INSERT (id, merchant_id, region_id, gateway_id, model, firmware, store, updated_at)
            VALUES (s.id, s.merchant_id, s.region_id, s.gateway_id, s.model, s.firmware, s.store, @Now);
        """);

    private static readonly SqlText CountMerchant = SqlText.Same("SELECT COUNT(*) FROM merchants WHERE id = @Id;");
    private static readonly SqlText SelectRegionIds = SqlText.Same("SELECT id FROM regions;");
    private static readonly SqlText SelectGatewayIds = SqlText.Same("SELECT id FROM gateways;");
    private static readonly SqlText SelectRegions = SqlText.Same("SELECT id AS Id, name AS Name FROM regions;");
    private static readonly SqlText SelectGateways = SqlText.Same("SELECT id AS Id, name AS Name FROM gateways;");
    private static readonly SqlText SelectMerchants = SqlText.Same(
        "SELECT id AS Id, name AS Name, region_id AS RegionId, time_zone AS TimeZone, opening_hours AS OpeningHours FROM merchants;");
    private static readonly SqlText SelectTerminals = SqlText.Same(
        """
        SELECT id AS Id, merchant_id AS MerchantId, region_id AS RegionId, gateway_id AS GatewayId,
               model AS Model, firmware AS Firmware, store AS Store
        FROM terminals;
        """);
}
