using System.ComponentModel.DataAnnotations;
using PosMonitor.Core.Simulation;

namespace PosMonitor.Web.Features.Demo;

/// <summary>Settings under <c>PosMonitor:Demo</c>: a simulated fleet and live traffic so a new user sees data at once.</summary>
public sealed class DemoOptions : IValidatableObject
{
    public const string Section = "PosMonitor:Demo";

    /// <summary>True in Development (appsettings.Development.json), false otherwise.</summary>
    public bool Enabled { get; set; }

    [Range(1, 100_000)]
    public int Terminals { get; set; } = 300;

    public int Seed { get; set; } = 7;

    /// <summary>Minutes of history sent at start-up, so charts are not empty.</summary>
    [Range(0, 1440)]
    public int BackfillMinutes { get; set; } = 30;

    /// <summary>Faults injected into the demo traffic, in the simulator's grammar (offsets from the start of the backfill).</summary>
    /// <remarks>
    /// Empty here and filled with <see cref="DefaultFaults"/> when the setting is absent (DemoExtensions): the
    /// configuration binder appends a configured list to the items a list starts with, so faults set in
    /// configuration ran beside the defaults instead of replacing them.
    /// </remarks>
    public List<string> Faults { get; set; } = [];

    public static readonly string[] DefaultFaults = ["gateway:gw-wechat:45%:20m:at=40m", "hardware:terminal=random:paper_out:30m:at=35m"];

    /// <summary>
    /// The estate's background noise in the simulator's grammar (<see cref="Core.Simulation.BackgroundNoise.Parse"/>):
    /// <c>default</c> (an ordinary estate: lost heartbeats, paper rolls, reboots, late events...), <c>none</c>, or overrides.
    /// </summary>
    public string Background { get; set; } = "default";

    public IEnumerable<ValidationResult> Validate(ValidationContext context)
    {
        for (var i = 0; i < Faults.Count; i++)
            if (!FaultSpec.TryParse(Faults[i], out _, out var error))
                yield return new ValidationResult($"{Section}:Faults:{i} is \"{Faults[i]}\": {error} (the simulator's grammar: `posmonitor simulate --help`)");
        string? backgroundError = null;
        try
        {
            BackgroundNoise.Parse(Background);
        }
        catch (FormatException e)
        {
            backgroundError = e.Message;
        }
        if (backgroundError is not null)
            yield return new ValidationResult($"{Section}:Background is \"{Background}\": {backgroundError} (the simulator's grammar: `posmonitor simulate --help`)");
    }
}
