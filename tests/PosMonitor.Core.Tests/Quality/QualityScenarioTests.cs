using PosMonitor.Core.Quality;
using PosMonitor.Core.Simulation;

namespace PosMonitor.Core.Tests.Quality;

public class QualityScenarioTests
{
    [Fact]
    public void Faults_start_at_any_second_of_their_minute_the_same_for_the_same_seed()
    {
        // A fault starting on the minute fails its fifth sale within seconds yet cannot be told from a short blip
        // before the next minute is seen: scored so, every wide fault looks a minute slow from its evidence.
        var duration = TimeSpan.FromHours(6);
        var offsets = QualityScenario.Faults(4, duration).Select(f => FaultSpec.Parse(f).StartOffset!.Value).ToList();

        Assert.True(offsets.Select(o => o.Seconds).Distinct().Count() >= 3, string.Join(", ", offsets));
        Assert.All(offsets, o => Assert.InRange(o, TimeSpan.Zero, duration));
        Assert.Equal(offsets, QualityScenario.Faults(4, duration).Select(f => FaultSpec.Parse(f).StartOffset!.Value));
        Assert.NotEqual(offsets, QualityScenario.Faults(5, duration).Select(f => FaultSpec.Parse(f).StartOffset!.Value));
    }
}
