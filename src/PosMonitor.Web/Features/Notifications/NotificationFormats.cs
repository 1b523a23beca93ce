using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.Extensions.Localization;
using PosMonitor.Web.Features.Incidents;
using PosMonitor.Web.Features.Runbooks;
using PosMonitor.Web.Infrastructure.Localization;

namespace PosMonitor.Web.Features.Notifications;

/// <summary>A message as people read it: a headline and labelled lines, in one language.</summary>
public sealed record NotificationText(string Headline, IReadOnlyList<(string Label, string Value)> Lines, string? Link);

/// <summary>
/// Turns a <see cref="NotificationMessage"/> into each receiver's format: the generic webhook's JSON
/// (signed), DingTalk and WeCom robot markdown, Slack text + blocks, and e-mail subject and body.
/// </summary>
public sealed class NotificationFormats(IStringLocalizer<NotificationStrings> l, IStringLocalizer<RunbookStrings> rb, IncidentTitleText titles, CountText counts)
{
    public const string SignatureHeader = "X-PosMonitor-Signature";

    /// <summary><c>sha256=&lt;hex HMAC-SHA256 of the body with the secret&gt;</c>.</summary>
    public static string Signature(string secret, byte[] body) =>
        "sha256=" + Convert.ToHexStringLower(HMACSHA256.HashData(Encoding.UTF8.GetBytes(secret), body));

    /// <summary>DingTalk's signed robot URL (加签): timestamp and Base64 HMAC-SHA256 of "timestamp\nsecret".</summary>
    public static string DingTalkSignedUrl(string url, string secret, DateTimeOffset now)
    {
        var timestamp = now.ToUnixTimeMilliseconds().ToString(CultureInfo.InvariantCulture);
        var sign = Convert.ToBase64String(HMACSHA256.HashData(Encoding.UTF8.GetBytes(secret), Encoding.UTF8.GetBytes($"{timestamp}\n{secret}")));
        return $"{url}{(url.Contains('?') ? '&' : '?')}timestamp={timestamp}&sign={Uri.EscapeDataString(sign)}";
    }

    /// <summary>The generic webhook body: the message itself, with an id receivers can de-duplicate on.</summary>
    public static byte[] WebhookBody(long deliveryId, NotificationMessage m) =>
        JsonSerializer.SerializeToUtf8Bytes(new { id = deliveryId, @event = m.Event, occurredAt = m.OccurredAt, incident = m }, NotificationOutbox.Json);

    public NotificationText Text(NotificationMessage m, string language, string? portalUrl)
    {
        using var _ = new UiCulture(language);
        var title = titles.For(m.Title);
        var headline = m.Event switch
        {
            NotificationEvents.Opened => l["Headline_opened", title],
            NotificationEvents.Resolved => l["Headline_resolved", title],
            NotificationEvents.Reopened => l["Headline_reopened", title],
            NotificationEvents.Escalated => l["Headline_escalated", m.Level ?? 1, title],
            _ => l["Headline_test", title],
        };
        var lines = new List<(string, string)>();
        if (m.IncidentId is not null) lines.Add((l["Incident"], m.IncidentId));
        if (m.Severity is not null) lines.Add((l["Severity"], rb[$"Severity_{m.Severity}"]));
        if (m.Cause is not null) lines.Add((l["Cause"], rb[$"Cause_{m.Cause}"]));
        if (m.ScopeType is not null) lines.Add((l["Scope"], $"{l[$"Scope_{m.ScopeType}"]} {m.ScopeId}"));
        if (m.IncidentId is not null) lines.Add((l["Affected"], l["AffectedValue", counts.Merchants(m.AffectedMerchants), counts.Terminals(m.AffectedTerminals)]));
        if (m.PeakRate is { } rate and > 0) lines.Add((l["PeakRate"], rate.ToString("P0", CultureInfo.CurrentCulture)));
        if (m.OpenedAt is { } opened) lines.Add((l["OpenedAt"], opened.ToString("yyyy-MM-dd HH:mm 'UTC'", CultureInfo.InvariantCulture)));
        if (m.ResolvedAt is { } resolved) lines.Add((l["ResolvedAt"], resolved.ToString("yyyy-MM-dd HH:mm 'UTC'", CultureInfo.InvariantCulture)));
        if (m.RunbookId is not null) lines.Add((l["Runbook"], m.RunbookId));
        if (!string.IsNullOrWhiteSpace(m.Note)) lines.Add((l["Note"], m.Note));
        var link = string.IsNullOrWhiteSpace(portalUrl) || m.IncidentId is null ? null : $"{portalUrl.TrimEnd('/')}/incidents/{m.IncidentId}";
        return new NotificationText(headline, lines, link);
    }

