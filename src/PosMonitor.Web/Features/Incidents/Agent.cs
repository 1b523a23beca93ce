using Microsoft.AspNetCore.Components.Authorization;
using Microsoft.Extensions.Localization;

namespace PosMonitor.Web.Features.Incidents;

/// <summary>Who is acting on a page: the signed-in user's name, or "agent" while the portal has no sign-in.</summary>
public static class Agent
{
    public const string Anonymous = "agent";

    public static async Task<string> NameAsync(AuthenticationStateProvider authentication)
    {
        var state = await authentication.GetAuthenticationStateAsync();
        return state.User.Identity is { IsAuthenticated: true, Name: { Length: > 0 } name } ? name : Anonymous;
    }
}

/// <summary>Durations as agents read them, in their language: 4 min, 1 h 05 min, 2 d 3 h (4 分钟, 1 小时 05 分钟).</summary>
public static class Durations
{
    public static string Short(TimeSpan t, IStringLocalizer<IncidentStrings> l)
    {
        t = t.Duration();
        if (t.TotalMinutes < 1) return l["Duration_s", t.Seconds];
        if (t.TotalHours < 1) return l["Duration_min", (int)t.TotalMinutes];
        if (t.TotalDays < 1) return l["Duration_h_min", (int)t.TotalHours, t.Minutes.ToString("00", System.Globalization.CultureInfo.InvariantCulture)];
        return l["Duration_d_h", (int)t.TotalDays, t.Hours];
    }
}
