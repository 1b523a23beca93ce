using System.Text;
using PosMonitor.Core.Fleet;
using PosMonitor.Core.Incidents;
using PosMonitor.Core.Quality;

namespace PosMonitor.Core.Tests.Quality;

/// <summary>The field fleets' scoring rules (match by span and coverage, one fault per incident, evidence), case by case.</summary>
public class FieldScoreTests
{
    private static readonly DateTimeOffset T0 = new(2026, 11, 2, 0, 0, 0, TimeSpan.Zero);

    private static readonly Core.Fleet.Fleet Fleet = new(
        [new Region("east", "East")], [new Gateway("gw-a", "A"), new Gateway("gw-b", "B")],
        [new Merchant("m-1", "One", "east", "UTC", null), new Merchant("m-2", "Two", "east", "UTC", null)],
        [
            new Terminal("T-1", "m-1", "east", "gw-a", "A920", "3.2.1", null),
            new Terminal("T-2", "m-1", "east", "gw-a", "A920", "3.2.1", null),
            new Terminal("T-3", "m-2", "east", "gw-b", "A920", "3.2.1", null),
            new Terminal("T-4", "m-2", "east", "gw-b", "A920", "3.2.1", null),
        ]);

    private static FieldTruth Truth(string faults) => FieldTruth.Read(new MemoryStream(Encoding.UTF8.GetBytes($$"""
        { "span": { "start": "2026-11-02T00:00:00Z", "end": "2026-11-02T06:00:00Z" },
          "faults": [ {{faults}} ],
          "firmwareRollouts": [ { "version": "3.3.0", "terminals": ["T-3"] } ] }
        """)));

    private const string GatewayFault = """
        { "id": "F01", "cause": "gateway", "scopeType": "gateway", "scopeId": "gw-a", "variant": "gateway",
          "start": "2026-11-02T01:00:00Z", "end": "2026-11-02T01:30:00Z", "affectedTerminals": ["T-1", "T-2"] }
        """;

    private const string OfflineFault = """
        { "id": "F02", "cause": "network", "scopeType": "terminal", "scopeId": "T-4", "variant": "terminal_offline",
          "start": "2026-11-02T03:00:00Z", "end": "2026-11-02T03:20:00Z", "affectedTerminals": ["T-4"] }
        """;

    private static Incident Incident(string id, Cause cause, ScopeType type, string scope, double openedMin, double? resolvedMin) => new()
    {
        Id = id, Cause = cause, ScopeType = type, ScopeId = scope, Severity = Severity.Minor, RunbookId = "rb", Title = id,
        OpenedAt = T0.AddMinutes(openedMin), ResolvedAt = resolvedMin is { } r ? T0.AddMinutes(r) : null,
    };

    [Fact]
    public void An_exact_incident_detects_and_attributes_and_a_narrower_one_inside_it_is_a_duplicate()
    {
        var figures = FieldScore.Evaluate(Truth(GatewayFault), Fleet,
        [
            Incident("a", Cause.Gateway, ScopeType.Gateway, "gw-a", 62, 95),
            Incident("b", Cause.Hardware, ScopeType.Terminal, "T-1", 70, 80),
        ], new Dictionary<string, DateTimeOffset> { ["F01"] = T0.AddMinutes(61) });
        var f = Assert.Single(figures.Faults);
        Assert.True(f.Detected);
        Assert.True(f.Attributed);
        Assert.Equal(1, f.Duplicates);
        Assert.Equal(TimeSpan.FromMinutes(2), f.Latency);
        Assert.Equal(TimeSpan.FromMinutes(1), f.LatencyFromEvidence);
        Assert.Empty(figures.FalsePositives);
    }

    [Fact]
    public void An_incident_after_the_grace_or_on_other_terminals_is_a_false_positive()
    {
        var figures = FieldScore.Evaluate(Truth(GatewayFault), Fleet,
        [
            Incident("late", Cause.Gateway, ScopeType.Gateway, "gw-a", 41 + 60, 110),
            Incident("elsewhere", Cause.Gateway, ScopeType.Gateway, "gw-b", 65, 80),
            Incident("rollout", Cause.Software, ScopeType.Firmware, "3.3.0", 65, 80),
        ], new Dictionary<string, DateTimeOffset>());
        Assert.False(figures.Faults.Single().Detected);
        Assert.Equal(["late", "elsewhere", "rollout"], figures.FalsePositives.Select(i => i.Id));
        Assert.Equal(1000.0 * 3 / (4 * 6), figures.FalsePositiveRate, 6);
    }

    [Fact]
    public void A_silent_fault_counts_its_evidence_from_its_start_plus_two_heartbeat_intervals()
    {
        var figures = FieldScore.Evaluate(Truth(OfflineFault), Fleet,
            [Incident("o", Cause.Network, ScopeType.Terminal, "T-4", 183.5, null)], new Dictionary<string, DateTimeOffset>());
        var f = Assert.Single(figures.Faults);
        Assert.Equal(TimeSpan.FromMinutes(3.5), f.Latency);
        Assert.Equal(TimeSpan.FromMinutes(1.5), f.LatencyFromEvidence);
    }

    [Fact]
    public void A_firmware_scope_covers_the_terminals_a_rollout_brought_to_it()
    {
        var figures = FieldScore.Evaluate(Truth(OfflineFault.Replace("\"T-4\"]", "\"T-3\"]").Replace("\"scopeId\": \"T-4\"", "\"scopeId\": \"T-3\"")), Fleet,
            [Incident("fw", Cause.Software, ScopeType.Firmware, "3.3.0", 185, 200)], new Dictionary<string, DateTimeOffset>());
        Assert.True(figures.Faults.Single().Detected);
        Assert.False(figures.Faults.Single().Attributed);
    }

    [Fact]
    public void Percentiles_are_nearest_rank()
    {
        var values = Enumerable.Range(1, 20).Select(i => TimeSpan.FromSeconds(i));
        Assert.Equal(TimeSpan.FromSeconds(19), FieldScore.Percentile(values, 0.95));
        Assert.Equal(TimeSpan.FromSeconds(10), FieldScore.Percentile(values, 0.5));
    }
}
