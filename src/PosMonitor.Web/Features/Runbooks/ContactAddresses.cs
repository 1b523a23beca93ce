using System.Text.RegularExpressions;

namespace PosMonitor.Web.Features.Runbooks;

/// <summary>
/// A chat webhook's address is its secret: Slack's carries the token in its path, DingTalk's and WeCom's in the query.
/// Pages and timeline notes show only where it posts (the host); the runbook editor, for admins, holds the whole address.
/// </summary>
public static partial class ContactAddresses
{
    public static string Shown(ContactChannel channel, string address) => channel == ContactChannel.ChatWebhook ? Host(address) : address;

    /// <summary>Every web address in <paramref name="text"/> cut to its host (escalation notes written before they were).</summary>
    public static string HideWebhooks(string text) => Url().Replace(text, m => Host(m.Value));

    private static string Host(string address) =>
        Uri.TryCreate(address, UriKind.Absolute, out var uri) && (uri.PathAndQuery.Length > 1 || uri.Fragment.Length > 0)
            ? $"{uri.Host}/…"
            : address;

    [GeneratedRegex(@"https?://[^\s<>,]+", RegexOptions.IgnoreCase)]
    private static partial Regex Url();
}
