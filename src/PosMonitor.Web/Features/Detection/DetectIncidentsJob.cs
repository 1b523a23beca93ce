using Quartz;

namespace PosMonitor.Web.Features.Detection;

/// <summary>Runs detection every <c>PosMonitor:Detection:Interval</c>; a failed run is logged and the next one comes on time.</summary>
[DisallowConcurrentExecution]
public sealed class DetectIncidentsJob(DetectionRunner runner, ILogger<DetectIncidentsJob> logger) : IJob
{
    public async Task Execute(IJobExecutionContext context)
    {
        try
        {
            await runner.RunAsync(context.CancellationToken);
        }
        catch (OperationCanceledException) when (context.CancellationToken.IsCancellationRequested)
        {
            // Shutting down.
        }
        catch (Exception e)
        {
            logger.LogError(e, "Detection run failed; the next one runs on schedule");
        }
    }
}
