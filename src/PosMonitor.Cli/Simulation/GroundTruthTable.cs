using System.Globalization;
using PosMonitor.Core.Incidents;
using PosMonitor.Core.Simulation;

namespace PosMonitor.Cli.Simulation;

/// <summary>Prints a run's ground truth as a table: one row per fault or decoy, closing shops folded into one row.</summary>
public static class GroundTruthTable
{
    public static void Write(TextWriter output, GroundTruthRun run)
    {
        var sameDay = run.Start.UtcDateTime.Date == run.End.UtcDateTime.Date || run.End - run.Start <= TimeSpan.FromHours(24);
        string Time(DateTimeOffset t) => t == DateTimeOffset.MaxValue ? "-" :
            t.UtcDateTime.ToString(sameDay ? "HH:mm:ss" : "MM-dd HH:mm", CultureInfo.InvariantCulture);

        output.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"Ground truth: seed {run.Seed}, {run.Terminals} terminals, {TelemetryTime(run.Start)} to {TelemetryTime(run.End)} (times UTC)"));
        var rows = new List<string[]> { new[] { "kind", "cause", "scope", "start", "end", "intensity", "severity", "merchants", "terminals", "spec" } };
        var closing = run.Entries.Where(e => e.Spec == DecoyNames.Name(Decoys.NightClosing)).ToList();
        foreach (var e in run.Entries.Except(closing))
            rows.Add(
            [
                e.Kind.ToString().ToLowerInvariant(), Causes.Name(e.Cause), Scope(e), Time(e.Start), Time(e.End),
                e.Intensity.ToString("P0", CultureInfo.InvariantCulture).Replace(" ", ""),
                e.ExpectedSeverity is { } s ? Causes.Name(s) : "-",
                e.AffectedMerchants.ToString(CultureInfo.InvariantCulture), e.AffectedTerminals.Count.ToString(CultureInfo.InvariantCulture), e.Spec,
            ]);
        if (closing.Count > 0)
            rows.Add(
            [
                "decoy", "network", $"{closing.Count} merchants", Time(closing.Min(e => e.Start)), Time(closing.Max(e => e.End)), "-", "-",
                closing.Count.ToString(CultureInfo.InvariantCulture), closing.Sum(e => e.AffectedTerminals.Count).ToString(CultureInfo.InvariantCulture),
                DecoyNames.Name(Decoys.NightClosing),
            ]);
        if (rows.Count == 1)
        {
            output.WriteLine("  (no faults or decoys: normal traffic only)");
            return;
        }
        var widths = Enumerable.Range(0, rows[0].Length).Select(i => rows.Max(r => r[i].Length)).ToArray();
        foreach (var row in rows)
            output.WriteLine("  " + string.Join("  ", row.Select((cell, i) => i == row.Length - 1 ? cell : cell.PadRight(widths[i]))).TrimEnd());
    }

    private static string Scope(GroundTruthEntry e) => e.ScopeType == ScopeType.Platform ? "platform" : $"{Causes.Name(e.ScopeType)} {e.ScopeId}";

    private static string TelemetryTime(DateTimeOffset t) =>
        t == DateTimeOffset.MaxValue ? "(no end)" : t.UtcDateTime.ToString("yyyy-MM-ddTHH:mm:ssZ", CultureInfo.InvariantCulture);
}
