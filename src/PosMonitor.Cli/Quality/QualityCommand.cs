using System.CommandLine;
using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using PosMonitor.Core.Detection;
using PosMonitor.Cli.Replay;
using PosMonitor.Core.Quality;
using PosMonitor.Core.Simulation;

namespace PosMonitor.Cli.Quality;

/// <summary>
/// <c>posmonitor quality --seeds 1,2,3 --terminals 1000 --hours 6</c>: simulates one scenario per seed
/// (a mix of faults of every cause, subtle and severe, plus every decoy, over the estate's background noise unless
/// <c>--background none</c>), replays each through detection
/// and through the static-threshold rule, and prints how both score against the ground truth (markdown).
/// </summary>
public static class QualityCommand
{
    public static Command Create()
    {
        var seeds = new Option<string>("--seeds") { Description = "Comma-separated seeds, one scenario each, or none", DefaultValueFactory = _ => "1,2,3" };
        var field = new Option<string[]>("--field")
        {
            Description = "A labelled fleet recorded elsewhere (folder with fleet.json, events.ndjson.gz and truth.json), scored by its own rules; repeatable",
            AllowMultipleArgumentsPerToken = false,
        };
        var terminals = new Option<int>("--terminals") { Description = "Terminals per scenario", DefaultValueFactory = _ => 1000 };
        var hours = new Option<double>("--hours") { Description = "Simulated hours per scenario", DefaultValueFactory = _ => 6 };
        var start = new Option<string>("--start") { Description = "UTC start of every scenario", DefaultValueFactory = _ => "2026-11-25T01:00:00Z" };
        var verbose = new Option<bool>("--verbose") { Description = "Also list missed or misattributed faults and false positives" };
        var settings = new Option<string?>("--settings")
        {
            Description = "Detection settings to score instead of the defaults, in replay's --settings shape (to see what a setting trades)",
        };
        var background = new Option<string>("--background")
        {
            Description = "The estate's background noise: default, none, or NAME=VALUE overrides (grammar above)",
            DefaultValueFactory = _ => "default",
        };
        var command = new Command("quality", "Score detection against simulated ground truth, next to a static-threshold rule.\n\n" + BackgroundNoise.Grammar)
        {
            seeds, terminals, hours, start, background, verbose, settings, field,
        };
        command.SetAction((result, ct) =>
        {
            var stdout = result.InvocationConfiguration.Output;
            var stderr = result.InvocationConfiguration.Error;
            try
            {
                var list = result.GetValue(seeds)!.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
                    .Where(s => s != "none").Select(s => int.Parse(s, CultureInfo.InvariantCulture)).ToArray();
                var from = DateTimeOffset.Parse(result.GetValue(start)!, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal);
                var noise = BackgroundNoise.Parse(result.GetValue(background));
                var detection = new DetectionSettings();
                if (result.GetValue(settings) is { } path)
                {
                    detection = DetectionSettingsFile.Load(path, out var warnings);
                    foreach (var w in warnings) stderr.WriteLine($"quality: {w}");
                }
                if (list.Length > 0)
                    Run(list, result.GetValue(terminals), TimeSpan.FromHours(result.GetValue(hours)), from, result.GetValue(verbose), stdout, stderr, detection, noise);
                if (result.GetValue(field) is { Length: > 0 } dirs)
                {
                    if (list.Length > 0) stdout.WriteLine();
                    FieldQuality.Run(dirs, result.GetValue(verbose), stdout, stderr, detection, ct);
                }
                return Task.FromResult(0);
            }
            catch (Exception e) when (e is FormatException or ArgumentException or OverflowException or IOException or JsonException
                or KeyNotFoundException or InvalidOperationException or Core.Replay.BadEventLineException)
            {
                stderr.WriteLine($"quality: {e.Message}");
                return Task.FromResult(2);
            }
        });
        return command;
    }

