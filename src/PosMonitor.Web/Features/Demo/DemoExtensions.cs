using PosMonitor.Web.Infrastructure;

namespace PosMonitor.Web.Features.Demo;

public static class DemoExtensions
{
    public static IHostApplicationBuilder AddDemo(this IHostApplicationBuilder builder)
    {
        var faults = builder.Configuration.GetSection($"{DemoOptions.Section}:{nameof(DemoOptions.Faults)}");
        builder.Services.AddValidatedOptions<DemoOptions>(DemoOptions.Section)
            .PostConfigure(o => { if (!faults.Exists()) o.Faults = [.. DemoOptions.DefaultFaults]; });
        if (builder.Configuration.GetValue<bool>($"{DemoOptions.Section}:Enabled"))
            builder.Services.AddHostedService<DemoTrafficService>();
        return builder;
    }
}
