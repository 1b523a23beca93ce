using System.Globalization;
using System.Net;
using PosMonitor.Core.Incidents;
using PosMonitor.Web.Tests.Incidents;

namespace PosMonitor.Web.Tests.Identity;

/// <summary>Pages as served: an incident's opening time on the staff page and on its merchant's portal.</summary>
public sealed class DisplayTimePagesTests(DisplayTimePagesTests.Factory factory) : IClassFixture<DisplayTimePagesTests.Factory>
{
    public sealed class Factory : PortalFactory
    {
        protected override IEnumerable<KeyValuePair<string, string?>> ExtraSettings => [new("PosMonitor:Heatmap:DisplayTimeZone", "Europe/Berlin")];
    }

    [Fact]
    public async Task An_incident_opens_at_the_operations_centre_s_time_for_staff_and_at_the_shop_s_for_its_owner()
    {
        var incident = await factory.OpenManualIncidentAsync("Card reader unresponsive", Cause.Hardware);
        string In(string zone, string format) => TimeZoneInfo.ConvertTime(incident.OpenedAt, TimeZoneInfo.FindSystemTimeZoneById(zone)).ToString(format, CultureInfo.GetCultureInfo("en"));

        var staff = WebUtility.HtmlDecode(await (await factory.SignedInAsync(PortalFactory.Agent)).GetStringAsync($"/incidents/{incident.Id}"));
        var owner = WebUtility.HtmlDecode(await (await factory.SignedInAsync(PortalFactory.Owner1)).GetStringAsync("/my"));

        Assert.Contains($"Opened {In("Europe/Berlin", "MMMM d, yyyy HH:mm")}", staff);
        Assert.Contains($"since {In("Asia/Shanghai", "HH:mm")}", owner);
        Assert.DoesNotContain($"since {In("Europe/Berlin", "HH:mm")}", owner);
    }
}
