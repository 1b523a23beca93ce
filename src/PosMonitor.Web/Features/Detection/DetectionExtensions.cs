using PosMonitor.Core.Detection;
using PosMonitor.Web.Infrastructure.Scheduling;

namespace PosMonitor.Web.Features.Detection;

/// <summary>Host-side detection settings, read from the same section as <see cref="DetectionSettings"/>.</summary>
public sealed class DetectionHostOptions
{
    /// <summary>Whether this instance runs the detection job (with several web instances, exactly one should).</summary>
    public bool Enabled { get; set; } = true;

    /// <summary>How often the learned baselines are saved (and at shutdown), so a restart does not relearn.</summary>
    public TimeSpan BaselineSaveInterval { get; set; } = TimeSpan.FromMinutes(5);
}

public static class DetectionExtensions
{
    /// <summary>
    /// Binds and validates <c>PosMonitor:Detection</c> now, so a bad setting stops start-up with a
    /// message naming it instead of surfacing later as a job that never runs.
    /// </summary>
    public static IHostApplicationBuilder AddDetection(this IHostApplicationBuilder builder)
    {
        var section = builder.Configuration.GetSection(DetectionSettings.SectionName);
        DetectionSettings settings;
        DetectionHostOptions options;
        try
        {
            settings = section.Get<DetectionSettings>() ?? new DetectionSettings();
            options = section.Get<DetectionHostOptions>() ?? new DetectionHostOptions();
        }
        catch (InvalidOperationException e)
        {
            throw new InvalidOperationException($"{DetectionSettings.SectionName} cannot be read: {e.Message} (times are \"hh:mm:ss\")", e);
        }
        var problems = settings.Validate().ToList();
        if (options.BaselineSaveInterval <= TimeSpan.Zero) problems.Add("BaselineSaveInterval must be positive");
        if (problems.Count > 0)
            throw new InvalidOperationException($"{DetectionSettings.SectionName} is invalid: {string.Join("; ", problems)}");

        var services = builder.Services;
        services.AddSingleton(settings);
        services.AddSingleton(options);
        services.AddSingleton<DetectionQueries>();
        services.AddSingleton<MaintenanceWindowRepository>();
        services.AddScoped<MaintenanceAdministration>();
        services.AddSingleton<DetectionRunner>();
        services.AddSingleton<Incidents.IIncidentWatch>(sp => sp.GetRequiredService<DetectionRunner>());
        services.AddSingleton<DetectionStatus>();
        // Forgets minutes past the lookback by the clock too: a node that does not lead detection never asks for them.
        services.AddSingleton(sp => new LiveMinuteWindow(sp.GetRequiredService<TimeProvider>(), settings.Lookback + TimeSpan.FromMinutes(2)));
        services.AddHostedService<LiveMinuteWindowStartup>();
        if (options.Enabled)
        {
            services.AddJob<DetectIncidentsJob>(settings.Interval);
            services.AddHostedService<SaveBaselinesOnShutdown>();
        }
        return builder;
    }
}
