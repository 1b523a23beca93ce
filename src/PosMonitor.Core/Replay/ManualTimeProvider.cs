namespace PosMonitor.Core.Replay;

/// <summary>A clock that only moves when told: the replay's simulated time.</summary>
public sealed class ManualTimeProvider(DateTimeOffset start) : TimeProvider
{
    private DateTimeOffset _now = start;

    public override DateTimeOffset GetUtcNow() => _now;

    /// <summary>Moves the clock to <paramref name="to"/>; time never runs backwards.</summary>
    public void Set(DateTimeOffset to)
    {
        if (to < _now) throw new ArgumentOutOfRangeException(nameof(to), $"{to:O} is before the current time {_now:O}");
        _now = to;
    }
}
