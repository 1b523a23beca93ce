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

    /// <summary><c>/healthz</c>: the process runs. <c>/readyz</c>: the database file is the one in use and writable, answers, and is migrated.</summary>
    public static IEndpointRouteBuilder MapHealthEndpoints(this IEndpointRouteBuilder app)
    {
        app.MapGet("/healthz", () => TypedResults.Ok(new { status = "ok" })).AllowAnonymous();
        app.MapGet("/readyz", async (Db db, Migrator migrator, CancellationToken ct) =>
        {
            await db.CheckAsync(ct);
            if (db.Problem is { } problem)
                return Results.Problem(title: "Database unavailable", detail: problem, statusCode: StatusCodes.Status503ServiceUnavailable);
            try
            {
                await using var connection = await db.OpenAsync(ct);
            }
            catch (Exception e)
            {
                return Results.Problem(title: "Database unreachable", detail: e.Message, statusCode: StatusCodes.Status503ServiceUnavailable);
            }
            return migrator.IsUpToDate()
                ? Results.Ok(new { status = "ready" })
                : Results.Problem(title: "Migrations pending", detail: "Run `PosMonitor.Web migrate` or enable PosMonitor:Database:MigrateOnStartup.",
                    statusCode: StatusCodes.Status503ServiceUnavailable);
        }).AllowAnonymous();
        return app;
    }
}
