using System.Globalization;

namespace PosMonitor.Core.Fleet;

/// <summary>"HH:MM-HH:MM" in the merchant's time zone; may pass midnight ("18:00-02:00").</summary>
public readonly record struct OpeningHours(TimeOnly Opens, TimeOnly Closes)
{
    public static bool TryParse(string? text, out OpeningHours hours)
    {
        hours = default;
        if (text is null) return false;
        var parts = text.Split('-');
        if (parts.Length != 2
            || !TimeOnly.TryParseExact(parts[0].Trim(), "HH:mm", CultureInfo.InvariantCulture, DateTimeStyles.None, out var opens)
            || !TimeOnly.TryParseExact(parts[1].Trim(), "HH:mm", CultureInfo.InvariantCulture, DateTimeStyles.None, out var closes)
            || opens == closes)
            return false;
        hours = new OpeningHours(opens, closes);
        return true;
    }

    public bool Contains(TimeOnly local) =>
        Opens < Closes ? local >= Opens && local < Closes : local >= Opens || local < Closes;

    /// <summary>Whether a merchant with these hours (null: always open) trades at <paramref name="utc"/>.</summary>
    public static bool IsOpen(string? openingHours, TimeZoneInfo zone, DateTimeOffset utc)
    {
        if (!TryParse(openingHours, out var hours)) return true;
        var local = TimeZoneInfo.ConvertTime(utc, zone);
        return hours.Contains(TimeOnly.FromDateTime(local.DateTime));
    }
}

public static class TimeZones
{
    public static bool TryFind(string? id, out TimeZoneInfo zone)
    {
        zone = TimeZoneInfo.Utc;
        if (string.IsNullOrEmpty(id)) return true;
        try
        {
            zone = TimeZoneInfo.FindSystemTimeZoneById(id);
            return true;
        }
        catch (Exception e) when (e is TimeZoneNotFoundException or InvalidTimeZoneException)
        {
            return false;
        }
    }

    public static TimeZoneInfo FindOrUtc(string? id) => TryFind(id, out var zone) ? zone : TimeZoneInfo.Utc;
}
