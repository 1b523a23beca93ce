using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using PosMonitor.Web.Features.Notifications;
using PosMonitor.Web.Tests.Infrastructure;

namespace PosMonitor.Web.Tests.Notifications;

public class NotificationFormatsTests
{
    private static readonly NotificationFormats Formats = Localized.Formats();

    private static NotificationMessage Opened() => TestNotifications.Opened(new DateTimeOffset(2026, 3, 14, 3, 53, 0, TimeSpan.Zero));

    [Fact]
    public void Webhook_signature_is_the_hex_HMAC_SHA256_of_the_exact_body()
    {
        var body = NotificationFormats.WebhookBody(7, Opened());

        var signature = NotificationFormats.Signature("s3cret", body);

        var expected = Convert.ToHexStringLower(new HMACSHA256(Encoding.UTF8.GetBytes("s3cret")).ComputeHash(body));
        Assert.Equal($"sha256={expected}", signature);
        Assert.NotEqual(signature, NotificationFormats.Signature("other", body));
        var json = JsonDocument.Parse(body).RootElement;
        Assert.Equal("incident.opened", json.GetProperty("event").GetString());
        Assert.Equal(7, json.GetProperty("id").GetInt64());
        Assert.Equal("inc-000042", json.GetProperty("incident").GetProperty("incidentId").GetString());
        Assert.Equal("gateway", json.GetProperty("incident").GetProperty("cause").GetString());
    }

    [Fact]
    public void DingTalk_body_is_a_markdown_message_with_title_and_text()
    {
        var json = JsonDocument.Parse(Formats.DingTalk(Formats.Text(Opened(), "zh-CN", "https://pm.example.com"))).RootElement;

        Assert.Equal("markdown", json.GetProperty("msgtype").GetString());
        var markdown = json.GetProperty("markdown");
        Assert.Equal(["title", "text"], markdown.EnumerateObject().Select(p => p.Name));
        Assert.Contains("事件开启", markdown.GetProperty("title").GetString());
        var text = markdown.GetProperty("text").GetString()!;
        Assert.StartsWith("### ", text);
        Assert.Contains("支付网关", text);
        Assert.Contains("(https://pm.example.com/incidents/inc-000042)", text);
    }

    [Fact]
    public void DingTalk_signed_url_carries_timestamp_and_signature_of_timestamp_and_secret()
    {
        var at = DateTimeOffset.FromUnixTimeMilliseconds(1773460320000);

        var url = NotificationFormats.DingTalkSignedUrl("https://oapi.dingtalk.com/robot/send?access_token=abc", "SECxyz", at);

        var expected = Convert.ToBase64String(HMACSHA256.HashData(Encoding.UTF8.GetBytes("SECxyz"), Encoding.UTF8.GetBytes("1773460320000\nSECxyz")));
        Assert.Equal($"https://oapi.dingtalk.com/robot/send?access_token=abc&timestamp=1773460320000&sign={Uri.EscapeDataString(expected)}", url);
    }

    [Fact]
    public void WeCom_body_is_a_markdown_message_with_content()
    {
        var json = JsonDocument.Parse(Formats.WeCom(Formats.Text(Opened(), "en", null))).RootElement;

        Assert.Equal("markdown", json.GetProperty("msgtype").GetString());
        var content = json.GetProperty("markdown").GetProperty("content").GetString()!;
        Assert.Contains("Incident opened: Gateway gw-unionpay timeouts", content);
        Assert.Contains("- **Affected**: 12 merchants, 87 terminals", content);
        Assert.Single(json.GetProperty("markdown").EnumerateObject());
    }

    [Fact]
    public void Slack_body_has_fallback_text_and_header_and_mrkdwn_blocks()
    {
        var json = JsonDocument.Parse(Formats.Slack(Formats.Text(Opened(), "en", "https://pm.example.com"))).RootElement;

        Assert.Equal("Incident opened: Gateway gw-unionpay timeouts", json.GetProperty("text").GetString());
        var blocks = json.GetProperty("blocks").EnumerateArray().ToList();
        Assert.Equal("header", blocks[0].GetProperty("type").GetString());
        Assert.Equal("plain_text", blocks[0].GetProperty("text").GetProperty("type").GetString());
        Assert.Equal("section", blocks[1].GetProperty("type").GetString());
        Assert.Equal("mrkdwn", blocks[1].GetProperty("text").GetProperty("type").GetString());
        Assert.Contains("*Severity:* Critical", blocks[1].GetProperty("text").GetProperty("text").GetString());
        Assert.Contains("<https://pm.example.com/incidents/inc-000042|Open in PosMonitor>", blocks[2].GetProperty("text").GetProperty("text").GetString());
    }

    [Fact]
    public void Escalation_headline_names_the_level()
    {
        var message = TestNotifications.Escalated(DateTimeOffset.UnixEpoch, 2);

        Assert.Equal("Escalation level 2: Gateway gw-unionpay timeouts", Formats.Text(message, "en", null).Headline);
        Assert.StartsWith("2 级升级", Formats.Text(message, "zh-CN", null).Headline);
    }
}
