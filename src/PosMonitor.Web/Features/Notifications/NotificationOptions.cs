using System.ComponentModel.DataAnnotations;
using PosMonitor.Web.Infrastructure.Localization;

namespace PosMonitor.Web.Features.Notifications;

public enum ChannelKind { Webhook, DingTalk, WeCom, Slack, Email }

public enum SmtpSecurity { Auto, None, StartTls, SslOnConnect }

/// <summary>Settings under <c>PosMonitor:Notifications</c>.</summary>
public sealed class NotificationOptions : IValidatableObject
{
    public const string Section = "PosMonitor:Notifications";

    public List<NotificationChannelOptions> Channels { get; set; } = [];

    /// <summary>Delay after the first failure; doubled after each further one.</summary>
    [Range(1, 86_400)]
    public int RetryBaseSeconds { get; set; } = 10;

    /// <summary>Longest delay between two attempts.</summary>
    [Range(1, 604_800)]
    public int RetryMaxSeconds { get; set; } = 3600;

    /// <summary>After this many failed attempts a notification is abandoned (still listed, can be retried by hand).</summary>
    [Range(1, 1000)]
    public int MaxAttempts { get; set; } = 15;

    /// <summary>How long one delivery may take before it counts as failed.</summary>
    [Range(1, 300)]
    public int TimeoutSeconds { get; set; } = 10;

    /// <summary>How often DeliverNotificationsJob looks for due notifications.</summary>
    [Range(1, 3600)]
    public int PollSeconds { get; set; } = 3;

    /// <summary>Notifications delivered at the same time (different receivers never wait on each other).</summary>
    [Range(1, 64)]
    public int Parallelism { get; set; } = 4;

    /// <summary>The portal's public address, for links in messages (e.g. https://posmonitor.example.com); none when empty.</summary>
    public string? PortalUrl { get; set; }

    /// <summary>Language of messages to escalation contacts (who have no channel settings of their own): en or zh-CN.</summary>
    public string ContactLanguage { get; set; } = "zh-CN";

    public IEnumerable<ValidationResult> Validate(ValidationContext context)
    {
        if (RetryMaxSeconds < RetryBaseSeconds)
            yield return new ValidationResult($"must be at least RetryBaseSeconds ({RetryBaseSeconds})", [nameof(RetryMaxSeconds)]);
        if (!string.IsNullOrEmpty(PortalUrl) && !NotificationChannelOptions.IsWebAddress(PortalUrl))
            yield return new ValidationResult("must be an absolute http(s) address such as https://posmonitor.example.com", [nameof(PortalUrl)]);
        if (!LocalizationExtensions.Cultures.Contains(ContactLanguage))
            yield return new ValidationResult($"must be one of {string.Join(", ", LocalizationExtensions.Cultures)}", [nameof(ContactLanguage)]);
        foreach (var name in Channels.GroupBy(c => c.Name, StringComparer.OrdinalIgnoreCase).Where(g => g.Count() > 1).Select(g => g.Key))
            yield return new ValidationResult($"{Section}:Channels: the name \"{name}\" is used by more than one channel (names tell deliveries apart)");
    }
}

/// <summary>One receiver of incident notifications; checked at start-up, so a channel that cannot deliver stops the start instead of failing every retry.</summary>
public sealed class NotificationChannelOptions : IValidatableObject
{
    [Required(ErrorMessage = "a channel needs a name")]
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

    public IEnumerable<ValidationResult> Validate(ValidationContext context)
    {
        if (Kind != ChannelKind.Email && !IsWebAddress(Url))
            yield return new ValidationResult($"a {Kind} channel needs the absolute http(s) address it posts to", [nameof(Url)]);
        if (Kind == ChannelKind.Email && Smtp is null)
            yield return new ValidationResult("an Email channel needs Smtp (Host, Port, From, To)", [nameof(Smtp)]);
        if (!LocalizationExtensions.Cultures.Contains(Language))
            yield return new ValidationResult($"must be one of {string.Join(", ", LocalizationExtensions.Cultures)}", [nameof(Language)]);
        string[] events = [NotificationEvents.Opened, NotificationEvents.Escalated, NotificationEvents.Resolved];
        foreach (var e in Events.Where(e => !events.Contains(e, StringComparer.OrdinalIgnoreCase)))
            yield return new ValidationResult($"\"{e}\" is not an event: use {string.Join(", ", events)}", [nameof(Events)]);
        string[] severities = ["critical", "major", "minor"];
        foreach (var s in Severities.Where(s => !severities.Contains(s, StringComparer.OrdinalIgnoreCase)))
            yield return new ValidationResult($"\"{s}\" is not a severity: use {string.Join(", ", severities)}", [nameof(Severities)]);
    }

    public static bool IsWebAddress(string? url) =>
        Uri.TryCreate(url, UriKind.Absolute, out var uri) && (uri.Scheme == Uri.UriSchemeHttps || uri.Scheme == Uri.UriSchemeHttp);

    public bool Wants(NotificationMessage m) =>
        (Events.Count == 0 || Events.Contains(m.Event, StringComparer.OrdinalIgnoreCase))
        && (Severities.Count == 0 || m.Severity is null || Severities.Contains(m.Severity, StringComparer.OrdinalIgnoreCase));
}

public sealed class SmtpChannelOptions : IValidatableObject
{
    [Required(ErrorMessage = "an SMTP host is required")]
    public string Host { get; set; } = "";

    [Range(1, 65_535)]
    public int Port { get; set; } = 587;
    public SmtpSecurity Security { get; set; } = SmtpSecurity.Auto;
    public string? User { get; set; }
    public string? Password { get; set; }
    [Required(ErrorMessage = "a sender address is required")]
    public string From { get; set; } = "posmonitor@localhost";

    public List<string> To { get; set; } = [];

    public IEnumerable<ValidationResult> Validate(ValidationContext context)
    {
        if (To.Count == 0 || To.Any(string.IsNullOrWhiteSpace))
            yield return new ValidationResult("needs at least one recipient address, none empty", [nameof(To)]);
    }
}
