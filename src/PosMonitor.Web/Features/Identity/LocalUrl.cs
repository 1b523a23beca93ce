namespace PosMonitor.Web.Features.Identity;

/// <summary>Return URLs after sign-in: only paths on this site, so a crafted link cannot send people elsewhere.</summary>
public static class LocalUrl
{
    public static bool IsLocal(string? url) =>
        url is { Length: > 0 } && url[0] == '/' && (url.Length == 1 || (url[1] != '/' && url[1] != '\\'));

    public static string OrHome(string? url) => IsLocal(url) ? url! : "/";
}
