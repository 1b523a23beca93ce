using System.CommandLine;
using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using PosMonitor.Core.Detection;
using PosMonitor.Core.Fleet;
using PosMonitor.Core.Incidents;
using PosMonitor.Core.Quality;
using PosMonitor.Core.Replay;
using PosMonitor.Core.Telemetry;

namespace PosMonitor.Cli.Replay;

/// <summary>
/// <c>posmonitor replay --fleet F --events E --out O [--settings S]</c> (src/PosMonitor.Core/Replay/replay.md): runs recorded
/// telemetry through the server's parser, aggregation and detection on a simulated clock, and writes
/// the incidents it would have opened. Exit code 0, or 2 for a bad line, file or setting.
/// </summary>
public static class ReplayCommand
{
    public const int BadInput = 2;

    public static Command Create()
    {
        var fleet = new Option<string>("--fleet") { Description = "Fleet document (the body of PUT /api/v1/fleet)", Required = true };
        var events = new Option<string>("--events") { Description = "Events, one heartbeat or transaction per line with its \"type\" (read as gzip when the name ends in .gz)", Required = true };
        var output = new Option<string>("--out") { Description = "Where to write the incidents, one JSON object per line in the order opened", Required = true };
        var settings = new Option<string?>("--settings")
        {
            Description = "Detection settings: an appsettings-shaped file ({ \"PosMonitor\": { \"Detection\": {...} } }) or the bare Detection section",
        };
        var command = new Command("replay", "Replay recorded telemetry through detection on a simulated clock; write the incidents it opens.")
        {
            fleet, events, output, settings,
        };
        command.SetAction((result, cancellationToken) =>
        {
            var stderr = result.InvocationConfiguration.Error;
            try
            {
                return Task.FromResult(Run(result.GetValue(fleet)!, result.GetValue(events)!, result.GetValue(output)!, result.GetValue(settings),
                    stderr, cancellationToken));
            }
            catch (BadEventLineException e)
            {
                stderr.WriteLine($"replay: {result.GetValue(events)} {e.Message}");
                return Task.FromResult(BadInput);
            }
            catch (Exception e) when (e is FormatException or IOException or UnauthorizedAccessException or JsonException)
            {
                stderr.WriteLine($"replay: {e.Message}");
                return Task.FromResult(BadInput);
            }
        });
        return command;
    }

    public static int Run(string fleetPath, string eventsPath, string outPath, string? settingsPath, TextWriter stderr, CancellationToken ct)
    {
        var wall = Stopwatch.StartNew();
        var settings = new DetectionSettings();
        if (settingsPath is not null)
        {
            settings = DetectionSettingsFile.Load(settingsPath, out var warnings);
            foreach (var w in warnings) stderr.WriteLine($"replay: {w}");
        }
        var fleet = LoadFleet(fleetPath);

        // Two threads for two cores: reading, ordering and aggregating on this one, detection on its own.
        using var replayer = new Replayer(fleet, settings) { DetectOnAnotherThread = true };
        using (var stream = FieldRun.OpenEventsFile(eventsPath))
        {
            foreach (var e in new EventFileReader(stream, fleet).Parse(ct))
            {
                if (e is Heartbeat hb) replayer.Add(hb);
                else replayer.Add((Transaction)e);
            }
        }
        replayer.Finish();

        WriteIncidents(outPath, replayer.Incidents);
        wall.Stop();
        foreach (var problem in replayer.Problems.Distinct().Take(10)) stderr.WriteLine($"replay: detection problem: {problem}");
        stderr.WriteLine(Summary(replayer, wall.Elapsed));
        return 0;
    }

    public static Fleet LoadFleet(string path) => FieldRun.LoadFleet(path);

    /// <summary>One incident per line, fields as src/PosMonitor.Core/Replay/replay.md, in the order opened; resolvedAt null for those still open.</summary>
    public static void WriteIncidents(string path, IEnumerable<Incident> incidents)
    {
        using var file = new FileStream(path, FileMode.Create, FileAccess.Write, FileShare.None, 1 << 16);
        using var writer = new Utf8JsonWriter(file, new JsonWriterOptions { Encoder = IncidentBody.Json.Encoder });
        foreach (var incident in incidents)
        {
            JsonSerializer.Serialize(writer, IncidentBody.From(incident), IncidentBody.Json);
            writer.Flush();
            writer.Reset();
            file.WriteByte((byte)'\n');
        }
    }

    public static string Summary(Replayer r, TimeSpan wall)
    {
        var span = r.FirstEvent is { } first && r.LastEvent is { } last ? last - first : TimeSpan.Zero;
        var opened = r.Incidents.Count;
        var rate = wall.TotalSeconds > 0 ? r.Events / wall.TotalSeconds : 0;
        var inv = CultureInfo.InvariantCulture;
        var from = r.FirstEvent is { } f ? string.Create(inv, $" from {f.UtcDateTime:yyyy-MM-ddTHH:mm:ss}Z") : "";
        var late = r.LateEvents > 0 ? string.Create(inv, $", {r.LateEvents:N0} events later than the reorder window") : "";
        if (r.Duplicates > 0) late += string.Create(inv, $", {r.Duplicates:N0} duplicates skipped");
        return string.Create(inv,
            $"replay: {r.Events:N0} events read, {opened} incidents opened ({r.Incidents.Count(i => i.ResolvedAt is null)} still open), "
            + $"simulated span {(int)span.TotalHours}h{span.Minutes:00}m{span.Seconds:00}s{from}, wall time {wall.TotalSeconds:0.00} s, {rate:N0} events/s{late}");
    }
}
