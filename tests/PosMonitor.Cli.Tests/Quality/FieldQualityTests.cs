using System.IO.Compression;
using System.Text.Json;
using PosMonitor.Cli.Quality;
using PosMonitor.Core.Incidents;
using PosMonitor.Core.Simulation;

namespace PosMonitor.Cli.Tests.Quality;

/// <summary>
/// <c>quality --field DIR</c> on a labelled fleet in the field layout (fleet.json, events.ndjson.gz, truth.json), made here
/// from a small simulation so the test needs nothing outside the repository.
/// </summary>
public sealed class FieldQualityTests : IDisposable
{
    private readonly string _dir = Path.Combine(Path.GetTempPath(), "posmonitor-field-" + Guid.NewGuid().ToString("N"));

    public FieldQualityTests() => Directory.CreateDirectory(_dir);

    public void Dispose()
    {
        if (Directory.Exists(_dir)) Directory.Delete(_dir, recursive: true);
    }

    [Fact]
    public async Task Scores_a_gzipped_labelled_fleet_by_its_own_rules_next_to_the_static_rule()
    {
        var start = new DateTimeOffset(2026, 11, 25, 2, 0, 0, TimeSpan.Zero);
        var simulator = new Simulator(new SimulationOptions
        {
            Terminals = 150,
            Seed = 5,
            Start = start,
            Duration = TimeSpan.FromHours(2),
            Faults = [FaultSpec.Parse("gateway:gateway=random:60%:20m:at=1h")],
        });
        var raw = Path.Combine(_dir, "raw");
        SimulationFiles.Write(simulator, raw);
        var field = Path.Combine(_dir, "field-1");
        Directory.CreateDirectory(field);
        File.Copy(Path.Combine(raw, "fleet.json"), Path.Combine(field, "fleet.json"));
        using (var source = File.OpenRead(Path.Combine(raw, "events.ndjson")))
        using (var target = new GZipStream(File.Create(Path.Combine(field, "events.ndjson.gz")), CompressionLevel.Fastest))
            source.CopyTo(target);
        var fault = simulator.GroundTruth.Single(e => e.Kind == GroundTruthKind.Fault);
        File.WriteAllText(Path.Combine(field, "truth.json"), JsonSerializer.Serialize(new
        {
            version = 1,
            span = new { start = start.ToString("yyyy-MM-ddTHH:mm:ssZ"), end = start.AddHours(2).ToString("yyyy-MM-ddTHH:mm:ssZ") },
            faults = new[]
            {
                new
                {
                    id = "F01", cause = Causes.Name(fault.Cause), scopeType = Causes.Name(fault.ScopeType), scopeId = fault.ScopeId,
                    start = fault.Start.ToString("yyyy-MM-ddTHH:mm:ss.fffZ"), end = fault.End.ToString("yyyy-MM-ddTHH:mm:ss.fffZ"),
                    affectedTerminals = fault.AffectedTerminals, variant = "gateway",
                },
            },
            firmwareRollouts = Array.Empty<object>(),
        }));

        var (exit, output, error) = await CommandRun.InvokeAsync(QualityCommand.Create(), ["quality", "--seeds", "none", "--field", field, "--verbose"]);

        Assert.True(exit == 0, error);
        Assert.Contains("| Figure | field-1: engine | field-1: static rule |", output);
        Assert.Matches(@"\| Faults detected \| 100\.0% \(1/1\) \|", output);
        Assert.Matches(@"\| Right cause and scope \(type and id\) \| 100\.0% \(1/1\) \|", output);
        Assert.Matches(@"\| Latency from evidence p50 \| \d+ s \|", output);
        Assert.Contains($"F01 gateway gateway gateway {fault.ScopeId}: gateway gateway {fault.ScopeId},", output);
    }

    [Fact]
    public async Task A_folder_that_is_not_a_labelled_fleet_is_refused_naming_the_missing_file()
    {
        var (exit, _, error) = await CommandRun.InvokeAsync(QualityCommand.Create(), ["quality", "--seeds", "none", "--field", _dir]);
        Assert.Equal(2, exit);
        Assert.Contains("fleet.json", error);
    }
}
