using Microsoft.Extensions.Options;
using PosMonitor.Core.Detection;
using PosMonitor.Core.Incidents;
using PosMonitor.Web.Features.Incidents;
using PosMonitor.Web.Features.Runbooks;

namespace PosMonitor.Web.Features.Notifications;

/// <summary>
/// Writes notifications into the outbox: one row per configured channel that wants the event, and
/// one per escalation contact reachable by e-mail or chat. Incident openings and resolutions come
/// from <see cref="IncidentFeed"/> (<see cref="IncidentNotifications"/>); an agent's resolve and
/// escalations from <see cref="IncidentActions"/>, which this handles.
/// </summary>
public sealed class Notifier(NotificationOutbox outbox, IOptionsMonitor<NotificationOptions> options, TimeProvider time) : IIncidentActionHandler
{
    /// <summary>The escalation contacts' own addresses go out under this channel name.</summary>
    public const string ContactChannelName = "contact";

    /// <summary>Queues <paramref name="message"/> for every configured channel that wants it; returns the rows written.</summary>
    public async Task<int> EnqueueAsync(NotificationMessage message, CancellationToken ct = default)
    {
        var entries = options.CurrentValue.Channels.Where(c => c.Wants(message))
            .Select(c => new OutboxEntry(c.Name, c.Kind, null, message)).ToList();
        await outbox.AddAsync(entries, time.GetUtcNow(), ct);
        return entries.Count;
    }

    /// <summary>
    /// Queues <paramref name="message"/> for the configured channels and for each contact with an
    /// e-mail address (through the first e-mail channel) or a chat webhook. Phone contacts cannot be
    /// reached this way: they are returned so the caller can record who must be rung.
    /// </summary>
    public async Task<IReadOnlyList<EscalationContact>> EnqueueEscalationAsync(NotificationMessage message, IEnumerable<EscalationContact> contacts, CancellationToken ct = default)
    {
        var settings = options.CurrentValue;
        var entries = settings.Channels.Where(c => c.Wants(message)).Select(c => new OutboxEntry(c.Name, c.Kind, null, message)).ToList();
        var email = settings.Channels.FirstOrDefault(c => c.Kind == ChannelKind.Email);
        var unreachable = new List<EscalationContact>();
        foreach (var contact in contacts)
        {
            switch (contact.Channel)
            {
                case Runbooks.ContactChannel.Email when email is not null:
                    entries.Add(new OutboxEntry(email.Name, ChannelKind.Email, contact.Address, message));
                    break;
                case Runbooks.ContactChannel.ChatWebhook when Uri.TryCreate(contact.Address, UriKind.Absolute, out var url):
                    entries.Add(new OutboxEntry(ContactChannelName, KindOf(url), contact.Address, message));
                    break;
                default:
                    unreachable.Add(contact);
                    break;
            }
        }
        await outbox.AddAsync(entries, time.GetUtcNow(), ct);
        return unreachable;
    }

    public Task OnResolvedByAgentAsync(IncidentResolvedByAgent action, CancellationToken ct) =>
        EnqueueAsync(NotificationMessage.From(NotificationEvents.Resolved, action.Incident, action.At, note: action.By), ct);

    public Task OnEscalatedAsync(IncidentEscalated action, CancellationToken ct) =>
        EnqueueEscalationAsync(NotificationMessage.From(NotificationEvents.Escalated, action.Incident, action.At, action.Level, action.Reason), action.Contacts, ct);

    /// <summary>A chat webhook's format, told from its host.</summary>
    public static ChannelKind KindOf(Uri url) => url.Host switch
    {
        "oapi.dingtalk.com" => ChannelKind.DingTalk,
        "qyapi.weixin.qq.com" => ChannelKind.WeCom,
        "hooks.slack.com" => ChannelKind.Slack,
        _ => ChannelKind.Webhook,
    };
}