    /// <param name="background">The estate's background; <see cref="BackgroundNoise.Default"/> when null.</param>
    public static void Run(int[] seeds, int terminals, TimeSpan duration, DateTimeOffset start, bool verbose, TextWriter stdout, TextWriter stderr,
        DetectionSettings? settings = null, BackgroundNoise? background = null)
    {
        background ??= BackgroundNoise.Default;
        var wall = Stopwatch.StartNew();
        var runs = new ScenarioRun[seeds.Length];
        Parallel.For(0, seeds.Length, new ParallelOptions { MaxDegreeOfParallelism = Environment.ProcessorCount },
            i => runs[i] = ScenarioRun.Execute(QualityScenario.Options(seeds[i], terminals, duration, start, background), settings, withStaticRule: true));
        var terminalHours = terminals * duration.TotalHours;
        var engine = Score.Combine(runs.Select(r => QualityScore.Evaluate(r.GroundTruth, r.Engine, terminalHours, r.SoleTerminals)));
        var rule = Score.Combine(runs.Select(r => QualityScore.Evaluate(r.GroundTruth, r.Static!, terminalHours, r.SoleTerminals)));
        var inv = CultureInfo.InvariantCulture;
        // What each fault's terminals showed: a fault over two minutes late with two failed sales by then was held back by
        // its evidence, not by the engine.
        var evidence = runs.SelectMany(r => r.Evidence).ToDictionary(p => p.Key, p => p.Value);
        stdout.WriteLine(string.Create(inv,
            $"Seeds {string.Join(",", seeds)}, {terminals:N0} terminals x {duration.TotalHours:0.#} h each, {engine.Faults.Count} faults, all decoys, background {background}"));
        stdout.WriteLine();
        // Latency from evidence: from when the fault's terminals had failed enough sales to be told from noise (a terminal or
        // shop cut off: its start plus two heartbeat intervals), beside latency from the fault's start.
        DateTimeOffset Shown(FaultResult f) => QualityScore.EvidenceAt(f.Fault, evidence.TryGetValue(f.Fault, out var e) ? e : null);
        stdout.WriteLine(QualityScore.Table([("Detection engine", engine), ("Static rule (5-min timeouts > 5% for 5 min)", rule)], Shown));
        string FirstMinutes(GroundTruthEntry fault) => evidence.TryGetValue(fault, out var e)
            ? string.Create(CultureInfo.InvariantCulture,
                $" [first {ScenarioRun.EvidenceSpan.TotalMinutes:0} min: {e.Failed} of {e.Sales} sales failed; {e.FailedBefore} of {e.SalesBefore} before]")
            : "";
        if (verbose)
        {
            foreach (var (name, score) in new[] { ("engine", engine), ("static", rule) })
            {
                stdout.WriteLine();
                stdout.WriteLine($"{name}:");
                // The engine's every fault, so where its latency comes from can be read off; the static rule's problems only.
                foreach (var f in score.Faults.Where(f => name == "engine" || !f.Attributed || f.Duplicates > 0 || f.Latency > TimeSpan.FromMinutes(2)))
                {
                    var got = f.First is { } i
                        ? string.Create(inv, $"{Causes(i.Cause)} {i.ScopeType} {i.ScopeId} after {(i.OpenedAt - Later(Shown(f), f.Fault.Start)).TotalSeconds:0} s from evidence ({f.Latency!.Value.TotalSeconds:0} s from start), +{f.Duplicates} dup")
                        : "missed";
                    stdout.WriteLine(string.Create(inv,
                        $"  fault {f.Fault.Spec} -> {Causes(f.Fault.Cause)} {f.Fault.ScopeType} {f.Fault.ScopeId} ({f.Fault.AffectedTerminals.Count} t): {got}{FirstMinutes(f.Fault)}"));
                    foreach (var d in f.Later)
                        stdout.WriteLine(string.Create(inv,
                            $"    duplicate {d.OpenedAt.UtcDateTime:HH:mm:ss}-{d.ResolvedAt?.UtcDateTime:HH:mm:ss} {Causes(d.Cause)} {d.ScopeType} {d.ScopeId}: {d.Title}"));
                }
                foreach (var i in score.FalsePositives)
                    stdout.WriteLine(string.Create(inv, $"  false positive {i.OpenedAt.UtcDateTime:HH:mm:ss} {Causes(i.Cause)} {i.ScopeType} {i.ScopeId}: {i.Title}"));
            }
        }
        stderr.WriteLine(string.Create(inv, $"quality: {seeds.Length} scenarios in {wall.Elapsed.TotalSeconds:0.0} s"));
    }

    private static DateTimeOffset Later(DateTimeOffset a, DateTimeOffset b) => a > b ? a : b;

    private static string Causes(Core.Incidents.Cause c) => Core.Incidents.Causes.Name(c);
}
