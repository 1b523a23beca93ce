namespace PosMonitor.Web.Features.Demo;

/// <summary>Settings under <c>PosMonitor:Demo</c>: a simulated fleet and live traffic so a new user sees data at once.</summary>
public sealed class DemoOptions
{
    public const string Section = "PosMonitor:Demo";

    /// <summary>True in Development (appsettings.Development.json), false otherwise.</summary>
    public bool Enabled { get; set; }

    public int Terminals { get; set; } = 300;

    public int Seed { get; set; } = 7;

    /// <summary>Minutes of history sent at start-up, so charts are not empty.</summary>
    public int BackfillMinutes { get; set; } = 30;

    /// <summary>Faults injected into the demo traffic, in the simulator's grammar (offsets from the start of the backfill).</summary>
    public List<string> Faults { get; set; } = ["gateway:gw-wechat:45%:20m:at=40m", "hardware:terminal=random:paper_out:30m:at=35m"];

    /// <summary>
    /// The estate's background noise in the simulator's grammar (<see cref="Core.Simulation.BackgroundNoise.Parse"/>):
    /// <c>default</c> (an ordinary estate: lost heartbeats, paper rolls, reboots, late events...), <c>none</c>, or overrides.
    /// </summary>
    public string Background { get; set; } = "default";
}
