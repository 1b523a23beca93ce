using PosMonitor.Core.Detection;
using PosMonitor.Core.Incidents;
using PosMonitor.Core.Rollups;
using PosMonitor.Core.Telemetry;

namespace PosMonitor.Core.Tests.Detection;

public class IncidentTrackerTests
{
    private static readonly DateTimeOffset T0 = TrafficScenario.Monday9Utc;
    private readonly DetectionSettings _settings = new();
    private readonly Core.Fleet.Fleet _fleet = TrafficScenario.MakeFleet();
    private readonly FleetIndex _index;
    private readonly MinuteCache _minutes = new();
    private readonly NormalsCache _normals = new();
    private readonly FrameBuffers _buffers = new();
    private readonly Baselines _baselines = new(10);

    public IncidentTrackerTests() => _index = new FleetIndex(_fleet);

    /// <summary>One check at <paramref name="at"/>: the merchant's finding when <paramref name="found"/>; what opened.</summary>
    private List<IncidentChange> Check(IncidentTracker tracker, DateTimeOffset at, bool found, Cause cause = Cause.Network)
    {
        var input = new DetectionInput { Fleet = _fleet, States = new Dictionary<string, Core.Rollups.TerminalState>() };
        _minutes.Update(_index, input, at - _settings.Lookback);
        var frame = new DetectionFrame(_index, input, _minutes, _normals, _buffers, at, _settings, _baselines);
        var m = _index.MerchantIndex["m-east-2"];
        List<Finding> findings = found
            ? [new Finding
            {
                Cause = cause, ScopeType = ScopeType.Merchant, Scope = m, ScopeId = "m-east-2", Signal = cause == Cause.Operator ? Signal.Input : Signal.Network,
                Rate = 0.4, Surprise = 7, Title = "Merchant m-east-2: 40% of sales time out", Evidence = ["test"],
                Affected = [.. _index.MerchantTerminals[m]],
            }]
            : [];
        var changes = new List<IncidentChange>();
        tracker.Apply(new TrackerTick(frame, findings, MayOpen: true, StillElevated: _ => true, Persisted: _ => true, changes, []));
        return changes.Where(c => c.Kind == IncidentChangeKind.Opened).ToList();
    }

    [Fact]
    public void A_narrow_finding_that_misses_one_check_keeps_its_place_in_the_confirmation()
    {
        var tracker = new IncidentTracker(_settings, new SequentialIncidentIdGenerator());
        var step = _settings.Interval; // 15 s; confirmation 30 s
        Assert.Empty(Check(tracker, T0, found: true));
        Assert.Empty(Check(tracker, T0 + step, found: false)); // at its threshold, one check misses it
        var opened = Check(tracker, T0 + 2 * step, found: true);
        Assert.Equal(T0 + 2 * step, Assert.Single(opened).Incident.OpenedAt);
    }

    [Fact]
    public void A_narrow_finding_gone_for_longer_starts_its_confirmation_again()
    {
        var tracker = new IncidentTracker(_settings, new SequentialIncidentIdGenerator());
        var step = _settings.Interval;
        Assert.Empty(Check(tracker, T0, found: true));
        Assert.Empty(Check(tracker, T0 + step, found: false));
        Assert.Empty(Check(tracker, T0 + 2 * step, found: false));
        Assert.Empty(Check(tracker, T0 + 3 * step, found: true)); // first seen again now
        Assert.Empty(Check(tracker, T0 + 4 * step, found: true));
        Assert.Single(Check(tracker, T0 + 5 * step, found: true));
    }

    [Fact]
    public void A_shop_s_operator_trouble_waits_only_for_a_second_look_as_no_wider_incident_can_be_forming()
    {
        // The confirmation lets a spreading fault open as one wide incident; operator trouble is one store's or one
        // terminal's (src/PosMonitor.Core/Detection/timeout-causes.md), so a store's finding waits only to be seen twice in a row, not the full 30 s.
        var step = _settings.Interval;
        var operatorTracker = new IncidentTracker(_settings, new SequentialIncidentIdGenerator());
        Assert.Empty(Check(operatorTracker, T0, found: true, Cause.Operator));
        Assert.Equal(T0 + step, Assert.Single(Check(operatorTracker, T0 + step, found: true, Cause.Operator)).Incident.OpenedAt);

        var networkTracker = new IncidentTracker(_settings, new SequentialIncidentIdGenerator());
        Assert.Empty(Check(networkTracker, T0, found: true));
        Assert.Empty(Check(networkTracker, T0 + step, found: true));
        Assert.Single(Check(networkTracker, T0 + 2 * step, found: true));
    }

