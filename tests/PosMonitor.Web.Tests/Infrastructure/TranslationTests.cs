using System.Text.RegularExpressions;
using System.Xml.Linq;

namespace PosMonitor.Web.Tests.Infrastructure;

/// <summary>Every user-visible string goes through resources in English and Chinese: no key may be missing from either.</summary>
public partial class TranslationTests
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

    /// <summary>
    /// Every key a page or service names literally (<c>L["Help_Steps"]</c>) is in its localizer's resources: a missing one
    /// renders as the key itself ("Help_Steps" headed the merchant help page's steps, in both languages). Keys built at
    /// run time (<c>L[$"Cause_{…}"]</c>) are not checked here.
    /// </summary>
    [Fact]
    public void Every_key_named_in_the_code_is_in_its_resources()
    {
        var web = WebFolder();
        var sources = Directory.GetFiles(web, "*.*", SearchOption.AllDirectories)
            .Where(f => (f.EndsWith(".razor", StringComparison.Ordinal) || f.EndsWith(".cs", StringComparison.Ordinal))
                && !f.Contains($"{Path.DirectorySeparatorChar}obj{Path.DirectorySeparatorChar}") && !f.Contains($"{Path.DirectorySeparatorChar}bin{Path.DirectorySeparatorChar}"))
            .ToList();
        var resources = Directory.GetFiles(web, "*.resx", SearchOption.AllDirectories)
            .Where(f => !f.EndsWith(".zh-CN.resx", StringComparison.Ordinal))
            .ToDictionary(f => Path.GetFileNameWithoutExtension(f), f => Values(f).Keys.ToHashSet(), StringComparer.Ordinal);
        var missing = new List<string>();
        var checkedKeys = 0;
        // A component's markup and its code-behind are one class: a localizer injected in one is used in the other.
        foreach (var unit in sources.GroupBy(f => f.EndsWith(".razor.cs", StringComparison.Ordinal) ? f[..^3] : f))
        {
            var text = string.Concat(unit.Select(File.ReadAllText));
            foreach (Match declaration in Localizer().Matches(text))
            {
                var (type, name) = (declaration.Groups["type"].Value, declaration.Groups["name"].Value);
                if (!resources.TryGetValue(type, out var keys)) continue;
                foreach (Match use in new Regex($@"(?<![\w.]){Regex.Escape(name)}\[""(?<key>[^""{{}}]+)""\s*[\],]").Matches(text))
                {
                    checkedKeys++;
                    if (!keys.Contains(use.Groups["key"].Value)) missing.Add($"{Path.GetRelativePath(web, unit.Key)}: {name}[\"{use.Groups["key"].Value}\"] not in {type}.resx");
                }
            }
        }
        Assert.Empty(missing.Distinct());
        Assert.True(checkedKeys > 500, $"only {checkedKeys} keys found: has the way localizers are declared changed?");
    }

    [GeneratedRegex(@"IStringLocalizer<(?<type>\w+)>\s+(?<name>\w+)")]
    private static partial Regex Localizer();
}
