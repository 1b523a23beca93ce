using System.Net;
using PosMonitor.Web.Tests.Identity;

namespace PosMonitor.Web.Tests.Infrastructure;

public sealed class ErrorPageTests(PortalFactory factory) : IClassFixture<PortalFactory>
{
    [Theory]
    [InlineData("en", "Something went wrong")]
    [InlineData("zh-CN", "出错了")]
    public async Task The_error_page_speaks_to_users_not_to_developers(string culture, string title)
    {
        var client = factory.Browser();
        client.DefaultRequestHeaders.AcceptLanguage.ParseAdd(culture);

        var page = WebUtility.HtmlDecode(await client.GetStringAsync("/Error"));

        Assert.Contains(title, page);
        Assert.Contains("data-testid=\"request-id\"", page);
        Assert.DoesNotContain("Development", page);
        Assert.DoesNotContain("ASPNETCORE_ENVIRONMENT", page);
    }
}
