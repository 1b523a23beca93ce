using System.Globalization;

namespace PosMonitor.Core.Detection;

/// <summary>Hands out incident ids; the live host continues its sequence from the database.</summary>
public interface IIncidentIdGenerator
{
    string NextId();
}

/// <summary>Ids "inc-000001", "inc-000002", … starting after <paramref name="lastIssued"/>.</summary>
public sealed class SequentialIncidentIdGenerator(long lastIssued = 0) : IIncidentIdGenerator
{
    private long _last = lastIssued;

    public string NextId() => Format(Interlocked.Increment(ref _last));

    public static string Format(long n) => "inc-" + n.ToString("D6", CultureInfo.InvariantCulture);

    /// <summary>The number inside an id made by <see cref="Format"/>, or null for other ids.</summary>
    public static long? Parse(string id) =>
        id.StartsWith("inc-", StringComparison.Ordinal)
        && long.TryParse(id.AsSpan(4), NumberStyles.None, CultureInfo.InvariantCulture, out var n) ? n : null;
}
