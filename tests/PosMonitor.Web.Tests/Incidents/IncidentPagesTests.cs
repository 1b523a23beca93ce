using System.Net;
using System.Net.Http.Json;
using PosMonitor.Core.Incidents;
using PosMonitor.Web.Tests.Identity;

namespace PosMonitor.Web.Tests.Incidents;

/// <summary>The incident pages as the portal serves them, wired by the real host.</summary>
public class IncidentPagesTests(PortalFactory factory) : IClassFixture<PortalFactory>
{
    private Task<Incident> ManualIncidentAsync() => factory.OpenManualIncidentAsync("Lotus Noodle House reports timeouts");

    [Fact]
    public async Task The_queue_lists_open_incidents_and_the_incident_page_shows_its_runbook_checklist()
    {
        var incident = await ManualIncidentAsync();
        var client = await factory.SignedInAsync(PortalFactory.Agent);

        var queue = WebUtility.HtmlDecode(await client.GetStringAsync("/incidents"));
        var page = WebUtility.HtmlDecode(await client.GetStringAsync($"/incidents/{incident.Id}"));

        Assert.Contains("Lotus Noodle House reports timeouts", queue);
        Assert.Contains($"/incidents/{incident.Id}", queue);
        Assert.Contains("Network outage or degraded connectivity", page);
        Assert.Contains("Confirm the scope from telemetry", page);
        Assert.Contains("Dear Lotus Noodle House", page);
    }

    [Fact]
    public async Task The_incident_api_lists_the_runbook_version_s_steps_as_its_checklist()
    {
        var incident = await ManualIncidentAsync();

        var body = await factory.AdminClient().GetFromJsonAsync<System.Text.Json.JsonElement>($"/api/v1/incidents/{incident.Id}");

        var runbook = body.GetProperty("runbook");
        Assert.Equal("rb-network-outage", runbook.GetProperty("id").GetString());
        Assert.Equal(1, runbook.GetProperty("version").GetInt32());
        Assert.Equal("Confirm the scope from telemetry", runbook.GetProperty("checklist")[0].GetString());
    }

    [Theory]
    [InlineData("/incidents/figures")]
    [InlineData("/incidents/new")]
    [InlineData("/admin/notifications")]
    public async Task Support_pages_are_served(string path)
    {
        await factory.SeedAsync();
        var response = await (await factory.SignedInAsync(PortalFactory.Admin)).GetAsync(path);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
    }
}
