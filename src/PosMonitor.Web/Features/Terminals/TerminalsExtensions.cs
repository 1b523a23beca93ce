namespace PosMonitor.Web.Features.Terminals;

public static class TerminalsExtensions
{
    public static IHostApplicationBuilder AddTerminals(this IHostApplicationBuilder builder)
    {
        builder.Services.AddSingleton<TerminalQueries>();
        return builder;
    }
}
