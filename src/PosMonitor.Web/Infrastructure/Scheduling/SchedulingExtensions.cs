using Quartz;

namespace PosMonitor.Web.Infrastructure.Scheduling;

public static class SchedulingExtensions
{
    public static IHostApplicationBuilder AddScheduling(this IHostApplicationBuilder builder)
    {
        builder.Services.AddHostedService<QuartzLogging>();
        builder.Services.AddQuartz();
        builder.Services.AddQuartzHostedService(o => o.WaitForJobsToComplete = true);
        return builder;
    }

    /// <summary>
    /// Runs <typeparamref name="TJob"/> every <paramref name="interval"/>. A run missed while the
    /// process was busy or down is not replayed in a burst: the next one simply comes on time.
    /// </summary>
    public static IServiceCollection AddJob<TJob>(this IServiceCollection services, TimeSpan interval, TimeSpan? firstRunAfter = null)
        where TJob : IJob
    {
        var key = new JobKey(typeof(TJob).Name);
        // AddQuartz is additive: each feature registers its own jobs.
        services.AddQuartz(q =>
        {
            q.AddJob<TJob>(j => j.WithIdentity(key));
            q.AddTrigger(t => t
                .ForJob(key)
                .WithIdentity(typeof(TJob).Name + "-trigger")
                .StartAt(DateTimeOffset.UtcNow + (firstRunAfter ?? interval))
                .WithSimpleSchedule(s => s.WithInterval(interval).RepeatForever().WithMisfireHandlingInstructionNextWithRemainingCount()));
        });
        return services;
    }
}
