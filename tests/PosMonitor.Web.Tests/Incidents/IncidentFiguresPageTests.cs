using System.Net;
using Microsoft.Extensions.DependencyInjection;
using PosMonitor.Core.Incidents;
using PosMonitor.Web.Features.Incidents;
using PosMonitor.Web.Features.Telemetry;
using PosMonitor.Web.Tests.Identity;

namespace PosMonitor.Web.Tests.Incidents;

/// <summary>The MTTA / MTTR page as served, from no incident to an acknowledged one (its own portal: it counts every incident).</summary>
public class IncidentFiguresPageTests(PortalFactory factory) : IClassFixture<PortalFactory>
{
    // The chart's element, not the stylesheet MudBlazor ships with every page.
    private const string Chart = "class=\"mud-chart[ \"]";

    [Fact]
    public async Task The_figures_say_when_there_is_nothing_to_measure_instead_of_drawing_empty_bars()
    {
        await factory.SeedAsync();
        await factory.Services.GetRequiredService<FleetCache>().ReloadAsync(default);
        var client = await factory.SignedInAsync(PortalFactory.Admin);
        async Task<string> Page() => WebUtility.HtmlDecode(await client.GetStringAsync("/incidents/figures"));

        var empty = await Page();
        Assert.Contains("No incident was opened in this period.", empty);
        Assert.DoesNotMatch(Chart, empty);

        var tickets = factory.Services.GetRequiredService<IncidentTickets>();
        var incident = await tickets.CreateManualAsync("Till freezes at payment", Cause.Software, Severity.Minor, ScopeType.Merchant, "m-0001", ["m-0001"], "alice", default);
        var open = await Page();
        Assert.Contains("None of these incidents has been acknowledged or resolved yet", open);
        Assert.DoesNotMatch(Chart, open);

        await tickets.ActAsync(incident.Id, TicketAction.Acknowledge, "alice", default);
        var acknowledged = await Page();
        Assert.DoesNotContain("None of these incidents", acknowledged);
        Assert.Matches(Chart, acknowledged);
    }
}
