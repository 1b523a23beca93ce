using Microsoft.AspNetCore.Components;
using Microsoft.AspNetCore.Components.Authorization;
using PosMonitor.Web.Features.Identity;

namespace PosMonitor.Web.Features.Admin;

public partial class UsersPage
{
    [CascadingParameter] private Task<AuthenticationState> AuthState { get; set; } = default!;
    [Inject] private TimeProvider Time { get; set; } = default!;

    private IReadOnlyList<PortalUser> _users = [];
    private PortalUser? _selected;
    private NewUserForm _new = new();
    private IReadOnlyList<string> _createProblems = [], _problems = [];
    private string _role = Roles.Operator;
    private string? _merchantId, _password;
    private bool _saved;

    private DateTimeOffset Now => Time.GetUtcNow();

    protected override Task OnInitializedAsync() => ReloadAsync();

    private async Task ReloadAsync()
    {
        _users = await Admin.ListAsync(CancellationToken.None);
        if (_selected is not null) _selected = _users.FirstOrDefault(u => u.Id == _selected.Id);
    }

    private void Select(PortalUser? user)
    {
        _selected = user;
        _role = user?.Role ?? Roles.Operator;
        _merchantId = user?.MerchantId;
        _password = null;
        _problems = [];
        _saved = false;
    }

    private async Task CreateAsync()
    {
        _createProblems = await Admin.CreateAsync(await Actor(), new NewUser(_new.Email ?? "", _new.DisplayName ?? "", _new.Role, _new.MerchantId, _new.Password ?? ""), CancellationToken.None);
        if (_createProblems.Count == 0) _new = new();
        await ReloadAsync();
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

    private async Task Change(Func<Task<IReadOnlyList<string>>> change)
    {
        if (_selected is null) return;
        _problems = await change();
        _saved = _problems.Count == 0;
        await ReloadAsync();
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
