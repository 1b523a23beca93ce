using System.Net;
using PosMonitor.Web.Tests.Identity;
using PosMonitor.Web.Tests.Infrastructure;

namespace PosMonitor.Web.Tests.Portal;

/// <summary>A shop outside its opening hours: closed until it opens, not "not seen yet" under "no known problem".</summary>
public class ClosedShopTests(PortalFactory factory) : IClassFixture<PortalFactory>
{
    [Theory]
    [InlineData("en", "Closed, opens {0}", "closed now and opens at {0}")]
    [InlineData("zh-CN", "休息中，{0} 开门", "现在休息，{0} 开门")]
    public async Task A_closed_shop_says_when_it_opens_instead_of_not_seen_under_a_green_banner(string language, string status, string banner)
    {
        await factory.SeedAsync();
        // Hours that start two hours from now in the shop's zone: the shop is closed whatever the time of the run.
        var local = TimeZoneInfo.ConvertTime(DateTimeOffset.UtcNow, TimeZoneInfo.FindSystemTimeZoneById("Asia/Shanghai"));
        var opens = TimeOnly.FromDateTime(local.DateTime).AddHours(2);
        opens = new TimeOnly(opens.Hour, 0);
        var fleet = TestFleet.Small();
        fleet.Merchants![0] = fleet.Merchants[0] with { OpeningHours = $"{opens:HH:mm}-{opens.AddHours(1):HH:mm}" };
        await factory.PutFleetAsync(fleet);
        var client = await factory.SignedInAsync(PortalFactory.Owner1);
        client.DefaultRequestHeaders.AcceptLanguage.ParseAdd(language);

        var html = WebUtility.HtmlDecode(await client.GetStringAsync("/my"));

        Assert.Contains(string.Format(status, opens.ToString("HH:mm")), html);
        Assert.Contains(string.Format(banner, opens.ToString("HH:mm")), html);
        Assert.DoesNotContain("data-testid=\"no-incidents\"", html);
        Assert.DoesNotContain("Not seen yet", html);
        Assert.DoesNotContain("从未上线", html);
    }
}
