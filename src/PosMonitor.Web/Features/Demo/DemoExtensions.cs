namespace PosMonitor.Web.Features.Demo;

public static class DemoExtensions
{
    public static IHostApplicationBuilder AddDemo(this IHostApplicationBuilder builder)
    {
        builder.Services.Configure<DemoOptions>(builder.Configuration.GetSection(DemoOptions.Section));
        if (builder.Configuration.GetValue<bool>($"{DemoOptions.Section}:Enabled"))
            builder.Services.AddHostedService<DemoTrafficService>();
        return builder;
    }
}
