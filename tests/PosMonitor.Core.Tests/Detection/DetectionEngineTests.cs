using PosMonitor.Core.Detection;
using PosMonitor.Core.Fleet;
using PosMonitor.Core.Incidents;
using PosMonitor.Core.Telemetry;
using FleetModel = PosMonitor.Core.Fleet.Fleet;

namespace PosMonitor.Core.Tests.Detection;

public class DetectionEngineTests
{
    private static readonly TimeSpan History = TimeSpan.FromMinutes(60);
    private static readonly DateTimeOffset Start = TrafficScenario.Monday9Utc;
    private static readonly DateTimeOffset FaultAt = Start + History;

    private static TrafficScenario Scenario(Func<Terminal, DateTimeOffset, Fault?>? inject = null, FleetModel? fleet = null)
    {
        var s = new TrafficScenario(fleet ?? TrafficScenario.MakeFleet(), Start);
        s.Inject = inject;
        return s;
    }

    private static Func<Terminal, DateTimeOffset, Fault?> During(Func<Terminal, bool> who, Fault fault, TimeSpan? length = null) =>
        (t, at) => at >= FaultAt && at < FaultAt + (length ?? TimeSpan.FromHours(10)) && who(t) ? fault : null;

    private static Incident Single(TrafficScenario s, Cause cause, ScopeType scope, string scopeId, Severity severity)
    {
        Assert.Empty(s.Problems);
        Assert.True(s.Opened.Count == 1, Describe(s));
        var opened = s.Opened[0];
        Assert.Equal((cause, scope, scopeId, severity), (opened.Cause, opened.ScopeType, opened.ScopeId, opened.Severity));
        Assert.Equal(Causes.DefaultRunbookId(cause), opened.RunbookId);
        Assert.NotEmpty(opened.Evidence);
        Assert.True(opened.OpenedAt >= FaultAt, "opened before the fault started");
        return opened;
    }

    internal static string Describe(TrafficScenario s) => string.Join("\n", s.Changes.Select(c =>
        $"{c.Kind} {c.Incident.Id} {c.Incident.OpenedAt:HH:mm:ss} {c.Incident.Title} [{string.Join("; ", c.Incident.Evidence)}] "
        + $"terminals {string.Join(",", c.Incident.AffectedTerminalIds)}"));

    private static Incident OnlyOpen(TrafficScenario s)
    {
        Assert.True(s.OpenIncidents.Count == 1, Describe(s));
        return s.OpenIncidents[0];
    }

    [Fact]
    public void A_cold_engine_says_until_when_it_only_learns_and_a_restored_one_does_not()
    {
        var cold = Scenario();
        cold.Run(TimeSpan.FromMinutes(1));
        Assert.Equal(Start + cold.Settings.WarmUp, cold.Engine.LearningUntil);
        cold.Run(cold.Settings.WarmUp + TimeSpan.FromMinutes(10)); // and enough minutes learned to skip it after a restart
        Assert.Null(cold.Engine.LearningUntil);

        var restored = Scenario();
        Restore(restored.Engine, Saved(cold.Engine));
        restored.Run(TimeSpan.FromMinutes(1));
        Assert.Null(restored.Engine.LearningUntil);
    }

    [Fact]
    public void Normal_traffic_opens_nothing()
    {
        var s = Scenario();
        s.Run(TimeSpan.FromHours(3));
        Assert.Empty(s.Problems);
        Assert.True(s.Opened.Count == 0, Describe(s));
    }

    [Fact]
    public void Connect_timeouts_at_one_merchant_open_one_network_merchant_incident()
    {
        var s = Scenario(During(t => t.MerchantId == "m-east-2", new Fault { Rate = 0.6, Stage = Stage.Connect }));
        s.Run(History + TimeSpan.FromMinutes(15));
        var incident = Single(s, Cause.Network, ScopeType.Merchant, "m-east-2", Severity.Major);
        Assert.True(incident.OpenedAt - FaultAt < TimeSpan.FromMinutes(3), $"opened after {incident.OpenedAt - FaultAt}");
        var current = s.OpenIncidents.Single();
        Assert.True(current.AffectedTerminals == 4, Describe(s));
        Assert.Equal(1, current.AffectedMerchants);
        Assert.StartsWith("Merchant m-east-2 (Shop east 2): ", incident.Title);
    }

    [Fact]
    public void Send_timeouts_on_one_terminal_open_one_network_terminal_incident()
    {
        var s = Scenario(During(t => t.Id == "T-south-3-2", new Fault { Rate = 0.7, Stage = Stage.Send }));
        s.Run(History + TimeSpan.FromMinutes(15));
        Single(s, Cause.Network, ScopeType.Terminal, "T-south-3-2", Severity.Minor);
    }

