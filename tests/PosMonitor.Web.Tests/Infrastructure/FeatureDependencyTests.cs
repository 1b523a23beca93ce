using System.Reflection;
using System.Text.RegularExpressions;
using PosMonitor.Web.Features.Incidents;

namespace PosMonitor.Web.Tests.Infrastructure;

/// <summary>Features that must not know each other: the publisher names no type of its subscriber.</summary>
public sealed class FeatureDependencyTests
{
    [Theory]
    // Incidents publish (IncidentFeed, IncidentActions); Notifications subscribes.
    [InlineData("Incidents", "Notifications")]
    public void A_publishing_feature_names_no_type_of_the_feature_that_subscribes(string publisher, string subscriber)
    {
        var assembly = typeof(IncidentFeed).Assembly;
        var subscriberNamespace = $"PosMonitor.Web.Features.{subscriber}";
        var subscriberTypes = assembly.GetTypes()
            .Where(t => t.Namespace == subscriberNamespace && !t.IsNested && !t.Name.StartsWith('<'))
            .Select(t => Regex.Replace(t.Name, "`.*$", ""))
            .Distinct().ToList();
        Assert.NotEmpty(subscriberTypes);
        var word = new Regex($@"\b(?:{string.Join('|', subscriberTypes.Select(Regex.Escape))})\b|{Regex.Escape(subscriberNamespace)}\b");

        var uses = Directory.EnumerateFiles(Path.Combine(SourceRoot(), "Features", publisher), "*", SearchOption.AllDirectories)
            .Where(f => f.EndsWith(".cs", StringComparison.Ordinal) || f.EndsWith(".razor", StringComparison.Ordinal))
            .SelectMany(f => File.ReadLines(f).Select((line, i) => (File: Path.GetFileName(f), Line: i + 1, Text: line)))
            .Where(l => word.IsMatch(l.Text))
            .Select(l => $"{l.File}:{l.Line}: {l.Text.Trim()}")
            .ToList();

        Assert.True(uses.Count == 0, $"Features/{publisher} uses Features/{subscriber}:\n{string.Join('\n', uses)}");
    }

    private static string SourceRoot()
    {
        var dir = new DirectoryInfo(AppContext.BaseDirectory);
        while (dir is not null && !Directory.Exists(Path.Combine(dir.FullName, "src", "PosMonitor.Web"))) dir = dir.Parent;
        return Path.Combine(dir?.FullName ?? throw new DirectoryNotFoundException("src/PosMonitor.Web not found above the test output"), "src", "PosMonitor.Web");
    }
}
