using Microsoft.Extensions.Options;
using PosMonitor.Web.Features.Identity;
using PosMonitor.Web.Infrastructure.Data;
using PosMonitor.Web.Infrastructure.Observability;

namespace PosMonitor.Web.Infrastructure;

/// <summary>
/// Start-up work that must finish before requests are served: migrations (unless operators migrate
/// before they deploy), the bootstrap admin key, the bootstrap admin user and demo users.
/// </summary>
public sealed class Startup(Db db, Migrator migrator, IOptions<DatabaseOptions> database, ApiKeyRepository keys,
    IOptions<BootstrapOptions> bootstrap, IServiceScopeFactory scopes, IHostEnvironment environment, ILogger<Startup> logger) : IHostedService
{
    public async Task StartAsync(CancellationToken ct)
    {
        if (db.EnsureExists(create: environment.IsDevelopment() || database.Value.CreateIfMissing))
            logger.LogWarning("Created a new, empty database at {Path}", db.FileGuard?.Path);
        if (database.Value.MigrateOnStartup) await logger.TimeStepAsync("migrations", () => { migrator.Migrate(); return Task.CompletedTask; });
        else if (!migrator.IsUpToDate()) logger.LogWarning("Migrations are pending and MigrateOnStartup is off; /readyz reports not ready");
        await logger.TimeStepAsync("bootstrap key and users", async () =>
        {
            if (!string.IsNullOrEmpty(bootstrap.Value.AdminApiKey))
                await keys.EnsureBootstrapAsync(bootstrap.Value.AdminApiKey, ct);
            await using var scope = scopes.CreateAsyncScope();
            await scope.ServiceProvider.GetRequiredService<IdentitySeeder>().SeedAsync(ct);
        });
        db.FileGuard?.Watch();
    }

    public Task StopAsync(CancellationToken ct) => Task.CompletedTask;
}