    [Fact]
    public void Host_timeouts_everywhere_open_one_server_platform_incident()
    {
        var s = Scenario(During(_ => true, new Fault { Rate = 0.3, Stage = Stage.Host }));
        s.Run(History + TimeSpan.FromMinutes(10));
        var incident = Single(s, Cause.Server, ScopeType.Platform, "platform", Severity.Critical);
        Assert.True(incident.OpenedAt - FaultAt < TimeSpan.FromMinutes(2), $"opened after {incident.OpenedAt - FaultAt}");
        Assert.True(s.OpenIncidents.Single().AffectedMerchants >= 10);
    }

    [Fact]
    public void Gateway_timeouts_on_one_gateway_open_one_gateway_incident_across_merchants()
    {
        var s = Scenario(During(t => t.GatewayId == "gw-b", new Fault { Rate = 0.4, Stage = Stage.Gateway }));
        s.Run(History + TimeSpan.FromMinutes(10));
        var incident = Single(s, Cause.Gateway, ScopeType.Gateway, "gw-b", Severity.Critical);
        Assert.True(incident.OpenedAt - FaultAt < TimeSpan.FromMinutes(2), $"opened after {incident.OpenedAt - FaultAt}");
        Assert.StartsWith("Gateway gw-b: ", incident.Title);
        Assert.Contains(incident.Evidence, e => e.StartsWith("other gateways", StringComparison.Ordinal));
        Assert.Equal(4, s.OpenIncidents.Single().AffectedMerchants);
    }

    [Fact]
    public void A_gateway_slowing_every_sale_without_timeouts_opens_one_gateway_incident_within_two_minutes()
    {
        // src/PosMonitor.Core/Detection/timeout-causes.md: a slow gateway shows as long stageMs.gateway on every sale, before most of them time out.
        var s = Scenario(During(t => t.GatewayId == "gw-b", new Fault { SlowMs = 6_000, Stage = Stage.Gateway }));
        s.Run(History + TimeSpan.FromMinutes(10));
        var incident = Single(s, Cause.Gateway, ScopeType.Gateway, "gw-b", Severity.Critical);
        Assert.True(incident.OpenedAt - FaultAt <= TimeSpan.FromMinutes(2), $"opened after {incident.OpenedAt - FaultAt}");
        Assert.EndsWith("of sales take 3 s or more at the gateway stage", incident.Title);
        Assert.Contains(incident.Evidence, e => e.StartsWith("sales taking 3 s or more at the gateway stage", StringComparison.Ordinal));
    }

    [Fact]
    public void Hosts_slowing_every_sale_everywhere_open_one_server_platform_incident()
    {
        var s = Scenario(During(_ => true, new Fault { SlowMs = 5_000, Stage = Stage.Host }));
        s.Run(History + TimeSpan.FromMinutes(10));
        var incident = Single(s, Cause.Server, ScopeType.Platform, "platform", Severity.Critical);
        Assert.True(incident.OpenedAt - FaultAt <= TimeSpan.FromMinutes(2), $"opened after {incident.OpenedAt - FaultAt}");
        Assert.EndsWith("of sales take 3 s or more at the platform hosts", incident.Title);
    }

    [Fact]
    public void Sales_slow_for_one_minute_on_a_gateway_open_nothing()
    {
        var s = Scenario(During(t => t.GatewayId == "gw-b", new Fault { SlowMs = 6_000, Stage = Stage.Gateway }, TimeSpan.FromMinutes(1)));
        s.Run(History + TimeSpan.FromMinutes(20));
        Assert.Empty(s.Problems);
        Assert.True(s.Opened.Count == 0, Describe(s));
    }

    [Fact]
    public void Notify_timeouts_in_one_region_open_one_third_party_region_incident()
    {
        var s = Scenario(During(t => t.RegionId == "north", new Fault { Rate = 0.5, Stage = Stage.Notify }));
        s.Run(History + TimeSpan.FromMinutes(10));
        Single(s, Cause.ThirdParty, ScopeType.Region, "north", Severity.Minor);
    }

    [Fact]
    public void Print_timeouts_with_a_printer_fault_open_one_hardware_incident_once_the_state_outlasts_a_paper_change()
    {
        // Half the receipts fail and the printer says paper_out: a roll changed within minutes is routine and its failed
        // receipts are its own, so this opens once the state outlasts what a paper change takes (10 minutes), not before.
        var s = Scenario(During(t => t.Id == "T-north-1-3", new Fault { Rate = 0.5, Stage = Stage.Print, Printer = PrinterStatus.PaperOut }));
        s.Run(History + TimeSpan.FromMinutes(15));
        var incident = Single(s, Cause.Hardware, ScopeType.Terminal, "T-north-1-3", Severity.Minor);
        Assert.InRange(incident.OpenedAt - FaultAt, TimeSpan.FromMinutes(10), TimeSpan.FromMinutes(11.5));
    }

