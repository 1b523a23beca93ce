using System.ComponentModel.DataAnnotations;

namespace PosMonitor.Web.Infrastructure.Time;

/// <summary>Settings under <c>PosMonitor:DisplayTime</c>: the zone staff pages and walls show times in.</summary>
public sealed class DisplayTimeOptions : IValidatableObject
{
    public const string Section = "PosMonitor:DisplayTime";

    /// <summary>Where the zone was set before it had a section of its own; still read when <see cref="TimeZone"/> is not set.</summary>
    public const string HeatmapKey = "PosMonitor:Heatmap:DisplayTimeZone";

    /// <summary>IANA zone of times on staff pages and walls (merchant owners see their shop's zone; the API always speaks UTC).</summary>
    public string? TimeZone { get; set; }

    /// <summary>The value of <see cref="HeatmapKey"/>, for deployments configured before this section existed.</summary>
    internal string? HeatmapTimeZone { get; set; }

    /// <summary>The zone in force, by its IANA name: this section's, else the heatmap's old key, else UTC.</summary>
    public string ZoneId => TimeZone ?? HeatmapTimeZone ?? "UTC";

    public TimeZoneInfo Zone() => TimeZoneInfo.TryFindSystemTimeZoneById(ZoneId, out var zone) ? zone : TimeZoneInfo.Utc;

    public IEnumerable<ValidationResult> Validate(ValidationContext context)
    {
        const string Problem = "is not a time zone this server knows: use an IANA name such as Asia/Shanghai or UTC";
        if (TimeZone is not null)
        {
            if (!TimeZoneInfo.TryFindSystemTimeZoneById(TimeZone, out _)) yield return new(Problem, [nameof(TimeZone)]);
        }
        else if (HeatmapTimeZone is not null && !TimeZoneInfo.TryFindSystemTimeZoneById(HeatmapTimeZone, out _))
        {
            yield return new($"{HeatmapKey} is \"{HeatmapTimeZone}\": {Problem}");
        }
    }
}
