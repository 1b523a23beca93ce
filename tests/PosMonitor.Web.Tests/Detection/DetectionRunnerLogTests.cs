using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Testing;
using PosMonitor.Core.Detection;
using PosMonitor.Web.Features.Detection;
using PosMonitor.Web.Tests.Infrastructure;

namespace PosMonitor.Web.Tests.Detection;

public class DetectionRunnerLogTests
{
    [Fact]
    public void The_info_line_of_an_incident_resolving_masks_a_card_number_in_its_title()
    {
        var log = new FakeLogger<DetectionRunner>();
        var opened = new DateTimeOffset(2026, 11, 25, 8, 0, 0, TimeSpan.Zero);
        // A store name stored before the fleet API screened names, as detection puts it in a title.
        var incident = TestIncidents.GatewayOutage("inc-000007", opened, ["T-000001"]) with
        {
            Title = "Store Nanjing Rd 4111.1111.1111.1111: timeouts on 38% of sales", ResolvedAt = opened.AddMinutes(20),
        };

        DetectionRunner.LogChange(log, new IncidentChange(IncidentChangeKind.Resolved, incident));

        var line = Assert.Single(log.Collector.GetSnapshot());
        Assert.Equal(LogLevel.Information, line.Level);
        Assert.Contains("inc-000007 resolved", line.Message);
        Assert.Contains("Store Nanjing Rd 411111******1111: timeouts on 38% of sales", line.Message);
        Assert.DoesNotContain("4111.1111", line.Message);
    }
}