    [Fact]
    public void Print_timeouts_without_a_printer_state_open_a_hardware_incident_at_once()
    {
        // Nothing the device says explains the failing receipts: they are judged as a rate, like any other symptom.
        var s = Scenario(During(t => t.Id == "T-north-1-3", new Fault { Rate = 0.5, Stage = Stage.Print }));
        s.Run(History + TimeSpan.FromMinutes(15));
        var incident = Single(s, Cause.Hardware, ScopeType.Terminal, "T-north-1-3", Severity.Minor);
        Assert.True(incident.OpenedAt - FaultAt < TimeSpan.FromMinutes(5), $"opened after {incident.OpenedAt - FaultAt}");
    }

    [Fact]
    public void A_printer_out_of_paper_for_a_few_minutes_opens_nothing()
    {
        // A paper roll runs out and is changed within three minutes, a receipt failing meanwhile: a device notice, not work for people.
        var s = Scenario(During(t => t.Id == "T-north-1-3", new Fault { Rate = 0.5, Stage = Stage.Print, Printer = PrinterStatus.PaperOut },
            TimeSpan.FromMinutes(3)));
        s.Run(History + TimeSpan.FromMinutes(30));
        Assert.Empty(s.Problems);
        Assert.True(s.Opened.Count == 0, Describe(s));
    }

    [Fact]
    public void A_printer_reporting_paper_out_opens_a_hardware_incident_once_it_persists()
    {
        // No sale fails at print: the heartbeat's own printer status is the evidence, once it outlasts a paper change (10 min).
        var s = Scenario(During(t => t.Id == "T-north-1-3", new Fault { Printer = PrinterStatus.PaperOut }));
        s.Run(History + TimeSpan.FromMinutes(9));
        Assert.True(s.Opened.Count == 0, Describe(s));
        s.Run(History + TimeSpan.FromMinutes(12));
        var incident = Single(s, Cause.Hardware, ScopeType.Terminal, "T-north-1-3", Severity.Minor);
        Assert.InRange(incident.OpenedAt - FaultAt, TimeSpan.FromMinutes(10), TimeSpan.FromMinutes(11.5));
        Assert.Contains("printer paper_out", incident.Title, StringComparison.Ordinal);
    }

    [Fact]
    public void A_printer_jam_opens_sooner_than_paper_out_when_the_fleet_shows_no_routine_jams()
    {
        var s = Scenario(During(t => t.Id == "T-north-1-3", new Fault { Printer = PrinterStatus.Jam }));
        s.Run(History + TimeSpan.FromMinutes(8));
        var incident = Single(s, Cause.Hardware, ScopeType.Terminal, "T-north-1-3", Severity.Minor);
        Assert.InRange(incident.OpenedAt - FaultAt, TimeSpan.FromMinutes(3), TimeSpan.FromMinutes(4.5));
    }

    [Fact]
    public void A_lone_terminal_going_silent_with_no_sign_of_a_restart_opens_after_three_missed_heartbeats()
    {
        // Heartbeats every minute: one lost is routine, and two on cellular. It opens once it missed three (190 s after
        // its last). Nothing says it may be restarting (no rollout, no app failures, no other terminal quiet) and its region
        // keeps reporting, so it opens then, without waiting out a restart or the 30 s confirmation.
        var s = Scenario(During(t => t.Id == "T-east-2-2", new Fault { Silent = true }));
        s.Run(History + TimeSpan.FromMinutes(8));
        var incident = Single(s, Cause.Network, ScopeType.Terminal, "T-east-2-2", Severity.Minor);
        var lastHeartbeat = s.Store.GetState("T-east-2-2")!.LastHeartbeatAt!.Value;
        Assert.InRange(incident.OpenedAt - lastHeartbeat, TimeSpan.FromSeconds(190), TimeSpan.FromSeconds(205));
        Assert.Contains("stopped reporting", incident.Title, StringComparison.Ordinal);
        Assert.Contains(incident.Evidence, e => e.Contains("not a restart", StringComparison.Ordinal));
    }

    [Fact]
    public void A_lone_terminal_quiet_for_two_heartbeats_opens_nothing()
    {
        // Two heartbeats lost in a row (a gap of three minutes): routine on cellular.
        var s = Scenario(During(t => t.Id == "T-east-2-2", new Fault { Silent = true }, TimeSpan.FromSeconds(120)));
        s.Run(History + TimeSpan.FromMinutes(20));
        Assert.Empty(s.Problems);
        Assert.True(s.Opened.Count == 0, Describe(s));
    }

