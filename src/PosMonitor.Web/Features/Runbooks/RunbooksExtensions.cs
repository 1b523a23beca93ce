namespace PosMonitor.Web.Features.Runbooks;

public static class RunbooksExtensions
{
    public static IHostApplicationBuilder AddRunbooks(this IHostApplicationBuilder builder)
    {
        builder.Services.AddSingleton<RunbookRepository>();
        builder.Services.AddSingleton<RunbookMarkdown>();
        builder.Services.AddHostedService<RunbookSeeder>();
        return builder;
    }
}
