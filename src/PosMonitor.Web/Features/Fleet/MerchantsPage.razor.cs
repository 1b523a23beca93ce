using MudBlazor;
using PosMonitor.Web.Infrastructure.Data;

namespace PosMonitor.Web.Features.Fleet;

public partial class MerchantsPage
{
    private MudDataGrid<MerchantListItem>? _merchants;
    private MudDataGrid<TerminalListItem>? _terminals;
    private MudDataGrid<RegionListItem>? _regions;
    private MudDataGrid<GatewayListItem>? _gateways;
    private string? _merchantSearch, _terminalSearch, _regionSearch, _gatewaySearch;
    private int _tab;
    // The prerendered page has no data yet: say "loading", not "nothing matches", until the first answer.
    private bool _loaded;

    private Task<GridData<MerchantListItem>> LoadMerchants(GridState<MerchantListItem> state, CancellationToken ct) =>
        Load(state, _merchantSearch, q => Fleet.MerchantsAsync(q, ct));

    private Task<GridData<TerminalListItem>> LoadTerminals(GridState<TerminalListItem> state, CancellationToken ct) =>
        Load(state, _terminalSearch, q => Fleet.TerminalsAsync(q, null, ct));

    private Task<GridData<RegionListItem>> LoadRegions(GridState<RegionListItem> state, CancellationToken ct) =>
        Load(state, _regionSearch, q => Fleet.RegionsAsync(q, ct));

    private Task<GridData<GatewayListItem>> LoadGateways(GridState<GatewayListItem> state, CancellationToken ct) =>
        Load(state, _gatewaySearch, q => Fleet.GatewaysAsync(q, ct));

    private async Task<GridData<T>> Load<T>(GridState<T> state, string? search, Func<GridQuery, Task<GridPage<T>>> fetch)
    {
        var sort = state.SortDefinitions.FirstOrDefault();
        var page = await fetch(new GridQuery(search, sort?.SortBy, sort?.Descending ?? false, state.Page * state.PageSize, state.PageSize));
        _loaded = true;
        return new GridData<T> { Items = page.Items, TotalItems = page.Total };
    }

    private static Task Search<T>(ref string? field, string? text, MudDataGrid<T>? grid)
    {
        field = text;
        return grid?.ReloadServerData() ?? Task.CompletedTask;
    }

    private async Task ShowTerminalsOf(string merchantId)
    {
        _terminalSearch = merchantId;
        _tab = 1;
        StateHasChanged();
        if (_terminals is not null) await _terminals.ReloadServerData();
    }
}