    [Fact]
    public void A_lone_terminal_going_silent_while_a_rollout_is_under_way_opens_only_once_a_restart_is_ruled_out()
    {
        // Other terminals reported firmware 2.0.0 over the five minutes before: this one may be installing it. A restart
        // (up to two minutes, starting up to a minute after the last heartbeat) is over by the fourth heartbeat, so it
        // is down once that is missed too (250 s after its last one), and not before.
        var s = Scenario(During(t => t.Id == "T-east-2-2", new Fault { Silent = true }));
        RollOutAround(s, id => id == "T-east-2-2");
        s.Run(History + TimeSpan.FromMinutes(8));
        var incident = Single(s, Cause.Network, ScopeType.Terminal, "T-east-2-2", Severity.Minor);
        var lastHeartbeat = s.Store.GetState("T-east-2-2")!.LastHeartbeatAt!.Value;
        Assert.InRange(incident.OpenedAt - lastHeartbeat, TimeSpan.FromSeconds(240), TimeSpan.FromSeconds(266));
        Assert.Contains(incident.Evidence, e => e.Contains("rollout to 2.0.0 under way", StringComparison.Ordinal));
    }

    [Fact]
    public void Input_timeouts_and_cancellations_at_one_merchant_open_one_operator_incident()
    {
        var s = Scenario(During(t => t.MerchantId == "m-south-4", new Fault { Rate = 0.3, Stage = Stage.Input, CancelRate = 0.3 }));
        s.Run(History + TimeSpan.FromMinutes(15));
        Single(s, Cause.Operator, ScopeType.Merchant, "m-south-4", Severity.Major);
    }

    [Fact]
    public void Terminals_of_an_open_merchant_going_silent_open_one_network_merchant_incident()
    {
        var s = Scenario(During(t => t.MerchantId == "m-north-3", new Fault { Silent = true }));
        s.Run(History + TimeSpan.FromMinutes(10));
        var incident = Single(s, Cause.Network, ScopeType.Merchant, "m-north-3", Severity.Major);
        // Each terminal missed two heartbeats (the evidence: its start plus two intervals); its region keeps reporting, so
        // no wider outage is forming and it opens without the 30 s confirmation.
        var evidence = FaultAt + TimeSpan.FromMinutes(2);
        Assert.True(incident.OpenedAt - evidence < TimeSpan.FromSeconds(30), $"opened {incident.OpenedAt - evidence} after the evidence");
        Assert.Contains("stopped reporting", incident.Title, StringComparison.Ordinal);
    }

    /// <summary>Every other terminal of the fleet but the <paramref name="quiet"/> ones moves to firmware 2.0.0 over the six minutes before the fault.</summary>
    private static void RollOutAround(TrafficScenario s, Func<string, bool> quiet)
    {
        var chosen = s.Fleet.Terminals.Keys.Order(StringComparer.Ordinal).Where((id, i) => i % 2 == 1 && !quiet(id)).ToList();
        var inner = s.Inject!;
        s.Inject = (t, at) =>
        {
            var i = chosen.IndexOf(t.Id);
            if (i >= 0 && at >= FaultAt - TimeSpan.FromMinutes(6) + TimeSpan.FromSeconds(i * 300.0 / chosen.Count)) s.Firmware[t.Id] = "2.0.0";
            return inner(t, at);
        };
    }

    [Fact]
    public void A_whole_shop_quiet_for_less_than_a_restart_while_a_rollout_is_under_way_opens_nothing()
    {
        // A rollout is under way: a till may be installing it while its neighbour's link drops for a minute or two (a two-till
        // shop quiet at once, both back within three minutes). That is routine at a rollout, not a shop outage.
        var s = Scenario(During(t => t.MerchantId == "m-north-3", new Fault { Silent = true }, TimeSpan.FromSeconds(150)));
        RollOutAround(s, id => s.Fleet.Terminals[id].MerchantId == "m-north-3");
        s.Run(History + TimeSpan.FromMinutes(12));
        Assert.Empty(s.Problems);
        Assert.True(s.Opened.Count == 0, Describe(s));
    }

    [Fact]
    public void A_whole_shop_going_silent_while_a_rollout_is_under_way_opens_once_a_restart_is_ruled_out()
    {
        var s = Scenario(During(t => t.MerchantId == "m-north-3", new Fault { Silent = true }));
        RollOutAround(s, id => s.Fleet.Terminals[id].MerchantId == "m-north-3");
        s.Run(History + TimeSpan.FromMinutes(10));
        var incident = Single(s, Cause.Network, ScopeType.Merchant, "m-north-3", Severity.Major);
        // A restart (up to two minutes from up to a minute after the last heartbeat) is over by the fourth heartbeat; a shop's
        // finding then may still wait its 30 s confirmation while the region's own terminals restart for the rollout.
        var lastHeartbeat = s.Fleet.Terminals.Values.Where(t => t.MerchantId == "m-north-3")
            .Max(t => s.Store.GetState(t.Id)!.LastHeartbeatAt!.Value);
        Assert.InRange(incident.OpenedAt - lastHeartbeat, TimeSpan.FromSeconds(240), TimeSpan.FromSeconds(300));
    }

