using Microsoft.AspNetCore.Components.Authorization;

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

/// <summary>Durations as agents read them: 4 min, 1 h 05 min, 2 d 3 h.</summary>
public static class Durations
{
    public static string Short(TimeSpan t)
    {
        t = t.Duration();
        if (t.TotalMinutes < 1) return $"{t.Seconds} s";
        if (t.TotalHours < 1) return $"{(int)t.TotalMinutes} min";
        if (t.TotalDays < 1) return $"{(int)t.TotalHours} h {t.Minutes:00} min";
        return $"{(int)t.TotalDays} d {t.Hours} h";
    }
}
