using Microsoft.Extensions.Options;

namespace PosMonitor.Web.Infrastructure.Cluster;

/// <summary>
/// Whether this node leads detection (and the jobs that must run once cluster-wide), and in which term.
/// A single node (cluster off) always leads, in term 0, which no write has to prove. A cluster node leads
/// while its last successful acquire or renewal of the database lease has not run out on its own clock,
/// measured from before that call: it stops leading before the lease can lapse in the database.
/// </summary>
public sealed class DetectionLeadership(IOptions<ClusterOptions> options, TimeProvider time)
{
    private readonly Lock _gate = new();
    private readonly ClusterOptions _options = options.Value;
    private long _token;
    private long _validUntil; // TimeProvider timestamp

    public bool Clustered => _options.Enabled;

    public string NodeName { get; } = options.Value.ResolvedNodeName;

    /// <summary>The term this node leads now, or null when another node leads (or no lease is held).</summary>
    public LeaseFence? Current
    {
        get
        {
            if (!_options.Enabled) return new LeaseFence(NodeName, 0);
            lock (_gate) return _token > 0 && time.GetTimestamp() < _validUntil ? new LeaseFence(NodeName, _token) : null;
        }
    }

    public bool Leads => Current is not null;

    /// <summary>Raised (on the heartbeat's thread) when this node starts or stops leading.</summary>
    public event Action<bool>? Changed;

    /// <summary>Records a lease acquired or renewed for <paramref name="token"/> by a call that started at <paramref name="calledAt"/>.</summary>
    internal void Held(long token, long calledAt)
    {
        var before = Leads;
        lock (_gate)
        {
            _token = token;
            _validUntil = calledAt + (long)(_options.LeaseDuration.TotalSeconds * time.TimestampFrequency);
        }
        if (!before) Changed?.Invoke(true);
    }

    /// <summary>Records that another node holds the lease (or this node gave it up).</summary>
    internal void NotHeld()
    {
        var before = Leads;
        lock (_gate) _token = 0;
        if (before) Changed?.Invoke(false);
    }
}
