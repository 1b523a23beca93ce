using PosMonitor.Web.Tests.Infrastructure;

namespace PosMonitor.Web.Tests.Telemetry;

public class RateLimitFactory : PosMonitorFactory
{
    protected override IEnumerable<KeyValuePair<string, string?>> Settings =>
        [new("PosMonitor:Ingestion:RequestsPerSecondPerKey", "2")];
}
