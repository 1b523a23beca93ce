using System.Net;
using Microsoft.Extensions.DependencyInjection;
using PosMonitor.Core.Incidents;
using PosMonitor.Web.Features.Fleet;
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

    [Fact]
    public async Task Open_incidents_on_the_wall_say_who_acknowledged_them_who_owns_them_and_the_time_left()
    {
        await factory.SeedAsync();
        await factory.Services.GetRequiredService<FleetCache>().ReloadAsync(default);
        var key = await factory.CreateKeyAsync(Scopes.Display);
        var screen = factory.CreateClient();
        (await PortalSession.PostWallSignInAsync(screen, key)).EnsureSuccessStatusCode();
        var taken = await factory.OpenManualIncidentAsync("Card reader dead at the airport", Cause.Hardware, Severity.Major);
        var waiting = await factory.OpenManualIncidentAsync("Receipts faint at the station", Cause.Hardware, Severity.Minor);
        var tickets = factory.Services.GetRequiredService<PosMonitor.Web.Features.Incidents.IncidentTickets>();
        await tickets.ActAsync(taken.Id, TicketAction.Acknowledge, "alice", default);
        await tickets.AssignAsync(taken.Id, "bob", "alice", default);

        var wall = WebUtility.HtmlDecode(await screen.GetStringAsync("/wall"));
        // The portal is shared by this class: leave no incident open for the next test.
        foreach (var i in new[] { taken, waiting })
            await tickets.ResolveAsync(i.Id, "alice", "test over", default);

        var panel = wall[wall.IndexOf("Card reader dead at the airport", wall.IndexOf("wall-incidents", StringComparison.Ordinal), StringComparison.Ordinal)..];
        var takenItem = panel[..panel.IndexOf("</li>", StringComparison.Ordinal)];
        Assert.Contains("acknowledged by alice", takenItem);
        Assert.Contains("owner bob", takenItem);
        Assert.Contains("Resolve within", takenItem);
        var waitingPanel = wall[wall.IndexOf("Receipts faint at the station", wall.IndexOf("wall-incidents", StringComparison.Ordinal), StringComparison.Ordinal)..];
        var waitingItem = waitingPanel[..waitingPanel.IndexOf("</li>", StringComparison.Ordinal)];
        Assert.Contains("NOT ACKNOWLEDGED", waitingItem);
        Assert.Contains("no owner", waitingItem);
        Assert.Contains("Acknowledge", waitingItem[waitingItem.IndexOf("no owner", StringComparison.Ordinal)..]);
    }
}