    [Fact]
    public void Two_tills_of_a_shop_each_losing_two_heartbeats_at_once_open_nothing()
    {
        // Two of a four-till shop go quiet for two heartbeats, overlapping, while the other two keep reporting: routine loss
        // twice, not the shop's link.
        var s = Scenario(During(t => t.Id is "T-north-3-1" or "T-north-3-2", new Fault { Silent = true }, TimeSpan.FromSeconds(120)));
        s.Run(History + TimeSpan.FromMinutes(12));
        Assert.Empty(s.Problems);
        Assert.True(s.Opened.Count == 0, Describe(s));
    }

    [Fact]
    public void Half_a_shop_going_silent_while_the_rest_reports_opens_one_merchant_incident_at_three_missed_heartbeats()
    {
        var s = Scenario(During(t => t.Id is "T-north-3-1" or "T-north-3-2", new Fault { Silent = true }));
        s.Run(History + TimeSpan.FromMinutes(10));
        var incident = Single(s, Cause.Network, ScopeType.Merchant, "m-north-3", Severity.Major);
        var lastHeartbeat = new[] { "T-north-3-1", "T-north-3-2" }.Max(id => s.Store.GetState(id)!.LastHeartbeatAt!.Value);
        Assert.InRange(incident.OpenedAt - lastHeartbeat, TimeSpan.FromSeconds(185), TimeSpan.FromSeconds(235));
    }

    [Fact]
    public void A_region_going_silent_opens_one_network_region_incident()
    {
        var s = Scenario(During(t => t.RegionId == "east", new Fault { Silent = true }));
        s.Run(History + TimeSpan.FromMinutes(10));
        var incident = Single(s, Cause.Network, ScopeType.Region, "east", Severity.Critical);
        Assert.True(incident.OpenedAt - FaultAt < TimeSpan.FromMinutes(3), $"opened after {incident.OpenedAt - FaultAt}");
        Assert.Equal(16, s.OpenIncidents.Single().AffectedTerminals);
    }

    [Fact]
    public void A_region_losing_packets_opens_on_its_failing_sales_without_waiting_for_a_third_poor_link_minute()
    {
        // A carrier's loss shows in the heartbeats (poor link, the stronger signal, which must show in three minutes) and in
        // sales failing at connect, which show the fault has lasted once they fail in two.
        var s = Scenario(During(t => t.RegionId == "east", new Fault { Rate = 0.4, Stage = Stage.Connect, PacketLossPct = 25 }));
        s.Run(History + TimeSpan.FromMinutes(10));
        var incident = Single(s, Cause.Network, ScopeType.Region, "east", Severity.Critical);
        Assert.True(incident.OpenedAt - FaultAt < TimeSpan.FromMinutes(2), $"opened after {incident.OpenedAt - FaultAt}");
    }

    [Fact]
    public void A_closed_merchant_falling_silent_at_night_opens_nothing()
    {
        // 10:00-22:00 in Shanghai is 02:00-14:00 UTC: run across closing time.
        var fleet = TrafficScenario.MakeFleet(openingHours: "10:00-22:00", timeZone: "Asia/Shanghai");
        var s = new TrafficScenario(fleet, new DateTimeOffset(2026, 11, 23, 12, 30, 0, TimeSpan.Zero));
        s.Run(TimeSpan.FromHours(3));
        Assert.Empty(s.Problems);
        Assert.True(s.Opened.Count == 0, Describe(s));
    }

    [Fact]
    public void Two_sales_with_one_timeout_are_not_a_rate()
    {
        var s = Scenario((t, at) => t.Id == "T-east-1-1" && at >= FaultAt && at < FaultAt + TimeSpan.FromMinutes(2)
            ? new Fault { Rate = 0.5, Stage = Stage.Connect } : null);
        s.SalesRate = t => t.Id == "T-east-1-1" ? 0.07 : 2;
        s.Run(History + TimeSpan.FromMinutes(15));
        Assert.True(s.Opened.Count == 0, Describe(s));
    }

    [Fact]
    public void A_store_that_always_runs_hot_opens_nothing()
    {
        var s = Scenario();
        s.BackgroundNetworkRate = t => t.MerchantId == "m-north-2" ? 0.12 : 0.003;
        s.Run(TimeSpan.FromHours(3));
        Assert.True(s.Opened.Count == 0, Describe(s));
    }

