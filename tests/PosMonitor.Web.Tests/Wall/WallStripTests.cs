using System.Net;
using Microsoft.Extensions.DependencyInjection;
using PosMonitor.Core.Incidents;
using PosMonitor.Web.Features.Identity;
using PosMonitor.Web.Features.Telemetry;
using PosMonitor.Web.Tests.Identity;
using PosMonitor.Web.Tests.Incidents;

namespace PosMonitor.Web.Tests.Wall;

/// <summary>The wall as a display token serves it (its own portal: it shows every open incident).</summary>
public sealed class WallStripTests(PortalFactory factory) : IClassFixture<PortalFactory>
{
    [Fact]
    public async Task Open_incidents_stay_on_screen_worst_first_while_the_panels_take_turns()
    {
        await factory.SeedAsync();
        await factory.Services.GetRequiredService<FleetCache>().ReloadAsync(default);
        var key = await factory.CreateKeyAsync(Scopes.Display);
        var screen = factory.CreateClient();
        (await PortalSession.PostWallSignInAsync(screen, key)).EnsureSuccessStatusCode();
        async Task<string> Wall() => WebUtility.HtmlDecode(await screen.GetStringAsync("/wall"));
        Assert.DoesNotContain("data-testid=\"wall-strip\"", await Wall());

        foreach (var (title, severity) in new[] { ("Receipts faint", Severity.Minor), ("Card reader dead", Severity.Major),
                     ("Nothing goes through", Severity.Critical), ("Second printer jammed", Severity.Minor) })
            await factory.OpenManualIncidentAsync(title, Cause.Hardware, severity);

        var wall = await Wall();
        var strip = wall[wall.IndexOf("data-testid=\"wall-strip\"", StringComparison.Ordinal)..wall.IndexOf("<main", StringComparison.Ordinal)];
        Assert.True(strip.IndexOf("Nothing goes through", StringComparison.Ordinal) < strip.IndexOf("Card reader dead", StringComparison.Ordinal));
        Assert.True(strip.IndexOf("Card reader dead", StringComparison.Ordinal) < strip.IndexOf("Second printer jammed", StringComparison.Ordinal));
        Assert.DoesNotContain("Receipts faint", strip); // the older minor one, counted
        Assert.Contains("+1 more", strip);
    }
}
