using System.Reflection;
using Microsoft.Extensions.Configuration;
using PosMonitor.Core.Detection;

namespace PosMonitor.Cli.Replay;

/// <summary>
/// Reads detection settings for a replay from a JSON file, with the server's own configuration binder,
/// so a file that replays well can be deployed unchanged. Accepted shapes: a whole appsettings file
/// (<c>{ "PosMonitor": { "Detection": { ... } } }</c>, other sections ignored) or the bare section
/// (<c>{ "Interval": "00:00:15", "MinSurprise": 6 }</c>). Times are "hh:mm:ss" strings.
/// </summary>
public static class DetectionSettingsFile
{
    /// <summary>Keys of the section that only the server uses (whether it runs detection, how often it saves baselines).</summary>
    private static readonly string[] HostOnly = ["Enabled", "BaselineSaveInterval"];

    /// <exception cref="FormatException">The file is not JSON, a value does not convert, or the settings are invalid.</exception>
    public static DetectionSettings Load(string path, out IReadOnlyList<string> warnings)
    {
        IConfigurationRoot root;
        try
        {
            root = new ConfigurationBuilder().AddJsonFile(Path.GetFullPath(path), optional: false, reloadOnChange: false).Build();
        }
        catch (Exception e) when (e is FormatException or InvalidDataException or System.Text.Json.JsonException)
        {
            throw new FormatException($"--settings {path} is not a JSON settings file: {e.Message}", e);
        }
        var wrapped = root.GetSection(DetectionSettings.SectionName);
        IConfiguration section = wrapped.Exists() ? wrapped : root;

        DetectionSettings settings;
        try
        {
            settings = section.Get<DetectionSettings>() ?? new DetectionSettings();
        }
        catch (InvalidOperationException e)
        {
            throw new FormatException($"--settings {path}: {e.Message} (times are \"hh:mm:ss\")", e);
        }
        var problems = settings.Validate();
        if (problems.Count > 0) throw new FormatException($"--settings {path} is invalid: {string.Join("; ", problems)}");

        var known = typeof(DetectionSettings).GetProperties(BindingFlags.Public | BindingFlags.Instance)
            .Where(p => p.CanWrite).Select(p => p.Name).Concat(HostOnly).ToHashSet(StringComparer.OrdinalIgnoreCase);
        warnings = section.GetChildren()
            .Where(c => !known.Contains(c.Key) && !(ReferenceEquals(section, root) && c.Key.Equals("PosMonitor", StringComparison.OrdinalIgnoreCase)))
            .Select(c => $"--settings: unknown setting '{c.Key}' ignored")
            .ToList();
        return settings;
    }
}
