using PosMonitor.Web.Features.Runbooks;

namespace PosMonitor.Web.Tests.Runbooks;

public sealed class ContactAddressesTests
{
    [Theory]
    [InlineData(ContactChannel.ChatWebhook, "https://hooks.slack.com/services/T0/B0/secret", "hooks.slack.com/…")]
    [InlineData(ContactChannel.ChatWebhook, "https://oapi.dingtalk.com/robot/send?access_token=secret", "oapi.dingtalk.com/…")]
    [InlineData(ContactChannel.Email, "noc@acquirer.example", "noc@acquirer.example")]
    [InlineData(ContactChannel.Phone, "+86 21 5555 0100", "+86 21 5555 0100")]
    public void A_webhook_shows_where_it_posts_never_its_token(ContactChannel channel, string address, string shown) =>
        Assert.Equal(shown, ContactAddresses.Shown(channel, address));

    [Fact]
    public void Escalation_notes_written_with_whole_addresses_are_cut_when_shown()
    {
        const string note = "Gateway liaison <https://hooks.slack.com/services/T0/B0/secret>, Support lead <lead@acquirer.example>";
        Assert.Equal("Gateway liaison <hooks.slack.com/…>, Support lead <lead@acquirer.example>", ContactAddresses.HideWebhooks(note));
    }
}
