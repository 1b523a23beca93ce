using System.Net.Http.Headers;
using System.Text.Json;
using MailKit.Net.Smtp;
using MailKit.Security;
using Microsoft.Extensions.Options;
using MimeKit;

namespace PosMonitor.Web.Features.Notifications;

/// <summary>A delivery that did not go through; the message is what the admin page shows.</summary>
public sealed class NotificationDeliveryException(string message, Exception? inner = null) : Exception(message, inner);

/// <summary>Delivers one outbox row to its receiver, or throws saying why not.</summary>
public sealed class NotificationSender(IHttpClientFactory httpClients, NotificationFormats formats, IOptionsMonitor<NotificationOptions> options, TimeProvider time)
{
    public const string HttpClientName = "notifications";

    public async Task SendAsync(OutboxItem item, CancellationToken ct)
    {
        var settings = options.CurrentValue;
        var channel = ChannelFor(item, settings)
            ?? throw new NotificationDeliveryException($"Channel '{item.Channel}' is not configured (PosMonitor:Notifications:Channels)");
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(ct);
        timeout.CancelAfter(TimeSpan.FromSeconds(Math.Max(1, settings.TimeoutSeconds)));
        try
        {
            var text = formats.Text(item.Message, channel.Language, settings.PortalUrl);
            switch (channel.Kind)
            {
                case ChannelKind.Email:
                    await SendEmailAsync(channel, item.Recipient, formats.Email(text), timeout.Token);
                    break;
                case ChannelKind.Webhook:
                    var body = NotificationFormats.WebhookBody(item.Id, item.Message);
                    await PostAsync(Url(channel, item), body, item, channel, r =>
                    {
                        if (!string.IsNullOrEmpty(channel.Secret)) r.Headers.Add(NotificationFormats.SignatureHeader, NotificationFormats.Signature(channel.Secret, body));
                    }, timeout.Token);
                    break;
                case ChannelKind.DingTalk:
                    var url = string.IsNullOrEmpty(channel.Secret) ? Url(channel, item) : NotificationFormats.DingTalkSignedUrl(Url(channel, item), channel.Secret, time.GetUtcNow());
                    await PostAsync(url, formats.DingTalk(text), item, channel, null, timeout.Token);
                    break;
                case ChannelKind.WeCom:
                    await PostAsync(Url(channel, item), formats.WeCom(text), item, channel, null, timeout.Token);
                    break;
                case ChannelKind.Slack:
                    await PostAsync(Url(channel, item), formats.Slack(text), item, channel, null, timeout.Token);
                    break;
            }
        }
        catch (OperationCanceledException) when (!ct.IsCancellationRequested)
        {
            throw new NotificationDeliveryException($"No answer within {settings.TimeoutSeconds} s");
        }
        catch (Exception e) when (e is HttpRequestException or IOException or SmtpCommandException or SmtpProtocolException
                                     or AuthenticationException or System.Net.Sockets.SocketException or MailKit.ServiceNotConnectedException)
        {
            throw new NotificationDeliveryException($"{e.GetType().Name}: {e.Message}", e);
        }
    }

    /// <summary>
    /// The configured channel of the row; a row for an escalation contact names no configured chat
    /// channel, so it gets one made from the contact's own address.
    /// </summary>
    private static NotificationChannelOptions? ChannelFor(OutboxItem item, NotificationOptions settings) =>
        settings.Channels.FirstOrDefault(c => c.Name == item.Channel)
        ?? (item.Recipient is not null && item.Kind != ChannelKind.Email
            ? new NotificationChannelOptions { Name = item.Channel, Kind = item.Kind, Url = item.Recipient, Language = settings.ContactLanguage }
            : null);

    private static string Url(NotificationChannelOptions channel, OutboxItem item) =>
        (item.Recipient ?? channel.Url) is { Length: > 0 } url ? url : throw new NotificationDeliveryException($"Channel '{channel.Name}' has no Url");

    private async Task PostAsync(string url, byte[] body, OutboxItem item, NotificationChannelOptions channel, Action<HttpRequestMessage>? sign, CancellationToken ct)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, url) { Content = new ByteArrayContent(body) };
        request.Content.Headers.ContentType = new MediaTypeHeaderValue("application/json") { CharSet = "utf-8" };
        request.Headers.Add("X-PosMonitor-Event", item.Event);
        request.Headers.Add("X-PosMonitor-Delivery", item.Id.ToString(System.Globalization.CultureInfo.InvariantCulture));
        sign?.Invoke(request);
        using var response = await httpClients.CreateClient(HttpClientName).SendAsync(request, ct);
        var answer = await response.Content.ReadAsStringAsync(ct);
        if (!response.IsSuccessStatusCode)
            throw new NotificationDeliveryException($"HTTP {(int)response.StatusCode}: {Short(answer)}");
        // DingTalk and WeCom robots answer 200 with {"errcode": n, "errmsg": ...}; only errcode 0 means sent.
        if (channel.Kind is ChannelKind.DingTalk or ChannelKind.WeCom && ErrorCode(answer) is { } code and not 0)
            throw new NotificationDeliveryException($"errcode {code}: {Short(answer)}");
    }

    private static async Task SendEmailAsync(NotificationChannelOptions channel, string? recipient, (string Subject, string Body) mail, CancellationToken ct)
    {
        var smtp = channel.Smtp ?? throw new NotificationDeliveryException($"Channel '{channel.Name}' has no Smtp settings");
        List<string> to = recipient is not null ? [recipient] : smtp.To;
        if (to.Count == 0) throw new NotificationDeliveryException($"Channel '{channel.Name}' has no Smtp:To addresses");
        var message = new MimeMessage();
        message.From.Add(MailboxAddress.Parse(smtp.From));
        foreach (var address in to) message.To.Add(MailboxAddress.Parse(address));
        message.Subject = mail.Subject;
        message.Body = new TextPart("plain") { Text = mail.Body };
        using var client = new SmtpClient();
        await client.ConnectAsync(smtp.Host, smtp.Port, smtp.Security switch
        {
            SmtpSecurity.None => SecureSocketOptions.None,
            SmtpSecurity.StartTls => SecureSocketOptions.StartTls,
            SmtpSecurity.SslOnConnect => SecureSocketOptions.SslOnConnect,
            _ => SecureSocketOptions.Auto,
        }, ct);
        if (!string.IsNullOrEmpty(smtp.User)) await client.AuthenticateAsync(smtp.User, smtp.Password ?? "", ct);
        await client.SendAsync(message, ct);
        await client.DisconnectAsync(quit: true, ct);
    }

    private static int? ErrorCode(string json)
    {
        try
        {
            using var doc = JsonDocument.Parse(json);
            return doc.RootElement.TryGetProperty("errcode", out var e) && e.TryGetInt32(out var code) ? code : null;
        }
        catch (JsonException)
        {
            return null;
        }
    }

    private static string Short(string s) => s.Length <= 300 ? s : s[..300] + "…";
}
