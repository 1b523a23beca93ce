using PosMonitor.Web.Features.Detection;
using StackExchange.Redis;

namespace PosMonitor.Web.Infrastructure.Cluster;

/// <summary>What <c>/readyz</c> adds for a cluster node: whether Redis answers, and whether this node leads detection.</summary>
public static class ClusterReadiness
{
    private static readonly TimeSpan RedisTimeout = TimeSpan.FromSeconds(2);

    /// <summary>The answer for a cluster node whose database answered: 200, or 503 when Redis does not answer.</summary>
    public static async Task<IResult> AnswerAsync(IServiceProvider services, CancellationToken ct)
    {
        var leadership = services.GetRequiredService<DetectionLeadership>();
        string? leader = null;
        try
        {
            leader = (await services.GetRequiredService<ClusterStore>().LeaseAsync(ct)).Holder;
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            return Unready(leadership, "unreachable", "not checked", e.Message);
        }
        var redisProblem = await RedisProblemAsync(services.GetService<IConnectionMultiplexer>(), ct);
        var body = new ClusterReadyAnswer(redisProblem is null ? "ready" : "unready", leadership.NodeName, "reachable",
            redisProblem is null ? "reachable" : "unreachable", leadership.Leads, leader, redisProblem)
        {
            DetectionRanAt = services.GetService<DetectionStatus>()?.RanAt,
        };
        return redisProblem is null ? TypedResults.Ok(body) : TypedResults.Json(body, statusCode: StatusCodes.Status503ServiceUnavailable);
    }

    /// <summary>The answer for a cluster node whose database did not answer (503).</summary>
    public static IResult Unready(DetectionLeadership leadership, string database, string redis, string problem) =>
        TypedResults.Json(new ClusterReadyAnswer("unready", leadership.NodeName, database, redis, leadership.Leads, null, problem),
            statusCode: StatusCodes.Status503ServiceUnavailable);

    private static async Task<string?> RedisProblemAsync(IConnectionMultiplexer? redis, CancellationToken ct)
    {
        if (redis is null) return "no Redis connection is configured";
        try
        {
            await redis.GetDatabase().PingAsync().WaitAsync(RedisTimeout, ct);
            return null;
        }
        catch (Exception e) when (e is not OperationCanceledException || !ct.IsCancellationRequested)
        {
            return $"Redis does not answer: {e.Message}";
        }
    }

    /// <param name="Status">ready or unready.</param>
    /// <param name="Database">reachable or unreachable.</param>
    /// <param name="Redis">reachable, unreachable or not checked.</param>
    /// <param name="LeadsDetection">Whether this node leads detection (and runs the scheduled jobs) now.</param>
    /// <param name="Leader">The node holding the detection lease, as the database says.</param>
    /// <param name="Problem">Why the node is not ready.</param>
    public sealed record ClusterReadyAnswer(string Status, string Node, string Database, string Redis, bool LeadsDetection, string? Leader, string? Problem)
    {
        /// <summary>When this node last finished a detection run: on the leader, a stale time says detection is stuck.</summary>
        public DateTimeOffset? DetectionRanAt { get; init; }
    }
}
