namespace PosMonitor.Web.Features.Detection;

/// <summary>
/// What the pages say about detection itself: after a start without saved normals it only learns for a
/// while (<see cref="Core.Detection.DetectionSettings.WarmUp"/>), and a dashboard showing timeouts but no
/// incident must say why. Written by <see cref="DetectionRunner"/> after each run, read by any circuit.
/// </summary>
public sealed class DetectionStatus
{
    // Ticks of the instant, 0 when not learning (or not run yet): one field, so readers never see half a value.
    private long _learningUntil;

    public DateTimeOffset? LearningUntil
    {
        get => Interlocked.Read(ref _learningUntil) is var t and not 0 ? new DateTimeOffset(t, TimeSpan.Zero) : null;
        set => Interlocked.Exchange(ref _learningUntil, value?.UtcTicks ?? 0);
    }

    private long _ranAt;

    /// <summary>When this node last finished a detection run (null before its first, or on a node that does not lead).</summary>
    public DateTimeOffset? RanAt
    {
        get => Interlocked.Read(ref _ranAt) is var t and not 0 ? new DateTimeOffset(t, TimeSpan.Zero) : null;
        set => Interlocked.Exchange(ref _ranAt, value?.UtcTicks ?? 0);
    }

    /// <summary>The end of learning, when it is still ahead of <paramref name="now"/>.</summary>
    public DateTimeOffset? LearningAt(DateTimeOffset now) => LearningUntil is { } until && until > now ? until : null;
}
