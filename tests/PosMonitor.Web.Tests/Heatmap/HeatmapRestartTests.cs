using System.Net;
using System.Net.Http.Json;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using PosMonitor.Web.Features.Heatmap;
using PosMonitor.Web.Tests.Infrastructure;
using static PosMonitor.Web.Tests.Telemetry.TelemetryJson;

namespace PosMonitor.Web.Tests.Heatmap;

public sealed class HeatmapRestartTests : IDisposable
{
    private readonly string _folder = Path.Combine(Path.GetTempPath(), "posmonitor-tests", Guid.NewGuid().ToString("N"));

    /// <summary>A portal on a database file of the test's own, which outlives the portal.</summary>
    private sealed class OnFile(string path) : PosMonitorFactory
    {
        protected override IEnumerable<KeyValuePair<string, string?>> Settings => [new("ConnectionStrings:PosMonitor", $"Data Source={path}")];
    }

    [Fact]
    public async Task After_a_restart_the_heatmap_shows_the_counts_it_showed_before_older_minutes_included()
    {
        Directory.CreateDirectory(_folder);
        var path = Path.Combine(_folder, "posmonitor.db");
        var now = DateTimeOffset.UtcNow;
        HeatmapResponse? before;
        await using (var first = new OnFile(path))
        {
            await first.PutFleetAsync(TestFleet.Small());
            // An hour, half an hour and a minute ago: at the next start only the newest minutes are read before it is ready.
            var sales = new List<string>();
            foreach (var (minutesAgo, terminal) in new[] { (60, "T-000001"), (30, "T-000003"), (1, "T-000004") })
                for (var i = 0; i < 4; i++)
                    sales.Add(i == 0
                        ? Sale($"s-{minutesAgo}-{i}", terminal, now.AddMinutes(-minutesAgo), outcome: "timeout", stage: "gateway")
                        : Sale($"s-{minutesAgo}-{i}", terminal, now.AddMinutes(-minutesAgo)));
            var response = await first.AdminClient().PostAsync("/api/v1/telemetry", Content(Body(transactions: sales)));
            Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
            await first.TelemetryDeliveredAsync();
            before = await first.AdminClient().GetFromJsonAsync<HeatmapResponse>("/api/v1/heatmap?by=region&minutes=240");
        }

        await using var restarted = new OnFile(path);
        var client = restarted.AdminClient();
        await restarted.Services.GetServices<IHostedService>().OfType<HeatmapStartup>().Single().History.WaitAsync(TimeSpan.FromSeconds(30));
        var after = await client.GetFromJsonAsync<HeatmapResponse>("/api/v1/heatmap?by=region&minutes=240");

        Assert.Equal(3, before!.Cells.Count);
        Assert.Equal(Ordered(before), Ordered(after!));
        Assert.Null(restarted.Services.GetRequiredService<HeatmapService>().HistoryLoadingBefore);
    }

    private static IEnumerable<HeatmapCell> Ordered(HeatmapResponse r) => r.Cells.OrderBy(c => c.Minute).ThenBy(c => c.Row, StringComparer.Ordinal);

    public void Dispose()
    {
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        try { Directory.Delete(_folder, recursive: true); } catch (IOException) { /* a file still closing; temp space */ }
    }
}
