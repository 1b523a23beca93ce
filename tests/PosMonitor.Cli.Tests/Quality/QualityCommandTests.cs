using System.Globalization;
using System.Text.RegularExpressions;
using PosMonitor.Cli.Quality;
using PosMonitor.Core.Simulation;

namespace PosMonitor.Cli.Tests.Quality;

public sealed class QualityCommandTests : IDisposable
{
    private readonly string _dir = Path.Combine(Path.GetTempPath(), "posmonitor-quality-" + Guid.NewGuid().ToString("N"));

    public QualityCommandTests() => Directory.CreateDirectory(_dir);

    public void Dispose()
    {
        if (Directory.Exists(_dir)) Directory.Delete(_dir, recursive: true);
    }

    private string Settings(string json)
    {
        var path = Path.Combine(_dir, Guid.NewGuid().ToString("N") + ".json");
        File.WriteAllText(path, json);
        return path;
    }

    private static Task<(int Exit, string Out, string Err)> Run(params string[] args) => CommandRun.InvokeAsync(QualityCommand.Create(), args);

    private static readonly string[] Small = ["quality", "--seeds", "1", "--terminals", "300", "--hours", "2"];

    /// <remarks>
    /// Without the background: this holds that the settings file is applied, which clean traffic shows plainly; over the
    /// background the deaf engine still opens incidents for silent terminals and printers out of paper, and some of those
    /// happen to overlap a fault and score as detecting it.
    /// </remarks>
    [Fact]
    public async Task Scores_the_given_settings_and_shows_what_slow_faults_had_shown_in_their_first_two_minutes()
    {
        string[] Small = [.. QualityCommandTests.Small, "--background", "none"];
        var (exit, defaults, _) = await Run([.. Small, "--verbose"]);
        Assert.Equal(0, exit);
        // Latency from evidence (the 5th failed sale; a silent terminal: its start plus two intervals) beside latency from start.
        Assert.Matches(@"\| Latency from evidence p95 \| \d+ s \| \d+ s \|", defaults);
        Assert.Matches(@"\| Latency from fault start p95 \| \d+ s \| \d+ s \|", defaults);

        // A sensitivity no failure rate can reach: only the silent terminals' faults are found now, so the file was applied.
        var (deafExit, deaf, _) = await Run([.. Small, "--verbose", "--settings", Settings("""{ "PosMonitor": { "Detection": { "MinSurprise": 200 } } }""")]);
        Assert.Equal(0, deafExit);
        static int Detected(string report) => int.Parse(Regex.Match(report, @"\| Faults detected \| [0-9.]+% \((\d+)/").Groups[1].Value, CultureInfo.InvariantCulture);
        Assert.InRange(Detected(deaf), 1, Detected(defaults) - 3);
        // Missed faults are listed with the sales and failures of their first two minutes.
        Assert.Matches(@"missed \[first 2 min: \d+ of \d+ sales failed; \d+ of \d+ before\]", deaf);
    }

    [Fact]
    public async Task Scores_over_the_estate_background_unless_told_none()
    {
        string[] hour = ["quality", "--seeds", "1", "--terminals", "300", "--hours", "1"];
        var (exit, noisy, _) = await Run(hour);
        var (quietExit, quiet, _) = await Run([.. hour, "--background", "none"]);

        Assert.Equal((0, 0), (exit, quietExit));
        Assert.Contains($"background {BackgroundNoise.Default}", noisy);
        Assert.Contains("background none", quiet);
        Assert.NotEqual(noisy.Replace(BackgroundNoise.Default.ToString(), "none"), quiet);

        var (badExit, output, error) = await Run([.. Small, "--background", "cancelled=90%"]);
        Assert.Equal(2, badExit);
        Assert.Contains("cancelled must be from 0 to 50%", error);
        Assert.Equal("", output);
    }

    [Fact]
    public async Task Invalid_settings_name_the_problem_and_run_nothing()
    {
        var (exit, output, error) = await Run([.. Small, "--settings", Settings("""{ "MinRatio": 0.5 }""")]);
        Assert.Equal(2, exit);
        Assert.Contains("MinRatio must be at least 1", error);
        Assert.Equal("", output);

        var missing = Path.Combine(_dir, "nope.json");
        (exit, _, error) = await Run([.. Small, "--settings", missing]);
        Assert.Equal(2, exit);
        Assert.Contains("nope.json", error);
    }
}
