using PosMonitor.Core.Incidents;
using PosMonitor.Core.Quality;
using PosMonitor.Core.Simulation;

namespace PosMonitor.Core.Tests.Detection;

/// <summary>
/// Simulated scenarios replayed through detection exactly as <c>posmonitor replay</c> does
/// (<see cref="ScenarioRun"/> drives the <see cref="Core.Replay.Replayer"/>): small fleets, two
/// simulated hours (200 terminals), faults from +1 h. Each asserts the incidents opened (cause, scope type and id) and
/// that no others were. The classes run in parallel with each other.
/// </summary>
internal static class Scenarios
{
    public static readonly DateTimeOffset Start = new(2026, 11, 25, 2, 0, 0, TimeSpan.Zero);
    public const int Terminals = 200;
    public const int Seed = 7;

    /// <summary>A scenario over the estate's default background (lost heartbeats, link drops, paper rolls, ...).</summary>
    public static ScenarioRun Run(Decoys decoys, params string[] faults) => Run(decoys, BackgroundNoise.Default, faults);

    public static ScenarioRun Run(Decoys decoys, BackgroundNoise background, params string[] faults) => ScenarioRun.Execute(new SimulationOptions
    {
        Terminals = Terminals,
        Seed = Seed,
        Start = Start,
        Duration = TimeSpan.FromHours(2),
        Faults = faults.Select(FaultSpec.Parse).ToArray(),
        Decoys = decoys,
        Background = background,
    });

    /// <summary>The busiest gateway of the generated fleet, for scenarios that name one twice.</summary>
    public static string BusiestGateway() => FleetGenerator.Generate(Terminals, Seed).Terminals
        .GroupBy(t => t.Terminal.GatewayId).MaxBy(g => g.Count())!.Key;

    /// <summary>Exactly one incident per injected fault, each at the fault's cause and scope, and nothing else.</summary>
    public static void AssertOpenedExactlyTheFaults(ScenarioRun run)
    {
        // A merchant with one terminal and that terminal are one scope (QualityScore says why).
        string Same(Cause c, ScopeType t, string id) =>
            t == ScopeType.Merchant && run.SoleTerminals.GetValueOrDefault(id) is { } only ? Key(c, ScopeType.Terminal, only) : Key(c, t, id);
        var expected = run.GroundTruth.Where(e => e.Kind == GroundTruthKind.Fault)
            .Select(e => Same(e.Cause, e.ScopeType, e.ScopeId)).Distinct().Order().ToList();
        var opened = run.Engine.Select(i => Same(i.Cause, i.ScopeType, i.ScopeId)).Order().ToList();
        Assert.True(expected.SequenceEqual(opened), $"expected [{string.Join(", ", expected)}]\nopened:\n{Describe(run)}");
        Assert.Empty(run.Problems);
    }

    public static void AssertOpenedNothing(ScenarioRun run)
    {
        Assert.True(run.Engine.Count == 0, $"expected no incident, opened:\n{Describe(run)}");
        Assert.Empty(run.Problems);
    }

    private static string Key(Cause c, ScopeType t, string id) => $"{Causes.Name(c)} {Causes.Name(t)} {id}";

    private static string Describe(ScenarioRun run) => string.Join("\n", run.Engine.Select(i =>
        $"  {i.OpenedAt:HH:mm:ss}-{i.ResolvedAt:HH:mm:ss} {Key(i.Cause, i.ScopeType, i.ScopeId)}: {i.Title} [{string.Join("; ", i.Evidence)}]"))
        + "\nground truth:\n" + string.Join("\n", run.GroundTruth.Select(e => $"  {e.Kind} {e.Start:HH:mm}-{e.End:HH:mm} {e.Spec} -> {Key(e.Cause, e.ScopeType, e.ScopeId)}"));
}
