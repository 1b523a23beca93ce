using System.Net;
using PosMonitor.Web.Tests.Identity;

namespace PosMonitor.Web.Tests.Infrastructure;

/// <summary>MudBlazor ships English only: its own labels on our pages come from MudStrings in the reader's language.</summary>
public sealed class MudStringsTests(PortalFactory factory) : IClassFixture<PortalFactory>
{
    [Theory]
    [InlineData("en", "Rows per page:", "每页行数")]
    [InlineData("zh-CN", "每页行数：", "Rows per page")]
    public async Task A_pager_speaks_the_reader_s_language(string culture, string expected, string unexpected)
    {
        await factory.SeedAsync();
        var admin = await factory.SignedInAsync(PortalFactory.Admin);
        admin.DefaultRequestHeaders.AcceptLanguage.ParseAdd(culture);

        var page = WebUtility.HtmlDecode(await admin.GetStringAsync("/merchants"));

        Assert.Contains(expected, page);
        Assert.DoesNotContain(unexpected, page);
    }
}
