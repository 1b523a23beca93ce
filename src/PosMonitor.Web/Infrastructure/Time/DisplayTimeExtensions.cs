namespace PosMonitor.Web.Infrastructure.Time;

public static class DisplayTimeExtensions
{
    /// <summary>The zone every page shows times in (<see cref="DisplayTimeOptions"/>) and the <see cref="DisplayTime"/> of each page's reader.</summary>
    public static IHostApplicationBuilder AddDisplayTime(this IHostApplicationBuilder builder)
    {
        builder.Services.AddValidatedOptions<DisplayTimeOptions>(DisplayTimeOptions.Section)
            .Configure<IConfiguration>((o, configuration) => o.HeatmapTimeZone = configuration[DisplayTimeOptions.HeatmapKey]);
        builder.Services.AddScoped(DisplayTime.ForReader);
        return builder;
    }
}
