using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Components.Authorization;

namespace PosMonitor.Web.Features.Identity;

/// <summary>
/// The <see cref="Viewer"/> of the person using a portal page, from the circuit's authentication
/// state. While the portal has no sign-in of its own (only the API key scheme is registered) its
/// pages are open, as the merchants grid is, and show every merchant; once a sign-in scheme exists,
/// an anonymous visitor sees nothing.
/// </summary>
public sealed class PortalViewer(AuthenticationStateProvider authentication, IAuthenticationSchemeProvider schemes)
{
    public async Task<Viewer> GetAsync()
    {
        var state = await authentication.GetAuthenticationStateAsync();
        var viewer = Viewer.From(state.User);
        if (viewer != Viewer.Nobody) return viewer;
        var all = await schemes.GetAllSchemesAsync();
        return all.All(s => s.Name == ApiKeyAuthenticationHandler.SchemeName) ? new Viewer(true, null, false) : Viewer.Nobody;
    }
}