    [Fact]
    public void A_quiet_shops_fault_is_not_learned_as_its_normal_before_it_opens()
    {
        // Four terminals selling 0.6 a minute each, after a morning of history, then 30% of sales failing at input: a
        // failure or two a minute, which takes more than the short window to tell from noise. Its first minutes look
        // merely elevated; learned at once they lifted the shop's normal (0.9% to 1.7%) and it opened only after 930 s.
        var history = TimeSpan.FromMinutes(144);
        var faultAt = Start + history;
        var s = new TrafficScenario(TrafficScenario.MakeFleet(), Start, seed: 3);
        s.SalesRate = t => t.MerchantId == "m-south-4" ? 0.6 : 2;
        s.Inject = (t, at) => at >= faultAt && t.MerchantId == "m-south-4" ? new Fault { Rate = 0.3, Stage = Stage.Input } : null;
        s.Run(history);
        var before = LearnedRate(s, "m-south-4", Signal.Input);
        while (s.Opened.Count == 0 && s.Now < faultAt + TimeSpan.FromMinutes(30)) s.Run(s.Settings.Interval);

        var incident = Assert.Single(s.Opened);
        Assert.Equal((Cause.Operator, ScopeType.Merchant, "m-south-4"), (incident.Cause, incident.ScopeType, incident.ScopeId));
        Assert.True(incident.OpenedAt - faultAt <= TimeSpan.FromMinutes(13), $"opened after {incident.OpenedAt - faultAt}");
        Assert.InRange(LearnedRate(s, "m-south-4", Signal.Input), 0, before * 1.05);
    }

    /// <summary>
    /// A till making a sale a minute whose cashier leaves a customer at the PIN pad every eight minutes: never three input
    /// timeouts in a quarter hour, four in half an hour against about one in a thousand sales on an ordinary day.
    /// </summary>
    [Theory]
    [InlineData(30, true)]
    [InlineData(0, false)]
    public void A_quiet_till_s_input_timeouts_over_half_an_hour_open_an_operator_incident_through_the_rare_window(int rareMinutes, bool opens)
    {
        // Three hours of history: the fleet's normal learned near its one in a thousand, not its prior's.
        var faultAt = Start + TimeSpan.FromHours(3);
        var settings = new DetectionSettings { RareWindow = TimeSpan.FromMinutes(rareMinutes) };
        var s = new TrafficScenario(TrafficScenario.MakeFleet(), Start, settings);
        s.SalesRate = t => t.Id == "T-east-2-1" ? 1 : 2;
        s.Inject = (t, at) => t.Id == "T-east-2-1" && at >= faultAt && (int)(at - faultAt).TotalMinutes % 8 == 0
            ? new Fault { ExtraFailures = 1, Stage = Stage.Input } : null;
        s.Run(faultAt - Start + TimeSpan.FromMinutes(40));

        if (!opens)
        {
            Assert.True(s.Opened.Count == 0, Describe(s));
            return;
        }
        Assert.Empty(s.Problems);
        var incident = Assert.Single(s.Opened);
        Assert.Equal((Cause.Operator, ScopeType.Terminal, "T-east-2-1"), (incident.Cause, incident.ScopeType, incident.ScopeId));
        Assert.InRange(incident.OpenedAt - faultAt, TimeSpan.FromMinutes(16), TimeSpan.FromMinutes(27));
        Assert.Contains(incident.Evidence, e => e.Contains("last 30 min", StringComparison.Ordinal));
    }

    private static double LearnedRate(TrafficScenario s, string merchantId, Signal signal)
    {
        var saved = s.Engine.ExportScopeBaselines().Single(b => b.ScopeType == ScopeType.Merchant && b.ScopeId == merchantId);
        var learned = ScopeBaseline.Decode(byWeek: true, saved.Figures)!;
        return learned.All(Signals.Index(signal)) / learned.All(Signals.Sales);
    }

    private static (BaselineHeader Header, List<SavedScopeBaseline> Scopes) Saved(DetectionEngine engine) =>
        (engine.BaselineHeader, engine.ExportScopeBaselines().ToList());

    private static void Restore(DetectionEngine engine, (BaselineHeader Header, List<SavedScopeBaseline> Scopes) saved)
    {
        Assert.True(engine.ImportBaselines(saved.Header));
        foreach (var scope in saved.Scopes) engine.ImportScopeBaseline(scope);
    }

    [Fact]
    public void A_flapping_fault_opens_one_incident()
    {
        var s = Scenario((t, at) =>
        {
            var into = at - FaultAt;
            var on = into >= TimeSpan.Zero && into < TimeSpan.FromMinutes(30) && into.TotalMinutes % 5 < 2;
            return on && t.GatewayId == "gw-c" ? new Fault { Rate = 0.4, Stage = Stage.Gateway } : null;
        });
        s.Run(History + TimeSpan.FromMinutes(30));
        Single(s, Cause.Gateway, ScopeType.Gateway, "gw-c", Severity.Critical);
        OnlyOpen(s);
    }

