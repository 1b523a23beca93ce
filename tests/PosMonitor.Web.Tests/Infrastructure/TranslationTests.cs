using System.Xml.Linq;

namespace PosMonitor.Web.Tests.Infrastructure;

/// <summary>Every user-visible string goes through resources in English and Chinese: no key may be missing from either.</summary>
public class TranslationTests
{
    private static string WebFolder()
    {
        var dir = new DirectoryInfo(AppContext.BaseDirectory);
        while (dir is not null && !Directory.Exists(Path.Combine(dir.FullName, "src", "PosMonitor.Web"))) dir = dir.Parent;
        return Path.Combine(dir?.FullName ?? throw new DirectoryNotFoundException("src/PosMonitor.Web not found above the test output"), "src", "PosMonitor.Web");
    }

    private static Dictionary<string, string> Values(string file) => XDocument.Load(file).Root!.Elements("data")
        .ToDictionary(d => (string)d.Attribute("name")!, d => (string?)d.Element("value") ?? "");

    public static IEnumerable<TheoryDataRow<string>> EnglishFiles() =>
        Directory.GetFiles(WebFolder(), "*.resx", SearchOption.AllDirectories)
            .Where(f => !f.EndsWith(".zh-CN.resx", StringComparison.Ordinal) && !f.Contains($"{Path.DirectorySeparatorChar}obj{Path.DirectorySeparatorChar}"))
            .Select(f => Path.GetRelativePath(WebFolder(), f)).Order().Select(f => new TheoryDataRow<string>(f));

    [Theory]
    [MemberData(nameof(EnglishFiles))]
    public void Every_english_string_has_a_chinese_one_and_no_more(string file)
    {
        var en = Values(Path.Combine(WebFolder(), file));
        var zhFile = Path.Combine(WebFolder(), Path.ChangeExtension(file, null) + ".zh-CN.resx");
        Assert.True(File.Exists(zhFile), $"{file} has no zh-CN translation file");
        var zh = Values(zhFile);
        Assert.Empty(en.Keys.Except(zh.Keys).Select(k => $"{file}: {k} missing in zh-CN"));
        Assert.Empty(zh.Keys.Except(en.Keys).Select(k => $"{file}: {k} only in zh-CN"));
        Assert.Empty(zh.Where(kv => string.IsNullOrWhiteSpace(kv.Value)).Select(kv => $"{file}: {kv.Key} is empty in zh-CN"));
    }
}
