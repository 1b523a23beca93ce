using System.Globalization;
using System.Resources;
using PosMonitor.Web.Features.Admin;
using PosMonitor.Web.Features.Identity;

namespace PosMonitor.Web.Tests.Identity;

public class ScopeLabelTests
{
    private static readonly ResourceManager Strings = new(typeof(AdminStrings).FullName!, typeof(AdminStrings).Assembly);

    public static IEnumerable<TheoryDataRow<string>> AllScopes() => Scopes.All.Select(s => new TheoryDataRow<string>(s));

    [Theory]
    [MemberData(nameof(AllScopes))]
    public void The_key_pages_scope_picker_says_what_each_scope_may_do_in_english_and_chinese(string scope)
    {
        var en = Strings.GetString("Keys_Scope_" + scope, CultureInfo.GetCultureInfo("en"));
        var zh = Strings.GetString("Keys_Scope_" + scope, CultureInfo.GetCultureInfo("zh-CN"));

        Assert.False(string.IsNullOrWhiteSpace(en), $"no English label for scope {scope}");
        Assert.False(string.IsNullOrWhiteSpace(zh), $"no Chinese label for scope {scope}");
        Assert.NotEqual(en, zh);
    }
}
