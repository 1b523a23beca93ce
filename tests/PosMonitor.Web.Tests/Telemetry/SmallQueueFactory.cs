using PosMonitor.Web.Tests.Infrastructure;

namespace PosMonitor.Web.Tests.Telemetry;

public class SmallQueueFactory : PosMonitorFactory
{
    protected override IEnumerable<KeyValuePair<string, string?>> Settings =>
        [new("PosMonitor:Ingestion:QueueCapacityEvents", "10")];
}
