using PosMonitor.Core.Detection;

namespace PosMonitor.Core.Tests.Detection;

public class DetectionSettingsTests
{
    [Fact]
    public void Default_settings_are_valid_and_tick_every_15_seconds()
    {
        var settings = new DetectionSettings();
        Assert.Empty(settings.Validate());
        Assert.Equal(TimeSpan.FromSeconds(15), settings.Interval);
        Assert.Equal("PosMonitor:Detection", DetectionSettings.SectionName);
    }

    [Fact]
    public void Incident_ids_continue_a_sequence()
    {
        var ids = new SequentialIncidentIdGenerator(41);
        Assert.Equal("inc-000042", ids.NextId());
        Assert.Equal(42, SequentialIncidentIdGenerator.Parse("inc-000042"));
    }
}