    [Fact]
    public void A_terminal_whose_link_comes_and_goes_opens_one_incident_held_open()
    {
        // Quiet four minutes, back three, again and again: each gap outlasts routine loss, and the incident opened at the
        // first stays open through the returns (the quiet period outlasts them) instead of reopening each time.
        var s = Scenario((t, at) =>
        {
            var into = at - FaultAt;
            var quiet = into >= TimeSpan.Zero && into < TimeSpan.FromMinutes(35) && into.TotalMinutes % 7 < 4;
            return quiet && t.Id == "T-east-2-2" ? new Fault { Silent = true } : null;
        });
        s.Run(History + TimeSpan.FromMinutes(35));
        Single(s, Cause.Network, ScopeType.Terminal, "T-east-2-2", Severity.Minor);
        OnlyOpen(s);
    }

    [Fact]
    public void An_incident_resolves_after_the_quiet_period_and_not_before()
    {
        var s = Scenario(During(t => t.GatewayId == "gw-a", new Fault { Rate = 0.4, Stage = Stage.Gateway }, TimeSpan.FromMinutes(5)));
        s.Run(History + TimeSpan.FromMinutes(5));
        OnlyOpen(s);
        s.Run(s.Settings.QuietPeriod);
        OnlyOpen(s);
        s.Run(TimeSpan.FromMinutes(15));
        Assert.True(s.OpenIncidents.Count == 0, Describe(s));
        var resolved = Assert.Single(s.Changes, c => c.Kind == IncidentChangeKind.Resolved).Incident;
        Assert.True(resolved.ResolvedAt - (FaultAt + TimeSpan.FromMinutes(5)) >= s.Settings.QuietPeriod);
        Assert.Single(s.Opened);
    }

    [Fact]
    public void Open_incidents_are_updated_while_the_fault_spreads()
    {
        // The fault reaches one merchant of gw-b, then all of them.
        var s = Scenario((t, at) => at >= FaultAt && t.GatewayId == "gw-b"
            && (t.MerchantId == "m-north-2" || at >= FaultAt + TimeSpan.FromMinutes(6))
            ? new Fault { Rate = 0.5, Stage = Stage.Gateway } : null);
        s.Run(History + TimeSpan.FromMinutes(15));
        Assert.Empty(s.Problems);
        var incident = OnlyOpen(s);
        Assert.Equal((ScopeType.Gateway, "gw-b"), (incident.ScopeType, incident.ScopeId));
        Assert.True(incident.AffectedMerchants >= 3);
        Assert.True(s.Opened.Count <= 1 + s.Changes.Count(c => c.Kind == IncidentChangeKind.Resolved));
        Assert.Contains(s.Changes, c => c.Kind == IncidentChangeKind.Updated);
    }

    [Fact]
    public void An_engine_taking_over_judges_tills_asleep_on_the_cadence_their_minutes_show()
    {
        // A shop's tills sleep (a heartbeat every seven minutes, no sales) while its hours say open: a shop opening late.
        // The engine that watched them learned that; one taking detection over (a restart, another node) has seen no
        // heartbeat of theirs yet, and its lookback's minutes show one in seven: no till of it is down.
        var s = Scenario((t, at) => t.MerchantId == "m-north-3" && (int)(at - Start).TotalMinutes % 7 != 0 ? new Fault { Silent = true } : null);
        s.Run(History);
        Assert.True(s.Opened.Count == 0, Describe(s));
        var learned = Saved(s.Engine);

        s.Engine = new DetectionEngine(s.Settings, s.Time, s.Ids);
        Restore(s.Engine, learned);
        s.Run(TimeSpan.FromMinutes(20));
        Assert.Empty(s.Problems);
        Assert.True(s.Opened.Count == 0, Describe(s));
    }

    [Fact]
    public void An_engine_just_taking_over_still_opens_a_shop_going_silent_on_time()
    {
        // Its minutes show a heartbeat every minute: that is the cadence the new engine judges the shop's silence on.
        var s = Scenario(During(t => t.MerchantId == "m-north-3", new Fault { Silent = true }));
        s.Run(History - TimeSpan.FromMinutes(1));
        var learned = Saved(s.Engine);
        s.Engine = new DetectionEngine(s.Settings, s.Time, s.Ids);
        Restore(s.Engine, learned);
        s.Run(TimeSpan.FromMinutes(11));
        var incident = Single(s, Cause.Network, ScopeType.Merchant, "m-north-3", Severity.Major);
        Assert.True(incident.OpenedAt - (FaultAt + TimeSpan.FromMinutes(2)) < TimeSpan.FromSeconds(30), $"opened at {incident.OpenedAt:HH:mm:ss}");
    }