    public byte[] DingTalk(NotificationText t) => Serialize(new JsonObject
    {
        ["msgtype"] = "markdown",
        ["markdown"] = new JsonObject { ["title"] = t.Headline, ["text"] = Markdown(t, "### ") },
    });

    public byte[] WeCom(NotificationText t) => Serialize(new JsonObject
    {
        ["msgtype"] = "markdown",
        ["markdown"] = new JsonObject { ["content"] = Markdown(t, "### ") },
    });

    public byte[] Slack(NotificationText t)
    {
        var fields = string.Join("\n", t.Lines.Select(x => $"*{x.Label}:* {SlackEscape(x.Value)}"));
        var blocks = new JsonArray
        {
            new JsonObject { ["type"] = "header", ["text"] = new JsonObject { ["type"] = "plain_text", ["text"] = Truncate(t.Headline, 150) } },
            new JsonObject { ["type"] = "section", ["text"] = new JsonObject { ["type"] = "mrkdwn", ["text"] = fields } },
        };
        if (t.Link is not null)
            blocks.Add(new JsonObject { ["type"] = "section", ["text"] = new JsonObject { ["type"] = "mrkdwn", ["text"] = $"<{t.Link}|{SlackEscape(l["Open"])}>" } });
        return Serialize(new JsonObject { ["text"] = t.Headline, ["blocks"] = blocks });
    }

    public (string Subject, string Body) Email(NotificationText t)
    {
        var body = new StringBuilder().AppendLine(t.Headline).AppendLine();
        foreach (var (label, value) in t.Lines) body.Append(label).Append(": ").AppendLine(value);
        if (t.Link is not null) body.AppendLine().AppendLine(t.Link);
        return ($"[PosMonitor] {t.Headline}", body.ToString());
    }

    private string Markdown(NotificationText t, string heading)
    {
        var sb = new StringBuilder().Append(heading).AppendLine(t.Headline);
        foreach (var (label, value) in t.Lines) sb.Append("- **").Append(label).Append("**: ").AppendLine(value);
        if (t.Link is not null) sb.AppendLine().Append('[').Append(l["Open"].Value).Append("](").Append(t.Link).AppendLine(")");
        return sb.ToString();
    }

    private static string SlackEscape(string s) => s.Replace("&", "&amp;").Replace("<", "&lt;").Replace(">", "&gt;");

    private static string Truncate(string s, int max) => s.Length <= max ? s : s[..(max - 1)] + "…";

    private static byte[] Serialize(JsonNode node) => Encoding.UTF8.GetBytes(node.ToJsonString());

    /// <summary>Switches the UI culture for the localizers while one message is formatted.</summary>
    private readonly struct UiCulture : IDisposable
    {
        private readonly CultureInfo _previous;

        public UiCulture(string name)
        {
            _previous = CultureInfo.CurrentUICulture;
            CultureInfo.CurrentUICulture = CultureInfo.GetCultureInfo(name.StartsWith("zh", StringComparison.OrdinalIgnoreCase) ? "zh-CN" : "en");
        }

        public void Dispose() => CultureInfo.CurrentUICulture = _previous;
    }
}
