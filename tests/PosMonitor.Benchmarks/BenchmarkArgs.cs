using System.Globalization;

namespace PosMonitor.Benchmarks;

/// <summary>The benchmarks' command-line options.</summary>
internal static class BenchmarkArgs
{
    /// <summary>The whole number after <paramref name="name"/>, or <paramref name="fallback"/> when the option is not given.</summary>
    /// <exception cref="ArgumentException">The option is given without a whole number after it.</exception>
    public static int Arg(string[] args, string name, int fallback)
    {
        var i = Array.IndexOf(args, name);
        if (i < 0) return fallback;
        return i + 1 < args.Length && int.TryParse(args[i + 1], NumberStyles.Integer, CultureInfo.InvariantCulture, out var value)
            ? value
            : throw new ArgumentException($"{name} needs a whole number after it, e.g. {name} {fallback}");
    }
}
