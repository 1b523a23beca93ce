using Microsoft.Extensions.Options;
using PosMonitor.Core.Simulation;
using PosMonitor.Web.Features.Fleet;
using PosMonitor.Web.Features.Telemetry;

namespace PosMonitor.Web.Features.Demo;

/// <summary>
/// Development demo: registers a simulated fleet and feeds its live traffic (with an ordinary estate's
/// background noise unless <see cref="DemoOptions.Background"/> says otherwise) through the same
/// ingestion queue and writer as the API, once a second, so a new user sees terminals, sales,
/// the heatmap and (when the injected faults start) incidents within minutes.
/// </summary>
public sealed class DemoTrafficService(
    IOptions<DemoOptions> options, FleetRepository fleet, FleetChanges changes, IngestionQueue queue,
    TimeProvider time, ILogger<DemoTrafficService> logger) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var o = options.Value;
        var start = time.GetUtcNow() - TimeSpan.FromMinutes(o.BackfillMinutes);
        LiveSimulation live;
        try
        {
            live = new LiveSimulation(new SimulationOptions
            {
                Terminals = o.Terminals,
                Seed = o.Seed,
                Start = start,
                Duration = null,
                Faults = o.Faults.Select(FaultSpec.Parse).ToList(),
                Decoys = Decoys.HotStores,
                Background = BackgroundNoise.Parse(o.Background),
            });
        }
        catch (Exception e) when (e is ArgumentException or FormatException)
        {
            // A bad demo setting must not take the portal down with it.
            logger.LogError(e, "Demo traffic not started: check {Section}", DemoOptions.Section);
            return;
        }
        using var _ = live;
        await fleet.UpsertAsync(live.Fleet, stoppingToken);
        await changes.NotifyChangedAsync(stoppingToken);
        logger.LogInformation("Demo fleet of {Terminals} terminals registered; live traffic from {Start:u} with faults {Faults} and background {Background}",
            o.Terminals, start, string.Join(", ", o.Faults), live.Simulator.Options.Background);

        using var tick = new PeriodicTimer(TimeSpan.FromSeconds(1), time);
        do
        {
            // Drain what fell due (the backfill arrives over the first ticks), like a TMS posting batches.
            for (var batch = live.TakeDue(time.GetUtcNow()); !batch.IsEmpty && !stoppingToken.IsCancellationRequested; batch = live.TakeDue(time.GetUtcNow()))
            {
                var request = new IngestBatch(batch.Heartbeats, batch.Transactions);
                if (!queue.TryEnqueue(request))
                {
                    await Task.Delay(TimeSpan.FromSeconds(1), time, stoppingToken);
                    continue;
                }
                try
                {
                    await request.Stored.Task.WaitAsync(stoppingToken);
                }
                catch (Exception e) when (e is not OperationCanceledException)
                {
                    logger.LogWarning(e, "Demo batch was not stored");
                }
            }
        }
        while (await tick.WaitForNextTickAsync(stoppingToken));
    }
}
