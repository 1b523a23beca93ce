namespace PosMonitor.Web.Features.Operations;

public static class OperationsExtensions
{
    public static IHostApplicationBuilder AddOperations(this IHostApplicationBuilder builder)
    {
        builder.Services.AddSingleton<OperationsFigures>();
        builder.Services.AddScoped<OpenIncidentBoard>();
        return builder;
    }
}