    [Fact]
    public void A_restarted_engine_adopts_open_incidents_instead_of_opening_duplicates()
    {
        var s = Scenario(During(t => t.GatewayId == "gw-b", new Fault { Rate = 0.4, Stage = Stage.Gateway }, TimeSpan.FromMinutes(12)));
        s.Run(History + TimeSpan.FromMinutes(6));
        var before = OnlyOpen(s);
        var learned = Saved(s.Engine);

        s.Engine = new DetectionEngine(s.Settings, s.Time, s.Ids);
        Restore(s.Engine, learned);
        s.Run(TimeSpan.FromMinutes(4));
        Assert.Single(s.Opened);
        Assert.Equal(before.Id, OnlyOpen(s).Id);

        s.Run(TimeSpan.FromMinutes(30));
        Assert.Single(s.Opened);
        Assert.Equal(before.Id, Assert.Single(s.Changes, c => c.Kind == IncidentChangeKind.Resolved).Incident.Id);
    }

    [Fact]
    public void A_recurring_maintenance_window_silences_its_merchant()
    {
        var s = Scenario(During(t => t.MerchantId == "m-north-3", new Fault { Silent = true }, TimeSpan.FromMinutes(30)));
        s.Maintenance.Add(new MaintenanceWindow
        {
            Id = "mw-1", ScopeType = ScopeType.Merchant, ScopeId = "m-north-3",
            Recurrence = MaintenanceRecurrence.Daily, LocalStart = TimeOnly.FromDateTime(FaultAt.UtcDateTime).AddMinutes(-1),
            Duration = TimeSpan.FromMinutes(45),
        });
        s.Run(History + TimeSpan.FromMinutes(40));
        Assert.Empty(s.Problems);
        Assert.True(s.Opened.Count == 0, Describe(s));
    }

    [Fact]
    public void A_one_off_maintenance_window_silences_its_gateway_but_not_others()
    {
        var s = Scenario((t, at) => at < FaultAt ? null
            : t.GatewayId == "gw-a" ? new Fault { Rate = 0.5, Stage = Stage.Gateway }
            : t.MerchantId == "m-east-2" ? new Fault { Rate = 0.6, Stage = Stage.Connect }
            : null);
        s.Maintenance.Add(new MaintenanceWindow
        {
            Id = "mw-2", ScopeType = ScopeType.Gateway, ScopeId = "gw-a",
            StartsAt = FaultAt - TimeSpan.FromMinutes(5), EndsAt = FaultAt + TimeSpan.FromHours(1),
        });
        s.Run(History + TimeSpan.FromMinutes(15));
        Single(s, Cause.Network, ScopeType.Merchant, "m-east-2", Severity.Major);
    }

    [Fact]
    public void A_firmware_rollout_with_a_defect_opens_one_software_incident_on_that_version()
    {
        var s = Scenario();
        var rolledOut = RollOut(s);
        s.Inject = WithDefect(s, s.Inject!, "2.0.0", new Fault { Rate = 0.3, Stage = Stage.App, Outcome = Outcome.Error });
        s.Run(History + TimeSpan.FromMinutes(15));
        var incident = Single(s, Cause.Software, ScopeType.Firmware, "2.0.0", Severity.Major);
        Assert.Contains(incident.Evidence, e => e.StartsWith("rollout: 2.0.0", StringComparison.Ordinal));
        Assert.True(s.OpenIncidents.Single().AffectedTerminals <= rolledOut);
    }

    [Fact]
    public void A_firmware_rollout_without_a_defect_opens_nothing()
    {
        var s = Scenario();
        RollOut(s);
        s.Run(History + TimeSpan.FromMinutes(30));
        Assert.True(s.Opened.Count == 0, Describe(s));
    }

    /// <summary>From the fault time, every other terminal moves to firmware 2.0.0 over five minutes.</summary>
    private static int RollOut(TrafficScenario s)
    {
        var chosen = s.Fleet.Terminals.Keys.Order(StringComparer.Ordinal).Where((_, i) => i % 2 == 0).ToList();
        var inner = s.Inject;
        s.Inject = (t, at) =>
        {
            var i = chosen.IndexOf(t.Id);
            if (i >= 0 && at >= FaultAt + TimeSpan.FromSeconds(i * 300.0 / chosen.Count)) s.Firmware[t.Id] = "2.0.0";
            return inner?.Invoke(t, at);
        };
        return chosen.Count;
    }

    private static Func<Terminal, DateTimeOffset, Fault?> WithDefect(TrafficScenario s, Func<Terminal, DateTimeOffset, Fault?> inner,
        string firmware, Fault fault) => (t, at) => inner(t, at) ?? (s.Firmware[t.Id] == firmware ? fault : null);
}
