using PosMonitor.Web.Infrastructure.Cluster;

namespace PosMonitor.Web.Infrastructure.Data;

public static class DataExtensions
{
    public static IHostApplicationBuilder AddPosMonitorData(this IHostApplicationBuilder builder)
    {
        builder.Services.AddValidatedOptions<DatabaseOptions>(DatabaseOptions.Section);
        builder.Services.AddSingleton<Db>();
        builder.Services.AddSingleton<Migrator>();
        builder.Services.AddHostedService<SqliteCheckpointer>();
        return builder;
    }

    /// <summary>
    /// <c>/healthz</c>: the process runs. <c>/readyz</c>: the database file is the one in use and writable, answers, and is
    /// migrated; on a cluster node also that Redis answers, with a JSON body saying so and whether the node leads detection.
    /// </summary>
    public static IEndpointRouteBuilder MapHealthEndpoints(this IEndpointRouteBuilder app)
    {
        app.MapGet("/healthz", () => TypedResults.Ok(new { status = "ok" })).AllowAnonymous();
        app.MapGet("/readyz", async (Db db, Migrator migrator, DetectionLeadership leadership, IServiceProvider services, CancellationToken ct) =>
        {
            await db.CheckAsync(ct);
            if (db.Problem is { } problem)
                return leadership.Clustered ? ClusterReadiness.Unready(leadership, "unavailable", "not checked", problem)
                    : Results.Problem(title: "Database unavailable", detail: problem, statusCode: StatusCodes.Status503ServiceUnavailable);
            try
            {
                await using var connection = await db.OpenAsync(ct);
            }
            catch (Exception e)
            {
                return leadership.Clustered ? ClusterReadiness.Unready(leadership, "unreachable", "not checked", e.Message)
                    : Results.Problem(title: "Database unreachable", detail: e.Message, statusCode: StatusCodes.Status503ServiceUnavailable);
            }
            return !migrator.IsUpToDate()
                ? Results.Problem(title: "Migrations pending", detail: "Run `PosMonitor.Web migrate` or enable PosMonitor:Database:MigrateOnStartup.",
                    statusCode: StatusCodes.Status503ServiceUnavailable)
                : leadership.Clustered ? await ClusterReadiness.AnswerAsync(services, ct)
                : Results.Ok(new { status = "ready" });
        }).AllowAnonymous();
        return app;
    }
}
