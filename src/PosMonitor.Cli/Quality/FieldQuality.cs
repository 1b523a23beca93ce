using System.Diagnostics;
using System.Globalization;
using PosMonitor.Core.Detection;
using PosMonitor.Core.Incidents;
using PosMonitor.Core.Quality;

namespace PosMonitor.Cli.Quality;

/// <summary>
/// <c>posmonitor quality --field DIR [--field DIR]</c>: replays labelled fleets recorded elsewhere (not made by our simulator)
/// through detection and the static rule, and prints how both score by the fleets' own rules (<see cref="FieldScore"/>),
/// per fleet and pooled.
/// </summary>
public static class FieldQuality
{
    public static void Run(IReadOnlyList<string> directories, bool verbose, TextWriter stdout, TextWriter stderr,
        DetectionSettings? settings = null, CancellationToken ct = default)
    {
        var wall = Stopwatch.StartNew();
        var runs = directories.Select(d => FieldRun.Execute(d, settings, ct)).ToList();
        var inv = CultureInfo.InvariantCulture;
        var columns = new List<(string, FieldFigures)>();
        foreach (var run in runs)
        {
            columns.Add(($"{run.Name}: engine", run.Engine));
            columns.Add(($"{run.Name}: static rule", run.Static));
        }
        if (runs.Count > 1)
        {
            columns.Add(("pooled: engine", FieldFigures.Combine(runs.Select(r => r.Engine))));
            columns.Add(("pooled: static rule", FieldFigures.Combine(runs.Select(r => r.Static))));
        }
        stdout.WriteLine(string.Create(inv, $"Field fleets {string.Join(", ", runs.Select(r => r.Name))}: "
            + $"{runs.Sum(r => r.Engine.Faults.Count)} faults, {runs.Sum(r => r.Engine.TerminalHours):N0} terminal-hours, scored by their own rules"));
        stdout.WriteLine();
        stdout.WriteLine(FieldScore.Table(columns));
        if (verbose)
            foreach (var run in runs)
            {
                stdout.WriteLine();
                stdout.WriteLine($"{run.Name}:");
                foreach (var f in run.Engine.Faults)
                {
                    var got = f.Best is { } i
                        ? string.Create(inv, $"{Causes.Name(i.Cause)} {Causes.Name(i.ScopeType)} {i.ScopeId}, {f.LatencyFromEvidence!.Value.TotalSeconds:0} s from evidence ({f.Latency!.Value.TotalSeconds:0} s from start), +{f.Duplicates} dup")
                        : "missed";
                    stdout.WriteLine($"  {f.Fault.Id} {f.Fault.Variant} {Causes.Name(f.Fault.Cause)} {Causes.Name(f.Fault.ScopeType)} {f.Fault.ScopeId}: {got}");
                }
                foreach (var i in run.Engine.FalsePositives)
                    stdout.WriteLine(string.Create(inv, $"  false positive {i.OpenedAt.UtcDateTime:HH:mm:ss} {Causes.Name(i.Cause)} {Causes.Name(i.ScopeType)} {i.ScopeId}: {i.Title}"));
            }
        stderr.WriteLine(string.Create(inv, $"quality: {runs.Count} field fleets ({runs.Sum(r => r.Events):N0} events) in {wall.Elapsed.TotalSeconds:0.0} s"));
    }
}
