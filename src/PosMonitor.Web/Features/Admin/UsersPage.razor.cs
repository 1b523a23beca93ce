using Microsoft.AspNetCore.Components;
using Microsoft.AspNetCore.Components.Authorization;
using MudBlazor;
using PosMonitor.Web.Features.Identity;
using PosMonitor.Web.Infrastructure.Data;

namespace PosMonitor.Web.Features.Admin;

public partial class UsersPage
{
    [CascadingParameter] private Task<AuthenticationState> AuthState { get; set; } = default!;
    [Inject] private TimeProvider Time { get; set; } = default!;
    [Inject] private IScrollManager Scroll { get; set; } = default!;

    private MudDataGrid<UserListItem>? _grid;
    private string? _search, _roleFilter;
    // The prerendered page has no data yet: say "loading", not "no user matches", until the first answer.
    private bool _loaded;
    private UserListItem? _selected;
    private bool _scrollToSelected;
    private NewUserForm _new = new();
    private IReadOnlyList<string> _createProblems = [], _problems = [];
    private string? _created;
    private string _role = Roles.Operator;
    private string? _merchantId, _password;
    private bool _saved;

    private DateTimeOffset Now => Time.GetUtcNow();

    /// <summary>The grid's page, searched, filtered, sorted and cut by the database: only these rows reach the circuit.</summary>
    private async Task<GridData<UserListItem>> LoadAsync(GridState<UserListItem> state, CancellationToken ct)
    {
        var sort = state.SortDefinitions.FirstOrDefault();
        var page = await Admin.PageAsync(
            new GridQuery(_search, sort?.SortBy, sort?.Descending ?? false, state.Page * state.PageSize, state.PageSize), _roleFilter, ct);
        _loaded = true;
        return new GridData<UserListItem> { Items = page.Items, TotalItems = page.Total };
    }

    private Task SearchAsync(string? text)
    {
        _search = text;
        return ReloadGridAsync();
    }

    private Task RoleFilterAsync(string? role)
    {
        _roleFilter = role;
        return ReloadGridAsync();
    }

    private Task ReloadGridAsync() => _grid?.ReloadServerData() ?? Task.CompletedTask;

    private void Select(UserListItem? user)
    {
        _selected = user;
        _role = user?.Role ?? Roles.Operator;
        _merchantId = user?.MerchantId;
        _password = null;
        _problems = [];
        _saved = false;
        _scrollToSelected = user is not null;
    }

    protected override async Task OnAfterRenderAsync(bool firstRender)
    {
        // On a phone the panel sits above the list: bring it into view, not a screen away from the row tapped.
        if (!_scrollToSelected) return;
        _scrollToSelected = false;
        await Scroll.ScrollIntoViewAsync("#users-edit", ScrollBehavior.Smooth);
    }

    private async Task CreateAsync()
    {
        var email = _new.Email?.Trim() ?? "";
        _createProblems = await Admin.CreateAsync(await Actor(), new NewUser(email, _new.DisplayName ?? "", _new.Role, _new.MerchantId, _new.Password ?? ""), CancellationToken.None);
        _created = null;
        if (_createProblems.Count > 0) return;
        _new = new();
        _created = email;
        // The new user may sort onto any page of thousands: open it, so the admin sees what was stored.
        Select(await Admin.FindByEmailAsync(email));
        await ReloadGridAsync();
    }

    private Task SaveRoleAsync() => Change(async () => await Admin.SetRoleAsync(await Actor(), _selected!.Id, _role, _merchantId, CancellationToken.None));

    private async Task ResetPasswordAsync()
    {
        await Change(async () => await Admin.ResetPasswordAsync(await Actor(), _selected!.Id, _password ?? "", CancellationToken.None));
        _password = null;
    }

    private Task ToggleDisabledAsync() => Change(async () =>
    {
        await Admin.SetDisabledAsync(await Actor(), _selected!.Id, !_selected.Disabled, CancellationToken.None);
        return [];
    });

    private Task UnlockAsync() => Change(async () =>
    {
        await Admin.UnlockAsync(await Actor(), _selected!.Id, CancellationToken.None);
        return [];
    });

    private Task DisableTwoFactorAsync() => Change(async () =>
    {
        await Admin.DisableTwoFactorAsync(await Actor(), _selected!.Id, CancellationToken.None);
        return [];
    });

    /// <summary>Applies a change to the selected user, then reads that user and the grid's page again.</summary>
    private async Task Change(Func<Task<IReadOnlyList<string>>> change)
    {
        if (_selected is null) return;
        _problems = await change();
        _saved = _problems.Count == 0;
        _selected = await Admin.FindAsync(_selected.Id);
        await ReloadGridAsync();
    }

    private async Task<System.Security.Claims.ClaimsPrincipal> Actor() => (await AuthState).User;

    private sealed class NewUserForm
    {
        public string? Email { get; set; }
        public string? DisplayName { get; set; }
        public string Role { get; set; } = Roles.Operator;
        public string? MerchantId { get; set; }
        public string? Password { get; set; }
    }
}
