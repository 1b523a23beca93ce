using Bunit;
using Microsoft.Extensions.DependencyInjection;
using PosMonitor.Core.Incidents;
using PosMonitor.Web.Features.Incidents;
using PosMonitor.Web.Tests.Infrastructure;

namespace PosMonitor.Web.Tests.Incidents;

public class IncidentTimelineTests : BunitTest
{
    private static readonly DateTimeOffset T0 = new(2026, 3, 14, 3, 52, 0, TimeSpan.Zero);

    public IncidentTimelineTests()
    {
        Services.AddSingleton<IncidentTitleText>();
        Services.AddSingleton<EvidenceText>();
    }

    [Theory]
    [InlineData("en", "Detection reopened the incident: the fault was still there after it was resolved (Gateway gw-wechat: 52% of sales time out at the gateway stage) · Critical · 3 merchants, 9 terminals",
        "Resolved over detection's warning (Gateway gw-wechat: 41% of sales time out at the gateway stage): WeChat Pay says it is fixed")]
    [InlineData("zh-CN", "检测重新开启了事件：解决后故障仍在（网关 gw-wechat：52% 的交易在支付网关环节超时） · 严重 · 3 家商户，9 台终端",
        "不顾检测警告强制解决（网关 gw-wechat：41% 的交易在支付网关环节超时）：WeChat Pay says it is fixed")]
    public void A_resolve_over_the_warning_and_detection_reopening_the_incident_say_so_with_their_figures(string culture, string reopened, string overridden)
    {
        using var _ = CultureScope.UseUi(culture);
        var timeline = Render<IncidentTimeline>(p => p
            .Add(x => x.Events,
            [
                new IncidentEvent(T0, "opened", Severity.Critical, "Gateway gw-wechat: 41% of sales time out at the gateway stage", 3, 9),
                new IncidentEvent(T0.AddMinutes(4), "resolved_by_hand", Severity.Critical, "Gateway gw-wechat: 41% of sales time out at the gateway stage", 3, 9),
                new IncidentEvent(T0.AddMinutes(5), "reopened", Severity.Critical, "Gateway gw-wechat: 52% of sales time out at the gateway stage", 3, 9),
            ])
            .Add(x => x.Notes,
            [
                new TicketNote(T0.AddMinutes(4), NoteKinds.Status, "resolved", "alice"),
                new TicketNote(T0.AddMinutes(4), NoteKinds.Override, "Gateway gw-wechat: 41% of sales time out at the gateway stage\nWeChat Pay says it is fixed", "alice"),
            ]));

        var entries = timeline.FindAll(".timeline-entry").Select(e => e.QuerySelector(".timeline-text")!.TextContent).ToList();

        Assert.Equal(4, entries.Count); // the agent's resolve is their status note, not a second line
        Assert.Equal(overridden, entries[2]);
        Assert.Equal(reopened, entries[3]);
    }

    [Fact]
    public void Detection_events_and_agent_notes_are_merged_in_time_order()
    {
        var timeline = Render<IncidentTimeline>(p => p
            .Add(x => x.Events,
            [
                new IncidentEvent(T0, "opened", Severity.Critical, "Gateway timeouts", 1, 3),
                new IncidentEvent(T0.AddMinutes(30), "resolved", Severity.Critical, "Gateway timeouts", 2, 3),
            ])
            .Add(x => x.Notes,
            [
                new TicketNote(T0.AddMinutes(5), NoteKinds.Escalation, "1:Gateway liaison <ops@x>", "system"),
                new TicketNote(T0.AddMinutes(6), NoteKinds.Status, "acknowledged", "alice"),
                new TicketNote(T0.AddMinutes(8), NoteKinds.Step, "2:skipped:no second gateway", "alice"),
                new TicketNote(T0.AddMinutes(9), NoteKinds.Note, "Provider confirms a fault in their Shanghai site", "alice"),
            ]));

        var entries = timeline.FindAll(".timeline-entry").Select(e => e.QuerySelector(".timeline-text")!.TextContent).ToList();

        Assert.Equal(6, entries.Count);
        Assert.Equal("Detection opened the incident · Critical · 1 merchant, 3 terminals", entries[0]);
        Assert.Equal("Escalated to level 1: Gateway liaison <ops@x>", entries[1]);
        Assert.Equal("Status → Acknowledged", entries[2]);
        Assert.Equal("Step 2 skipped: no second gateway", entries[3]);
        Assert.Equal("Provider confirms a fault in their Shanghai site", entries[4]);
        Assert.StartsWith("Detection saw the signal return to normal", entries[5]);
        Assert.Contains("timeline-auto", timeline.FindAll(".timeline-entry")[1].ClassName);
        Assert.Contains("timeline-agent", timeline.FindAll(".timeline-entry")[2].ClassName);
        Assert.Equal("alice", timeline.FindAll(".timeline-entry")[2].QuerySelector(".timeline-author")!.TextContent);
    }

    [Fact]
    public void A_growing_fault_s_updates_between_other_entries_read_as_one_line_with_the_latest_figures()
    {
        // Checked every 15 s, a spreading gateway fault was updated six times in two minutes, each telling the merchants
        // that joined: a dozen lines that said nothing an agent acts on.
        var timeline = Render<IncidentTimeline>(p => p
            .Add(x => x.Events,
            [
                new IncidentEvent(T0, "opened", Severity.Critical, "Gateway timeouts", 4, 6),
                new IncidentEvent(T0.AddSeconds(15), "updated", Severity.Critical, "Gateway timeouts", 5, 7),
                new IncidentEvent(T0.AddSeconds(30), "updated", Severity.Critical, "Gateway timeouts", 5, 9),
                new IncidentEvent(T0.AddSeconds(45), "updated", Severity.Critical, "Gateway timeouts", 7, 11),
                new IncidentEvent(T0.AddSeconds(75), "updated", Severity.Critical, "Gateway timeouts", 8, 12),
            ])
            .Add(x => x.Notes,
            [
                new TicketNote(T0, NoteKinds.Notice, "opened:4", "system"),
                new TicketNote(T0.AddSeconds(15), NoteKinds.Notice, "opened:1", "system"),
                new TicketNote(T0.AddSeconds(45), NoteKinds.Notice, "opened:2", "system"),
                new TicketNote(T0.AddSeconds(60), NoteKinds.Note, "Provider confirms", "alice"),
            ]));

        var entries = timeline.FindAll(".timeline-entry").Select(e => e.TextContent).ToList();

        Assert.Equal(6, entries.Count);
        Assert.Contains("Detection opened the incident · Critical · 4 merchants, 6 terminals", entries[0]);
        Assert.Contains("Merchants told (4): opened", entries[1]);
        Assert.Contains("03:52:45", entries[2]);
        Assert.Contains("Detection updated the incident 3 times · Critical · 7 merchants, 11 terminals", entries[2]);
        Assert.Contains("Merchants told (3): opened", entries[3]);
        Assert.Contains("Provider confirms", entries[4]);
        Assert.Contains("Detection updated the incident · Critical · 8 merchants, 12 terminals", entries[5]);
    }
}
