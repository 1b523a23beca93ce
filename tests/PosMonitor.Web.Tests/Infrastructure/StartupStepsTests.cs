using System.Text.RegularExpressions;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging.Testing;
using PosMonitor.Web.Features.Heatmap;

namespace PosMonitor.Web.Tests.Infrastructure;

public sealed class StartupStepsTests
{
    private sealed class LoggedFactory : PosMonitorFactory
    {
        protected override void ConfigureWebHost(IWebHostBuilder builder)
        {
            base.ConfigureWebHost(builder);
            builder.ConfigureServices(services => services.AddFakeLogging());
        }
    }

    [Fact]
    public async Task The_start_up_log_names_each_step_with_its_duration_and_when_the_portal_started()
    {
        using var factory = new LoggedFactory();
        factory.CreateClient();
        await factory.Services.GetServices<IHostedService>().OfType<HeatmapStartup>().Single().History.WaitAsync(TimeSpan.FromSeconds(30));

        var lines = factory.Services.GetFakeLogCollector().GetSnapshot().Select(r => r.Message).ToList();
        string[] steps =
        [
            "migrations", "bootstrap key and users", "fleet", "terminal states", "ingestion writer: duplicate keys, unwritten rollups",
            "detection's lookback (", "open incidents", "default runbooks", $"heatmap's newest {HeatmapStartup.ReadyMinutes} min", "heatmap's history (",
        ];
        foreach (var step in steps)
            Assert.Contains(lines, line => Regex.IsMatch(line, $@"^Start-up step {Regex.Escape(step)}.* took \d+ ms$"));
        Assert.Contains(lines, line => Regex.IsMatch(line, @"^Started, \d+\.\d s after the process did$"));
    }
}
