using PosMonitor.Web.Features.Runbooks;

namespace PosMonitor.Web.Tests.Runbooks;

public class MerchantTemplateTests
{
    [Fact]
    public void Fill_replaces_known_placeholders_and_leaves_unknown_ones_visible()
    {
        var text = MerchantTemplate.Fill("Dear {merchant}, since {openedAt}: {cause} ({status}). {workaround} {mystery}",
            new Dictionary<string, string>
            {
                ["merchant"] = "Lotus Noodle House", ["openedAt"] = "2026-03-14 11:52", ["cause"] = "Payment gateway",
                ["status"] = "open", ["workaround"] = "Take cash.",
            });

        Assert.Equal("Dear Lotus Noodle House, since 2026-03-14 11:52: Payment gateway (open). Take cash. {mystery}", text);
        Assert.Equal(["mystery"], MerchantTemplate.Unknown("{merchant} {mystery} {mystery}"));
    }

    [Fact]
    public void Values_are_inserted_once_not_expanded_again() =>
        Assert.Equal("{status}", MerchantTemplate.Fill("{merchant}", new Dictionary<string, string> { ["merchant"] = "{status}", ["status"] = "x" }));
}