    /// <summary>One check at <paramref name="at"/> with the terminals of <paramref name="onNew"/>'s merchants reporting firmware 2.0.0 (the rest 1.0.0).</summary>
    private List<IncidentChange> Tick(IncidentTracker tracker, DateTimeOffset at, string[] onNew, Func<DetectionFrame, List<Finding>> findings,
        IReadOnlyList<MinuteBatch>? minutes = null, bool stillElevated = true)
    {
        var states = _fleet.Terminals.Values.ToDictionary(t => t.Id, t => new Core.Rollups.TerminalState
        {
            TerminalId = t.Id, LastSeenAt = at, LastHeartbeatAt = at, Firmware = onNew.Contains(t.MerchantId) ? "2.0.0" : "1.0.0",
        });
        var input = new DetectionInput { Fleet = _fleet, States = states, MinuteBatches = minutes };
        _minutes.Update(_index, input, at - _settings.Lookback);
        var frame = new DetectionFrame(_index, input, _minutes, _normals, _buffers, at, _settings, _baselines);
        var changes = new List<IncidentChange>();
        tracker.Apply(new TrackerTick(frame, findings(frame), MayOpen: true, StillElevated: _ => stillElevated, Persisted: _ => true, changes, []));
        return changes;
    }

    /// <summary>A finding of app failures on <paramref name="scopeId"/> whose failing terminals are those of <paramref name="merchants"/>.</summary>
    private Finding AppFailures(DetectionFrame frame, ScopeType type, string scopeId, params string[] merchants) => new()
    {
        Cause = Cause.Software, ScopeType = type, ScopeId = scopeId, Signal = Signal.App,
        Scope = type == ScopeType.Platform ? 0 : frame.Level(type).IndexOf[scopeId],
        Rate = 0.2, Surprise = 9, Title = $"{scopeId}: 20% of sales fail in the terminal app", Evidence = ["test"],
        Affected = [.. merchants.SelectMany(m => _index.MerchantTerminals[_index.MerchantIndex[m]])],
    };

    [Fact]
    public void A_peer_finding_whose_failing_terminals_are_on_an_open_incident_s_firmware_joins_it()
    {
        // A defective firmware thick in one region makes the region's app failures abnormal too: one fault, one incident.
        var tracker = new IncidentTracker(_settings, new SequentialIncidentIdGenerator());
        string[] onNew = ["m-north-1", "m-east-1", "m-east-2"];
        var opened = Assert.Single(Tick(tracker, T0, onNew, f => [AppFailures(f, ScopeType.Firmware, "2.0.0", "m-north-1", "m-east-1")]));
        Assert.Equal(IncidentChangeKind.Opened, opened.Kind);

        var changes = Tick(tracker, T0 + TimeSpan.FromMinutes(1), onNew, f =>
            [AppFailures(f, ScopeType.Firmware, "2.0.0", "m-north-1", "m-east-1"), AppFailures(f, ScopeType.Region, "east", "m-east-1", "m-east-2")]);

        Assert.DoesNotContain(changes, c => c.Kind == IncidentChangeKind.Opened);
        var incident = Assert.Single(tracker.Open).Incident;
        Assert.Equal((ScopeType.Firmware, "2.0.0"), (incident.ScopeType, incident.ScopeId));
        Assert.Contains("T-east-2-1", incident.AffectedTerminalIds);
    }

    [Fact]
    public void A_peer_finding_whose_failing_terminals_are_elsewhere_opens_its_own_incident()
    {
        var tracker = new IncidentTracker(_settings, new SequentialIncidentIdGenerator());
        string[] onNew = ["m-north-1", "m-east-1"];
        Tick(tracker, T0, onNew, f => [AppFailures(f, ScopeType.Firmware, "2.0.0", "m-north-1", "m-east-1")]);

        var changes = Tick(tracker, T0 + TimeSpan.FromMinutes(1), onNew, f =>
            [AppFailures(f, ScopeType.Firmware, "2.0.0", "m-north-1", "m-east-1"), AppFailures(f, ScopeType.Region, "east", "m-east-2", "m-east-3")]);

        var opened = Assert.Single(changes, c => c.Kind == IncidentChangeKind.Opened).Incident;
        Assert.Equal((ScopeType.Region, "east"), (opened.ScopeType, opened.ScopeId));
    }

    [Fact]
    public void A_wider_finding_whose_failures_are_mostly_an_open_incident_s_joins_it_though_most_of_its_terminals_are_elsewhere()
    {
        // One shop's operator fault lifts its region's input timeouts; the region's other tills add one each, as a
        // customer walking away from the PIN pad does. They outnumber the shop's tills (8 to 4), not its failures (8 to
        // 24): one fault, one incident.
        var tracker = new IncidentTracker(_settings, new SequentialIncidentIdGenerator());
        Tick(tracker, T0, [], f => [InputFailures(f, ScopeType.Merchant, "m-east-1", "m-east-1")]);
        var shop = Assert.Single(Tick(tracker, T0 + _settings.Interval, [], f => [InputFailures(f, ScopeType.Merchant, "m-east-1", "m-east-1")])).Incident;
        Assert.Equal((Cause.Operator, ScopeType.Merchant), (shop.Cause, shop.ScopeType));

        // Long after the shop's incident opened, so not its first sign of a spreading fault (that would promote it).
        var at = T0 + _settings.LongWindow + TimeSpan.FromMinutes(2);
        var minute = TerminalMinute.MinuteOf(at) - TimeSpan.FromMinutes(1);
        var rows = new[] { ("m-east-1", 6), ("m-east-2", 1), ("m-east-3", 1) }
            .SelectMany(m => _index.MerchantTerminals[_index.MerchantIndex[m.Item1]].Select(t =>
            {
                var row = new TerminalMinute(_index.TerminalIds[t], minute) { Transactions = 10, Approved = 10 - m.Item2, Timeouts = m.Item2 };
                row.TimeoutsByStage[(int)Stage.Input] = m.Item2;
                return row;
            }))
            .ToList();
        var changes = Tick(tracker, at, [], f => [InputFailures(f, ScopeType.Region, "east", "m-east-1", "m-east-2", "m-east-3")],
            [new MinuteBatch(minute, 1, rows)]);

        Assert.DoesNotContain(changes, c => c.Kind == IncidentChangeKind.Opened);
        Assert.Equal(shop.Id, Assert.Single(tracker.Open).Incident.Id);
    }

