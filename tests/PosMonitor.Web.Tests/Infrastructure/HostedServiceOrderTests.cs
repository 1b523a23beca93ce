using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

namespace PosMonitor.Web.Tests.Infrastructure;

/// <summary>
/// The hosted services start in the order PosMonitorHost registers them and stop in reverse; README.md of PosMonitor.Web
/// lists them in this order with what each does at start and stop.
/// </summary>
public sealed class HostedServiceOrderTests
{
    [Fact]
    public void Hosted_services_start_in_the_pipeline_s_order()
    {
        using var factory = new WithDemo();

        // Ours and Quartz's; the framework's and OpenTelemetry's own are not the pipeline's.
        var order = factory.Services.GetServices<IHostedService>().Select(s => s.GetType())
            .Where(t => t.Assembly == typeof(Program).Assembly || t.Namespace?.StartsWith("Quartz", StringComparison.Ordinal) == true)
            .Select(t => t.Name).ToList();

        string[] expected = [
            "SqliteCheckpointer", "Startup", "QuartzLogging", "QuartzHostedService", "NamedSchedulerHostedService",
            "FleetStartup", "TelemetryStartup", "IngestionWriter",
            "LiveMinuteWindowStartup", "SaveBaselinesOnShutdown",
            "OpenIncidentsStartup", "RunbookSeeder", "IncidentNotifications", "IncidentTicketsFeeder",
            "HeatmapStartup", "HeatmapPublisher", "LiveIncidentForwarder",
            "DemoTrafficService",
        ];
        Assert.True(expected.SequenceEqual(order), $"Started in this order: {string.Join(", ", order)}");
    }

    private sealed class WithDemo : PosMonitorFactory
    {
        protected override IEnumerable<KeyValuePair<string, string?>> Settings => [new("PosMonitor:Demo:Enabled", "true")];
    }
}
