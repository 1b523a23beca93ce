using System.Text.Json;
using PosMonitor.Core.Incidents;
using PosMonitor.Core.Simulation;
using static PosMonitor.Core.Tests.Simulation.SimulationRuns;

namespace PosMonitor.Core.Tests.Simulation;

public class GroundTruthJsonTests
{
    [Fact]
    public void Ground_truth_round_trips_through_its_file()
    {
        var sim = new Simulator(Options("gateway:gw-unionpay:40%:15m:at=1h", "hardware:terminal=random:jam:at=30m") with { Decoys = Decoys.All });
        var run = sim.GroundTruthRun();
        using var stream = new MemoryStream();
        GroundTruthJson.Write(stream, run);

        var read = GroundTruthJson.Read(new MemoryStream(stream.ToArray()));

        Assert.Equal((run.Seed, run.Terminals, run.Start, run.End), (read.Seed, read.Terminals, read.Start, read.End));
        Assert.Equal(run.Entries.Count, read.Entries.Count);
        foreach (var (a, b) in run.Entries.Zip(read.Entries))
        {
            Assert.Equal(a with { AffectedTerminals = [], Intensity = 0 }, b with { AffectedTerminals = [], Intensity = 0 });
            Assert.Equal(a.AffectedTerminals, b.AffectedTerminals);
            Assert.Equal(a.Intensity, b.Intensity, 4);
        }
    }

    [Fact]
    public void File_uses_wire_names()
    {
        var sim = new Simulator(Options("third_party:region=south:at=1h"));
        using var stream = new MemoryStream();
        GroundTruthJson.Write(stream, sim.GroundTruthRun());
        var entry = JsonDocument.Parse(stream.ToArray()).RootElement.GetProperty("entries")[0];

        Assert.Equal("fault", entry.GetProperty("kind").GetString());
        Assert.Equal("third_party", entry.GetProperty("cause").GetString());
        Assert.Equal("region", entry.GetProperty("scopeType").GetString());
        Assert.Equal("south", entry.GetProperty("scopeId").GetString());
        Assert.Equal("2026-11-25T03:00:00.000Z", entry.GetProperty("start").GetString());
        Assert.Equal("minor", entry.GetProperty("expectedSeverity").GetString());
        Assert.Equal(Causes.Name(Cause.ThirdParty), entry.GetProperty("cause").GetString());
    }

    [Fact]
    public void A_file_of_another_shape_is_refused() =>
        Assert.Throws<FormatException>(() => GroundTruthJson.Read(new MemoryStream("""{"entries":[{"kind":"rumour"}]}"""u8.ToArray())));
}
