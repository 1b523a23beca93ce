using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;
using PosMonitor.Core.Rollups;
using PosMonitor.Core.Telemetry;
using PosMonitor.Web.Features.Fleet;
using PosMonitor.Web.Features.Heatmap;
using PosMonitor.Web.Features.Telemetry;
using PosMonitor.Web.Infrastructure.Data;
using PosMonitor.Web.Tests.Infrastructure;

namespace PosMonitor.Web.Tests.Heatmap;

/// <summary>The live heatmap's singletons over the small test fleet, without a database, for unit and component tests.</summary>
public sealed class LiveServices
{
    public LiveServices(DateTimeOffset? now = null)
    {
        Time = new FakeTimeProvider(now ?? new DateTimeOffset(2026, 11, 25, 8, 30, 20, TimeSpan.Zero));
        // Never opened: the fleet and states are set directly.
        var db = new Db(Options.Create(new DatabaseOptions()),
            new ConfigurationBuilder().AddInMemoryCollection([new("ConnectionStrings:PosMonitor", $"Data Source={Path.Combine(Path.GetTempPath(), "posmonitor-tests", "never-opened.db")}")]).Build(),
            new Environment());
        Fleet = new FleetCache(new FleetRepository(db, Time), new FleetChanges());
        Fleet.Replace(Core.Fleet.Fleet.FromDocument(TestFleet.Small()));
        States = new TerminalStateCache(db);
        Heatmap = new HeatmapService(Fleet, States, Time, Options.Create(new HeatmapOptions { MinTransactions = 5 }),
            Microsoft.Extensions.Logging.Abstractions.NullLogger<HeatmapService>.Instance);
    }

    public FakeTimeProvider Time { get; }
    public FleetCache Fleet { get; }
    public TerminalStateCache States { get; }
    public HeatmapService Heatmap { get; }

    /// <summary>Folds sales into the heatmap as one committed batch would: <paramref name="timeouts"/> of <paramref name="sales"/> time out.</summary>
    public void Sales(string terminalId, DateTimeOffset at, int sales, int timeouts = 0)
    {
        var aggregator = new RollupAggregator(States.Get);
        for (var i = 0; i < sales; i++)
            aggregator.Add(new Transaction
            {
                EventId = $"e-{Guid.NewGuid():D}", TerminalId = terminalId, Timestamp = at,
                Outcome = i < timeouts ? Outcome.Timeout : Outcome.Approved, Stage = i < timeouts ? Stage.Gateway : null,
                LatencyMs = 500, Gateway = "gw-unionpay",
            });
        var delta = aggregator.TakeDelta();
        States.Apply(delta.States.Values);
        Heatmap.Apply(delta);
    }

    private sealed class Environment : IHostEnvironment
    {
        public string EnvironmentName { get; set; } = "Testing";
        public string ApplicationName { get; set; } = "PosMonitor.Web";
        public string ContentRootPath { get; set; } = Path.GetTempPath();
        public Microsoft.Extensions.FileProviders.IFileProvider ContentRootFileProvider { get; set; } = null!;
    }
}
