namespace PosMonitor.Web.Features.Notifications;

public enum ChannelKind { Webhook, DingTalk, WeCom, Slack, Email }

public enum SmtpSecurity { Auto, None, StartTls, SslOnConnect }

/// <summary>Settings under <c>PosMonitor:Notifications</c>.</summary>
public sealed class NotificationOptions
{
    public const string Section = "PosMonitor:Notifications";

    public List<NotificationChannelOptions> Channels { get; set; } = [];

    /// <summary>Delay after the first failure; doubled after each further one.</summary>
    public int RetryBaseSeconds { get; set; } = 10;

    /// <summary>Longest delay between two attempts.</summary>
    public int RetryMaxSeconds { get; set; } = 3600;

    /// <summary>After this many failed attempts a notification is abandoned (still listed, can be retried by hand).</summary>
    public int MaxAttempts { get; set; } = 15;

    /// <summary>How long one delivery may take before it counts as failed.</summary>
    public int TimeoutSeconds { get; set; } = 10;

    /// <summary>How often DeliverNotificationsJob looks for due notifications.</summary>
    public int PollSeconds { get; set; } = 3;

    /// <summary>Notifications delivered at the same time (different receivers never wait on each other).</summary>
    public int Parallelism { get; set; } = 4;

    /// <summary>The portal's public address, for links in messages (e.g. https://posmonitor.example.com); none when empty.</summary>
    public string? PortalUrl { get; set; }

    /// <summary>Language of messages to escalation contacts (who have no channel settings of their own): en or zh-CN.</summary>
    public string ContactLanguage { get; set; } = "zh-CN";
}

/// <summary>One receiver of incident notifications.</summary>
public sealed class NotificationChannelOptions
{
    public string Name { get; set; } = "";
    public ChannelKind Kind { get; set; } = ChannelKind.Webhook;

    /// <summary>Webhook or chat robot address (not used by e-mail).</summary>
    public string? Url { get; set; }

    /// <summary>Webhook: HMAC-SHA256 key of X-PosMonitor-Signature. DingTalk: the robot's signing secret (加签).</summary>
    public string? Secret { get; set; }

    /// <summary>Language of the message text: en or zh-CN.</summary>
    public string Language { get; set; } = "en";

    /// <summary>Events sent to this channel (incident.opened, incident.escalated, incident.resolved); all when empty.</summary>
    public List<string> Events { get; set; } = [];

    /// <summary>Only incidents of these severities (critical, major, minor); all when empty.</summary>
    public List<string> Severities { get; set; } = [];

    public SmtpChannelOptions? Smtp { get; set; }

    public bool Wants(NotificationMessage m) =>
        (Events.Count == 0 || Events.Contains(m.Event, StringComparer.OrdinalIgnoreCase))
        && (Severities.Count == 0 || m.Severity is null || Severities.Contains(m.Severity, StringComparer.OrdinalIgnoreCase));
}

public sealed class SmtpChannelOptions
{
    public string Host { get; set; } = "";
    public int Port { get; set; } = 587;
    public SmtpSecurity Security { get; set; } = SmtpSecurity.Auto;
    public string? User { get; set; }
    public string? Password { get; set; }
    public string From { get; set; } = "posmonitor@localhost";
    public List<string> To { get; set; } = [];
}
