using PosMonitor.Core.Incidents;
using PosMonitor.Core.Quality;
using PosMonitor.Core.Simulation;
using PosMonitor.Core.Telemetry;

namespace PosMonitor.Core.Tests.Quality;

public class QualityScoreTests
{
    private static readonly DateTimeOffset T0 = new(2026, 11, 25, 3, 0, 0, TimeSpan.Zero);

    private static GroundTruthEntry Fault(Cause cause, ScopeType type, string id, params string[] terminals) => new()
    {
        Kind = GroundTruthKind.Fault, Cause = cause, ScopeType = type, ScopeId = id, Start = T0, End = T0.AddMinutes(15),
        Intensity = 0.4, AffectedTerminals = terminals, Spec = $"{cause}:{id}",
    };

    private static Incident Opened(string id, Cause cause, ScopeType type, string scopeId, TimeSpan after, params string[] terminals) => new()
    {
        Id = id, Cause = cause, ScopeType = type, ScopeId = scopeId, Severity = Severity.Major, OpenedAt = T0 + after,
        RunbookId = "rb", Title = id, AffectedTerminalIds = terminals, UpdatedAt = T0 + after,
    };

    [Fact]
    public void Right_incident_counts_as_detected_and_attributed_with_its_latency()
    {
        var score = QualityScore.Evaluate([Fault(Cause.Gateway, ScopeType.Gateway, "gw-a", "T1", "T2")],
            [Opened("i1", Cause.Gateway, ScopeType.Gateway, "gw-a", TimeSpan.FromSeconds(75), "T1")], 1000);
        Assert.Equal((1, 1, 0, 0), (score.Detected, score.Attributed, score.Duplicates, score.FalsePositives.Count));
        Assert.Equal(TimeSpan.FromSeconds(75), score.LatencyPercentile(0.95));
    }

    [Fact]
    public void Incident_on_the_fault_terminals_with_another_scope_is_detected_not_attributed_and_a_second_is_a_duplicate()
    {
        var score = QualityScore.Evaluate([Fault(Cause.Gateway, ScopeType.Gateway, "gw-a", "T1", "T2")],
        [
            Opened("i1", Cause.Gateway, ScopeType.Merchant, "m-1", TimeSpan.FromSeconds(30), "T1"),
            Opened("i2", Cause.Gateway, ScopeType.Merchant, "m-2", TimeSpan.FromSeconds(60), "T2"),
        ], 1000);
        Assert.Equal((1, 0, 1, 0), (score.Detected, score.Attributed, score.Duplicates, score.FalsePositives.Count));
    }

    [Fact]
    public void Incident_elsewhere_or_long_after_the_fault_is_a_false_positive_per_1000_terminal_hours()
    {
        var score = QualityScore.Evaluate([Fault(Cause.Gateway, ScopeType.Gateway, "gw-a", "T1")],
        [
            Opened("i1", Cause.Network, ScopeType.Terminal, "T9", TimeSpan.FromMinutes(5), "T9"),
            Opened("i2", Cause.Gateway, ScopeType.Gateway, "gw-a", TimeSpan.FromMinutes(40), "T1"),
        ], 2000);
        Assert.Equal(0, score.Detected);
        Assert.Equal(2, score.FalsePositives.Count);
        Assert.Equal(1.0, score.FalsePositiveRate, 6);
    }

    [Fact]
    public void One_terminal_merchant_and_its_terminal_are_one_scope()
    {
        var sole = new Dictionary<string, string> { ["m-1"] = "T1" };
        var score = QualityScore.Evaluate([Fault(Cause.Network, ScopeType.Merchant, "m-1", "T1")],
            [Opened("i1", Cause.Network, ScopeType.Terminal, "T1", TimeSpan.FromMinutes(2), "T1")], 1000, sole);
        Assert.Equal(1, score.Attributed);
    }

    [Fact]
    public void Table_has_a_column_per_detector()
    {
        var score = QualityScore.Evaluate([], [], 1000);
        var table = QualityScore.Table([("Engine", score), ("Static", score)]);
        Assert.StartsWith("| Figure | Engine | Static |", table);
        Assert.Contains("| False positives per 1,000 terminal-hours | 0.00 (0) | 0.00 (0) |", table);
    }

    [Fact]
    public void Evidence_counts_the_fault_terminals_sales_and_failures_two_minutes_either_side_of_its_start()
    {
        var fault = Fault(Cause.Gateway, ScopeType.Gateway, "gw-a", "T1", "T2");
        var counter = new EvidenceCounter([fault]);
        var n = 0;
        void Sale(string terminal, double minutes, Outcome outcome) => counter.Add(new Transaction
        {
            EventId = $"e{++n}", TerminalId = terminal, Timestamp = T0.AddMinutes(minutes), Outcome = outcome,
            Stage = outcome == Outcome.Approved ? null : Stage.Gateway, LatencyMs = 900,
        });
        Sale("T1", -2.5, Outcome.Timeout); // before the span
        Sale("T1", -1, Outcome.Timeout);
        Sale("T2", -0.5, Outcome.Approved);
        Sale("T1", 0, Outcome.Timeout);
        Sale("T2", 0.5, Outcome.Declined); // a refusal, not a failure
        Sale("T2", 1, Outcome.Cancelled);
        Sale("T1", 1.5, Outcome.Error);
        Sale("T3", 1, Outcome.Timeout); // not the fault's terminal
        Sale("T1", 2, Outcome.Timeout); // after the span
        Assert.Equal(new FaultEvidence(SalesBefore: 2, FailedBefore: 1, Sales: 4, Failed: 3), counter.Result[fault]);

        // The fifth failure since the start is when the fault could be told from noise.
        Sale("T2", 4, Outcome.Approved);
        Sale("T2", 6, Outcome.Timeout);
        Sale("T1", 7, Outcome.Timeout);
        Assert.Equal(T0.AddMinutes(6), counter.Result[fault].EvidenceAt);
    }

    [Fact]
    public void Latency_can_be_counted_from_when_the_fault_had_shown_itself_never_from_before_its_start()
    {
        var slow = Fault(Cause.Operator, ScopeType.Merchant, "m-1", "T1");
        var fast = Fault(Cause.Gateway, ScopeType.Gateway, "gw-a", "T2");
        var score = QualityScore.Evaluate([slow, fast],
        [
            Opened("i1", Cause.Operator, ScopeType.Merchant, "m-1", TimeSpan.FromSeconds(300), "T1"),
            Opened("i2", Cause.Gateway, ScopeType.Gateway, "gw-a", TimeSpan.FromSeconds(60), "T2"),
        ], 1000);
        Assert.Equal(TimeSpan.FromSeconds(300), score.LatencyPercentile(0.95));
        // m-1 showed itself 240 s in; gw-a's "evidence" time before its start counts from the start.
        var shown = new Dictionary<string, DateTimeOffset> { ["m-1"] = T0.AddSeconds(240), ["gw-a"] = T0.AddSeconds(-30) };
        Assert.Equal(TimeSpan.FromSeconds(60), score.LatencyPercentile(0.95, f => shown[f.Fault.ScopeId]));
        Assert.Equal(TimeSpan.Zero, score.LatencyPercentile(0.95, f => T0.AddSeconds(400)));
    }
}