    [Fact]
    public void A_rare_window_finding_does_not_reopen_an_incident_resolved_within_that_window_and_a_usual_one_does()
    {
        // A quiet shop's cashier trouble resolved; its input timeouts stay in the rare window for half an hour, and one
        // ordinary timeout more would find them again: the same fault, not a new one.
        var tracker = new IncidentTracker(_settings, new SequentialIncidentIdGenerator());
        Tick(tracker, T0, [], f => [InputFailures(f, ScopeType.Merchant, "m-east-1", "m-east-1")]);
        Assert.Single(Tick(tracker, T0 + _settings.Interval, [], f => [InputFailures(f, ScopeType.Merchant, "m-east-1", "m-east-1")]));
        var resolved = Tick(tracker, T0 + _settings.Interval + _settings.QuietPeriod, [], _ => [], stillElevated: false);
        Assert.Equal(IncidentChangeKind.Resolved, Assert.Single(resolved).Kind);

        var later = T0 + _settings.Interval + _settings.QuietPeriod + TimeSpan.FromMinutes(2);
        List<Finding> Rare(DetectionFrame f)
        {
            var finding = InputFailures(f, ScopeType.Merchant, "m-east-1", "m-east-1");
            finding.OverRareWindow = true;
            return [finding];
        }
        Assert.Empty(Tick(tracker, later, [], Rare));
        Assert.Empty(Tick(tracker, later + _settings.Interval, [], Rare));
        Assert.Empty(Tick(tracker, later + 2 * _settings.Interval, [], Rare));

        // Failing at a rate the usual windows see: trouble again, opened.
        var again = later + 3 * _settings.Interval;
        Tick(tracker, again, [], f => [InputFailures(f, ScopeType.Merchant, "m-east-1", "m-east-1")]);
        var opened = Tick(tracker, again + _settings.Interval, [], f => [InputFailures(f, ScopeType.Merchant, "m-east-1", "m-east-1")]);
        Assert.Equal(IncidentChangeKind.Opened, Assert.Single(opened).Kind);
    }

    /// <summary>A finding of input failures (operator) on <paramref name="scopeId"/> whose failing terminals are those of <paramref name="merchants"/>.</summary>
    private Finding InputFailures(DetectionFrame frame, ScopeType type, string scopeId, params string[] merchants) => new()
    {
        Cause = Cause.Operator, ScopeType = type, ScopeId = scopeId, Signal = Signal.Input,
        Scope = type == ScopeType.Platform ? 0 : frame.Level(type).IndexOf[scopeId],
        Rate = 0.2, Surprise = 9, Title = $"{scopeId}: 20% of sales time out at input", Evidence = ["test"],
        Affected = [.. merchants.SelectMany(m => _index.MerchantTerminals[_index.MerchantIndex[m]])],
    };

    [Fact]
    public void A_rolled_back_firmware_s_failures_seen_platform_wide_join_its_open_incident()
    {
        // After a rollback its terminals report the versions they came from, so the failures they made on the defect
        // (still in the windows) add up under those versions and the platform, long after the firmware incident opened.
        var tracker = new IncidentTracker(_settings, new SequentialIncidentIdGenerator());
        string[] onNew = ["m-north-1", "m-east-1"];
        for (var at = T0; at <= T0 + _settings.LongWindow + TimeSpan.FromMinutes(1); at += TimeSpan.FromMinutes(1))
            Tick(tracker, at, onNew, f => [AppFailures(f, ScopeType.Firmware, "2.0.0", "m-north-1", "m-east-1")]);
        var firmwareIncident = Assert.Single(tracker.Open).Incident.Id;

        var changes = Tick(tracker, T0 + _settings.LongWindow + TimeSpan.FromMinutes(2), [], f =>
            [AppFailures(f, ScopeType.Platform, "platform", "m-north-1", "m-east-1")]);

        Assert.DoesNotContain(changes, c => c.Kind == IncidentChangeKind.Opened);
        Assert.Equal(firmwareIncident, Assert.Single(tracker.Open).Incident.Id);
    }
}
