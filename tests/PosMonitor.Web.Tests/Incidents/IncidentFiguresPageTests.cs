using System.Net;
using Microsoft.Extensions.DependencyInjection;
using PosMonitor.Core.Incidents;
using PosMonitor.Web.Features.Fleet;
using PosMonitor.Web.Features.Incidents;
using PosMonitor.Web.Features.Telemetry;
using PosMonitor.Web.Tests.Identity;
using PosMonitor.Web.Tests.Infrastructure;

namespace PosMonitor.Web.Tests.Incidents;

/// <summary>The MTTA / MTTR page as served, from no incident to an acknowledged one (its own portal: it counts every incident).</summary>
public class IncidentFiguresPageTests(PortalFactory factory) : IClassFixture<PortalFactory>
{
    [Fact]
    public async Task The_figures_say_when_there_is_nothing_to_measure_instead_of_drawing_empty_bars()
    {
        await factory.SeedAsync();
        await factory.Services.GetRequiredService<FleetCache>().ReloadAsync(default);
        var client = await factory.SignedInAsync(PortalFactory.Admin);
        async Task<string> Page() => WebUtility.HtmlDecode(await client.GetStringAsync("/incidents/figures"));

        var empty = await Page();
        Assert.Contains("No incident was opened in this period.", empty);
        Assert.DoesNotMatch(Markup.Chart, empty);

        var incident = await factory.OpenManualIncidentAsync("Till freezes at payment", Cause.Software, Severity.Minor);
        var open = await Page();
        Assert.Contains("None of these incidents has been acknowledged or resolved yet", open);
        Assert.DoesNotMatch(Markup.Chart, open);

        await factory.Services.GetRequiredService<IncidentTickets>().ActAsync(incident.Id, TicketAction.Acknowledge, "alice", default);
        var acknowledged = await Page();
        Assert.DoesNotContain("None of these incidents", acknowledged);
        Assert.Matches(Markup.Chart, acknowledged);
    }
}
