using Dapper;
using PosMonitor.Web.Infrastructure.Data;

namespace PosMonitor.Web.Features.Fleet;

public sealed record RegionListItem(string Id, string Name, long Merchants, long Terminals);
public sealed record GatewayListItem(string Id, string Name, long Terminals);
public sealed record MerchantListItem(string Id, string Name, string RegionId, string TimeZone, string? OpeningHours, long Terminals);
public sealed record TerminalListItem(string Id, string MerchantId, string MerchantName, string RegionId, string GatewayId, string Model, string Firmware, string? Store);

// The admin grids: server-side search, sort and paging over the fleet tables.
public sealed partial class FleetRepository
{
    public Task<GridPage<RegionListItem>> RegionsAsync(GridQuery q, CancellationToken ct) =>
        PageAsync<RegionListItem>(RegionPage, RegionCount, q, RegionSort, "r.id", null, ct);

    public Task<GridPage<GatewayListItem>> GatewaysAsync(GridQuery q, CancellationToken ct) =>
        PageAsync<GatewayListItem>(GatewayPage, GatewayCount, q, GatewaySort, "g.id", null, ct);

    public Task<GridPage<MerchantListItem>> MerchantsAsync(GridQuery q, CancellationToken ct) =>
        PageAsync<MerchantListItem>(MerchantPage, MerchantCount, q, MerchantSort, "m.id", null, ct);

    /// <param name="merchantId">Only this merchant's terminals, or all when null.</param>
    public Task<GridPage<TerminalListItem>> TerminalsAsync(GridQuery q, string? merchantId, CancellationToken ct) =>
        PageAsync<TerminalListItem>(TerminalPage, TerminalCount, q, TerminalSort, "t.id", merchantId, ct);

    private async Task<GridPage<T>> PageAsync<T>(SqlText page, SqlText count, GridQuery q,
        IReadOnlyDictionary<string, string> sort, string fallback, string? merchantId, CancellationToken ct)
    {
        var args = new { Pattern = q.SearchPattern, q.Skip, Take = Math.Clamp(q.Take, 1, 500), MerchantId = merchantId };
        await using var c = await db.OpenAsync(ct);
        var total = await c.ExecuteScalarAsync<int>(new CommandDefinition(db.Sql(count), args, cancellationToken: ct));
        var items = await c.QueryAsync<T>(new CommandDefinition(
            Paging.Page(db.Sql(page), q.OrderBy(sort, fallback)), args, cancellationToken: ct));
        return new GridPage<T>(items.AsList(), total);
    }

    private static readonly Dictionary<string, string> RegionSort = new()
    {
        ["Id"] = "r.id", ["Name"] = "r.name", ["Merchants"] = "Merchants", ["Terminals"] = "Terminals",
    };
    private const string RegionWhere = "WHERE r.id LIKE @Pattern OR r.name LIKE @Pattern";
    private static readonly SqlText RegionPage = Paging.Paged(
        $"""
        SELECT r.id AS Id, r.name AS Name,
               (SELECT COUNT(*) FROM merchants m WHERE m.region_id = r.id) AS Merchants,
               (SELECT COUNT(*) FROM terminals t WHERE t.region_id = r.id) AS Terminals
        FROM regions r
        {RegionWhere}
        """);
    private static readonly SqlText RegionCount = SqlText.Same($"SELECT COUNT(*) FROM regions r {RegionWhere};");

    private static readonly Dictionary<string, string> GatewaySort = new()
    {
        ["Id"] = "g.id", ["Name"] = "g.name", ["Terminals"] = "Terminals",
    };
    private const string GatewayWhere = "WHERE g.id LIKE @Pattern OR g.name LIKE @Pattern";
    private static readonly SqlText GatewayPage = Paging.Paged(
        $"""
        SELECT g.id AS Id, g.name AS Name,
               (SELECT COUNT(*) FROM terminals t WHERE t.gateway_id = g.id) AS Terminals
        FROM gateways g
        {GatewayWhere}
        """);
    private static readonly SqlText GatewayCount = SqlText.Same($"SELECT COUNT(*) FROM gateways g {GatewayWhere};");

    private static readonly Dictionary<string, string> MerchantSort = new()
    {
        ["Id"] = "m.id", ["Name"] = "m.name", ["RegionId"] = "m.region_id", ["TimeZone"] = "m.time_zone",
        ["OpeningHours"] = "m.opening_hours", ["Terminals"] = "Terminals",
    };
    private const string MerchantWhere = "WHERE m.id LIKE @Pattern OR m.name LIKE @Pattern OR m.region_id LIKE @Pattern";
    private static readonly SqlText MerchantPage = Paging.Paged(
        $"""
        SELECT m.id AS Id, m.name AS Name, m.region_id AS RegionId, m.time_zone AS TimeZone,
               m.opening_hours AS OpeningHours,
               (SELECT COUNT(*) FROM terminals t WHERE t.merchant_id = m.id) AS Terminals
        FROM merchants m
        {MerchantWhere}
        """);
    private static readonly SqlText MerchantCount = SqlText.Same($"SELECT COUNT(*) FROM merchants m {MerchantWhere};");

    private static readonly Dictionary<string, string> TerminalSort = new()
    {
        ["Id"] = "t.id", ["MerchantName"] = "m.name", ["RegionId"] = "t.region_id", ["GatewayId"] = "t.gateway_id",
        ["Model"] = "t.model", ["Firmware"] = "t.firmware", ["Store"] = "t.store",
    };
    private const string TerminalWhere =
        """
        WHERE (@MerchantId IS NULL OR t.merchant_id = @MerchantId)
          AND (t.id LIKE @Pattern OR m.name LIKE @Pattern OR t.merchant_id LIKE @Pattern OR t.firmware LIKE @Pattern
               OR t.model LIKE @Pattern OR t.store LIKE @Pattern OR t.gateway_id LIKE @Pattern OR t.region_id LIKE @Pattern)
        """;
    private static readonly SqlText TerminalPage = Paging.Paged(
        $"""
        SELECT t.id AS Id, t.merchant_id AS MerchantId, m.name AS MerchantName, t.region_id AS RegionId,
               t.gateway_id AS GatewayId, t.model AS Model, t.firmware AS Firmware, t.store AS Store
        FROM terminals t JOIN merchants m ON m.id = t.merchant_id
        {TerminalWhere}
        """);
    private static readonly SqlText TerminalCount = SqlText.Same(
        $"SELECT COUNT(*) FROM terminals t JOIN merchants m ON m.id = t.merchant_id {TerminalWhere};");
}
