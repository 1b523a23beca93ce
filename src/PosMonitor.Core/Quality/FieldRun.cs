using System.IO.Compression;
using System.Text.Json;
using PosMonitor.Core.Detection;
using PosMonitor.Core.Fleet;
using PosMonitor.Core.Incidents;
using PosMonitor.Core.Replay;
using PosMonitor.Core.Telemetry;

namespace PosMonitor.Core.Quality;

/// <summary>
/// A labelled fleet recorded elsewhere (a folder with <c>fleet.json</c>, <c>events.ndjson.gz</c> or <c>events.ndjson</c> and
/// <c>truth.json</c>) run through detection exactly as <c>posmonitor replay</c> runs it, and through the <see cref="StaticRule"/>
/// on the same events, each scored by <see cref="FieldScore"/>.
/// </summary>
public sealed record FieldRun(string Name, FieldFigures Engine, FieldFigures Static, long Events)
{
    public static FieldRun Execute(string directory, DetectionSettings? settings = null, CancellationToken ct = default)
    {
        var fleet = LoadFleet(Path.Combine(directory, "fleet.json"));
        FieldTruth truth;
        using (var file = File.OpenRead(Path.Combine(directory, "truth.json"))) truth = FieldTruth.Read(file);
        using var replayer = new Replayer(fleet, settings ?? new DetectionSettings()) { DetectOnAnotherThread = true };
        var rule = new StaticRule(fleet);
        var evidence = new FieldScore.EvidenceCounter(truth);
        using (var events = OpenEvents(directory))
        {
            foreach (var e in new EventFileReader(events, fleet).Parse(ct))
            {
                if (e is Heartbeat hb) replayer.Add(hb);
                else
                {
                    var tx = (Transaction)e;
                    replayer.Add(tx);
                    rule.Add(tx);
                    evidence.Add(tx);
                }
            }
        }
        replayer.Finish();
        rule.Finish();
        return new FieldRun(Path.GetFileName(Path.TrimEndingDirectorySeparator(directory)),
            FieldScore.Evaluate(truth, fleet, replayer.Incidents, evidence.EvidenceAt),
            FieldScore.Evaluate(truth, fleet, rule.Incidents, evidence.EvidenceAt), replayer.Events);
    }

    /// <summary>The folder's events, <c>events.ndjson.gz</c> read as it is, else <c>events.ndjson</c>.</summary>
    public static Stream OpenEvents(string directory)
    {
        var gz = Path.Combine(directory, "events.ndjson.gz");
        return File.Exists(gz) ? OpenEventsFile(gz) : OpenEventsFile(Path.Combine(directory, "events.ndjson"));
    }

    /// <summary>An events file, decompressed on the fly when its name ends in <c>.gz</c>.</summary>
    public static Stream OpenEventsFile(string path)
    {
        var file = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, bufferSize: 1 << 16, FileOptions.SequentialScan);
        return path.EndsWith(".gz", StringComparison.OrdinalIgnoreCase) ? new GZipStream(file, CompressionMode.Decompress) : file;
    }

    /// <summary>A fleet document, validated as <c>PUT /api/v1/fleet</c> validates it.</summary>
    public static Fleet.Fleet LoadFleet(string path)
    {
        FleetDocument? document;
        using (var file = File.OpenRead(path))
            document = JsonSerializer.Deserialize<FleetDocument>(file, JsonSerializerOptions.Web);
        if (document is null) throw new FormatException($"{path} is empty");
        var problems = FleetValidator.Validate(document, _ => false, _ => false);
        if (problems.Count > 0)
            throw new FormatException($"{path} is not a valid fleet document: {string.Join("; ", problems.Take(10))}");
        return Fleet.Fleet.FromDocument(document);
    }
}
