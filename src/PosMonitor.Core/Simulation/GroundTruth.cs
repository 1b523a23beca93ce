using System.Globalization;
using System.Text.Json;
using PosMonitor.Core.Incidents;
using PosMonitor.Core.Telemetry;

namespace PosMonitor.Core.Simulation;

public enum GroundTruthKind
{
    /// <summary>An injected fault: detection should open one incident for it, at this scope, with this cause.</summary>
    Fault,
    /// <summary>A situation that looks odd but is normal: an incident here is a false alarm.</summary>
    Decoy,
    /// <summary>A planned maintenance window: what it disturbs is expected, detection should stay silent.</summary>
    Maintenance,
}

/// <summary>
/// What the simulator really did, for scoring detection: one entry per injected fault, decoy or
/// maintenance window. <see cref="Cause"/> of a decoy is the cause a careless detector would blame.
/// </summary>
public sealed record GroundTruthEntry
{
    public required GroundTruthKind Kind { get; init; }
    public required Cause Cause { get; init; }
    public required ScopeType ScopeType { get; init; }
    /// <summary>Terminal, merchant, region or gateway id, firmware version, or "platform".</summary>
    public required string ScopeId { get; init; }
    public required DateTimeOffset Start { get; init; }
    public required DateTimeOffset End { get; init; }
    /// <summary>Share of the scope's sales that fail because of it (0..1); 1 for an offline network.</summary>
    public required double Intensity { get; init; }
    /// <summary>The severity src/PosMonitor.Core/Detection/timeout-causes.md gives such an incident; null for decoys.</summary>
    public Severity? ExpectedSeverity { get; init; }
    /// <summary>Terminals in the scope that were switched on during the window, in id order.</summary>
    public required IReadOnlyList<string> AffectedTerminals { get; init; }
    public int AffectedMerchants { get; init; }
    /// <summary>The <c>--fault</c> text, or the decoy's name.</summary>
    public required string Spec { get; init; }
    public string Description { get; init; } = "";
}

/// <summary>The simulation a ground truth belongs to.</summary>
public sealed record GroundTruthRun(int Seed, int Terminals, DateTimeOffset Start, DateTimeOffset End, IReadOnlyList<GroundTruthEntry> Entries);

/// <summary>Reads and writes <c>ground-truth.json</c>: <c>{ "seed", "terminals", "start", "end", "entries": [...] }</c>, names in camelCase, enums by their wire names.</summary>
public static class GroundTruthJson
{
    private static readonly string[] KindNames = ["fault", "decoy", "maintenance"];

    public static void Write(Stream stream, GroundTruthRun run)
    {
        using var w = new Utf8JsonWriter(stream, new JsonWriterOptions { Indented = true });
        w.WriteStartObject();
        w.WriteNumber("seed", run.Seed);
        w.WriteNumber("terminals", run.Terminals);
        w.WriteString("start", TelemetryWriter.FormatTime(run.Start));
        w.WriteString("end", TelemetryWriter.FormatTime(run.End));
        w.WriteStartArray("entries");
        foreach (var e in run.Entries)
        {
            w.WriteStartObject();
            w.WriteString("kind", KindNames[(int)e.Kind]);
            w.WriteString("cause", Causes.Name(e.Cause));
            w.WriteString("scopeType", Causes.Name(e.ScopeType));
            w.WriteString("scopeId", e.ScopeId);
            w.WriteString("start", TelemetryWriter.FormatTime(e.Start));
            w.WriteString("end", TelemetryWriter.FormatTime(e.End));
            w.WriteNumber("intensity", Math.Round(e.Intensity, 4));
            if (e.ExpectedSeverity is { } severity) w.WriteString("expectedSeverity", Causes.Name(severity));
            else w.WriteNull("expectedSeverity");
            w.WriteString("spec", e.Spec);
            w.WriteString("description", e.Description);
            w.WriteNumber("affectedMerchants", e.AffectedMerchants);
            w.WriteStartArray("affectedTerminals");
            foreach (var t in e.AffectedTerminals) w.WriteStringValue(t);
            w.WriteEndArray();
            w.WriteEndObject();
        }
        w.WriteEndArray();
        w.WriteEndObject();
    }

    /// <exception cref="FormatException">The file is not a ground truth written by <see cref="Write"/>.</exception>
    public static GroundTruthRun Read(Stream stream)
    {
        try
        {
            using var doc = JsonDocument.Parse(stream);
            var root = doc.RootElement;
            var entries = new List<GroundTruthEntry>();
            foreach (var e in root.GetProperty("entries").EnumerateArray())
            {
                var kind = Array.IndexOf(KindNames, e.GetProperty("kind").GetString());
                if (kind < 0) throw new FormatException($"unknown kind '{e.GetProperty("kind").GetString()}'");
                if (!Causes.TryParse(e.GetProperty("cause").GetString(), out Cause cause)) throw new FormatException($"unknown cause '{e.GetProperty("cause").GetString()}'");
                if (!Causes.TryParse(e.GetProperty("scopeType").GetString(), out ScopeType scope)) throw new FormatException($"unknown scopeType '{e.GetProperty("scopeType").GetString()}'");
                Severity? severity = e.TryGetProperty("expectedSeverity", out var s) && s.ValueKind == JsonValueKind.String && Causes.TryParse(s.GetString(), out Severity parsed) ? parsed : null;
                entries.Add(new GroundTruthEntry
                {
                    Kind = (GroundTruthKind)kind,
                    Cause = cause,
                    ScopeType = scope,
                    ScopeId = e.GetProperty("scopeId").GetString()!,
                    Start = Time(e.GetProperty("start")),
                    End = Time(e.GetProperty("end")),
                    Intensity = e.GetProperty("intensity").GetDouble(),
                    ExpectedSeverity = severity,
                    AffectedTerminals = e.GetProperty("affectedTerminals").EnumerateArray().Select(t => t.GetString()!).ToArray(),
                    AffectedMerchants = e.TryGetProperty("affectedMerchants", out var m) ? m.GetInt32() : 0,
                    Spec = e.TryGetProperty("spec", out var spec) ? spec.GetString() ?? "" : "",
                    Description = e.TryGetProperty("description", out var d) ? d.GetString() ?? "" : "",
                });
            }
            return new GroundTruthRun(root.GetProperty("seed").GetInt32(), root.GetProperty("terminals").GetInt32(),
                Time(root.GetProperty("start")), Time(root.GetProperty("end")), entries);
        }
        catch (Exception e) when (e is JsonException or KeyNotFoundException or InvalidOperationException)
        {
            throw new FormatException($"not a ground-truth file: {e.Message}", e);
        }
    }

    private static DateTimeOffset Time(JsonElement e) =>
        DateTimeOffset.Parse(e.GetString()!, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal);
}
