namespace PosMonitor.Web.Features.Identity;

/// <summary>Return URLs after sign-in: only paths on this site, so a crafted link cannot send people elsewhere.</summary>
public static class LocalUrl
{
    /// <summary>
    /// A path on this site: "/" then not another slash or a backslash (browsers read both as the start of a host), and
    /// no control character (browsers drop tabs and newlines, so "/\t/evil.com" would become "//evil.com"). The same
    /// rule as ASP.NET Core's <c>IsLocalUrl</c>, so <c>LocalRedirect</c> never refuses what passes here.
    /// </summary>
    public static bool IsLocal(string? url) =>
        url is { Length: > 0 } && url[0] == '/' && (url.Length == 1 || (url[1] != '/' && url[1] != '\\')) && !url.Any(char.IsControl);

    public static string OrHome(string? url) => IsLocal(url) ? url! : "/";
}
