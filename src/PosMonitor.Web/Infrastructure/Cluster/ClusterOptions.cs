using System.ComponentModel.DataAnnotations;

namespace PosMonitor.Web.Infrastructure.Cluster;

/// <summary>
/// Settings under <c>PosMonitor:Cluster</c>: several portal nodes on one database, sharing what must be fast through Redis.
/// Off by default: a single node keeps everything in its own process, exactly as without this section.
/// </summary>
public sealed class ClusterOptions : IValidatableObject
{
    public const string Section = "PosMonitor:Cluster";

    /// <summary>Run as one node of several: feeds, hub, data-protection keys, key revocation and rate limits go through Redis; detection is led by one node.</summary>
    public bool Enabled { get; set; }

    /// <summary>This node's name, unique in the cluster (shown on the Nodes page and in /readyz). Default: the machine name and process id.</summary>
    public string? NodeName { get; set; }

    /// <summary>StackExchange.Redis configuration string, e.g. <c>redis-1:6379,redis-2:6379,password=…,ssl=true</c>. Required when enabled.</summary>
    public string? Redis { get; set; }

    /// <summary>Prefix of every Redis key and channel, so several PosMonitor clusters can share one Redis.</summary>
    [RegularExpression("^[A-Za-z0-9:_-]{1,40}$", ErrorMessage = "use 1–40 letters, digits, ':', '_' or '-'")]
    public string KeyPrefix { get; set; } = "posmonitor";

    /// <summary>How long the detection leader's lease lasts without renewal; another node takes over when it lapses.</summary>
    [Range(typeof(TimeSpan), "00:00:05", "00:05:00", ErrorMessage = "must be between 5 s and 5 min")]
    public TimeSpan LeaseDuration { get; set; } = TimeSpan.FromSeconds(20);

    /// <summary>How often each node renews its heartbeat (and the leader its lease); must be well under LeaseDuration.</summary>
    [Range(typeof(TimeSpan), "00:00:01", "00:01:00", ErrorMessage = "must be between 1 s and 1 min")]
    public TimeSpan HeartbeatInterval { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>The name this node goes by.</summary>
    public string ResolvedNodeName => string.IsNullOrWhiteSpace(NodeName) ? $"{Environment.MachineName}-{Environment.ProcessId}" : NodeName;

    public IEnumerable<ValidationResult> Validate(ValidationContext context)
    {
        if (Enabled && string.IsNullOrWhiteSpace(Redis))
            yield return new ValidationResult($"{Section}:Redis is required when {Section}:Enabled is true (a StackExchange.Redis configuration such as localhost:6379)", [nameof(Redis)]);
        if (HeartbeatInterval * 3 > LeaseDuration)
            yield return new ValidationResult($"{Section}:HeartbeatInterval ({HeartbeatInterval}) must be at most a third of LeaseDuration ({LeaseDuration}), so a lease is renewed before it lapses", [nameof(HeartbeatInterval)]);
    }
}
