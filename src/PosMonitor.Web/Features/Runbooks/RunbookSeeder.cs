using PosMonitor.Web.Infrastructure.Data;
using PosMonitor.Web.Infrastructure.Observability;

namespace PosMonitor.Web.Features.Runbooks;

/// <summary>
/// Inserts version 1 of each default runbook that does not exist yet. Runs after migrations (hosted
/// services start in registration order); an operator's edits are never overwritten, and a
/// deleted-and-reseeded database gets the defaults back.
/// </summary>
public sealed class RunbookSeeder(RunbookRepository runbooks, Migrator migrator, ILogger<RunbookSeeder> logger) : IHostedService
{
    public async Task StartAsync(CancellationToken ct)
    {
        if (!migrator.IsUpToDate())
        {
            logger.LogWarning("Migrations are pending: default runbooks not seeded");
            return;
        }
        var added = await logger.TimeStepAsync("default runbooks", () => runbooks.SeedAsync(DefaultRunbooks.All, ct));
        if (added > 0) logger.LogInformation("Seeded {Count} default runbooks", added);
    }

    public Task StopAsync(CancellationToken ct) => Task.CompletedTask;
}
