using Microsoft.AspNetCore.Components.Authorization;

namespace PosMonitor.Web.Features.Identity;

/// <summary>The <see cref="Viewer"/> of the person using a portal page, from the circuit's authentication state.</summary>
public sealed class PortalViewer(AuthenticationStateProvider authentication)
{
    public async Task<Viewer> GetAsync() => Viewer.From((await authentication.GetAuthenticationStateAsync()).User);
}
