using System.Threading.Channels;
using Microsoft.Extensions.DependencyInjection;
using PosMonitor.Core.Detection;
using PosMonitor.Core.Incidents;
using PosMonitor.Web.Features.Detection;
using PosMonitor.Web.Features.Identity;
using PosMonitor.Web.Features.Incidents;

namespace PosMonitor.Web.Tests.Detection;

/// <summary>
/// An agent resolves a gateway incident while its fault still runs, end to end: the real detection runner, the ticket
/// feeder and the database (incident-state.md).
/// </summary>
public class ResolveWhileFailingTests
{
    private static readonly DateTimeOffset Start = DetectionFactory.Monday9Utc;
    private static readonly Viewer Staff = new(true, null, false);

    [Fact]
    public async Task The_resolve_warns_an_override_resolves_detection_reopens_it_and_closes_it_when_the_fault_ends()
    {
        await using var factory = new DetectionFactory();
        var fleet = LiveTraffic.Fleet();
        await factory.PutFleetAsync(fleet);
        var faultAt = Start.AddMinutes(10);
        var faultEnds = Start.AddMinutes(18);
        var traffic = new LiveTraffic { Fault = (_, gw, at) => gw == "gw-b" && at >= faultAt && at < faultEnds ? (0.5, "timeout", "gateway") : null };
        var pending = new Queue<TestEvent>(traffic.Generate(fleet, Start, Start.AddMinutes(34)));
        var runner = factory.Services.GetRequiredService<DetectionRunner>();
        var workflow = factory.Services.GetRequiredService<IncidentTickets>();
        var tickets = factory.Services.GetRequiredService<TicketRepository>();
        var repo = factory.Services.GetRequiredService<IncidentRepository>();
        var notices = factory.Services.GetRequiredService<MerchantNoticeRepository>();
        var changed = Channel.CreateUnbounded<string>();
        using var _ = workflow.SubscribeChanges(id => changed.Writer.TryWrite(id));

        // The ticket feeder works behind detection's feed: wait on its changes, never on time.
        async Task Until(Func<Task<bool>> done, string what)
        {
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
            while (!await done())
            {
                try { await changed.Reader.ReadAsync(timeout.Token); }
                catch (OperationCanceledException) { Assert.Fail($"timed out waiting until {what}"); }
            }
        }

        await DetectionRunnerTests.RunUntil(factory, runner, pending, Start.AddMinutes(13));
        var incident = Assert.Single(await repo.OpenAsync(CancellationToken.None));
        await Until(async () => await tickets.GetAsync(incident.Id, CancellationToken.None) is not null, "the incident has a ticket");

        var warned = await workflow.ResolveAsync(incident.Id, "alice", null, CancellationToken.None);

        Assert.Equal(Refusal.StillFailing, warned.Transition.Refusal);
        Assert.Matches(@"^Gateway gw-b: \d+% of sales time out at the gateway stage$", warned.StillFailing!.Figure.ToString());
        Assert.Null((await repo.GetAsync(incident.Id, Staff, CancellationToken.None))!.ResolvedAt);

        var resolved = await workflow.ResolveAsync(incident.Id, "alice", "gateway provider says it is fixed", CancellationToken.None);
        Assert.True(resolved.Transition.Allowed);
        Assert.Empty(await repo.OpenAsync(CancellationToken.None));
        Assert.DoesNotContain(await notices.ForIncidentAsync(incident.Id), n => n.Kind == NoticeKinds.Resolved);

        // The fault still runs: detection reopens the same incident on what is reported after the resolve.
        await DetectionRunnerTests.RunUntil(factory, runner, pending, Start.AddMinutes(15));
        var reopened = Assert.Single(await repo.OpenAsync(CancellationToken.None));
        Assert.Equal(incident.Id, reopened.Id);
        var kinds = (await repo.EventsAsync(incident.Id, CancellationToken.None)).Select(e => e.Kind).ToList();
        Assert.Equal("reopened", kinds[kinds.IndexOf("resolved_by_hand") + 1]); // not updated while resolved
        await Until(async () => (await tickets.GetAsync(incident.Id, CancellationToken.None))!.Status == TicketStatus.Open, "the ticket reopens");
        await Until(async () => (await notices.ForIncidentAsync(incident.Id)).Any(n => n.Kind == NoticeKinds.Reopened), "merchants are told");
        Assert.DoesNotContain(await notices.ForIncidentAsync(incident.Id), n => n.Kind == NoticeKinds.Resolved);

        // The fault ends at 18 min; detection resolves after its quiet period, and the ticket and merchants follow.
        await DetectionRunnerTests.RunUntil(factory, runner, pending, Start.AddMinutes(33));
        Assert.Empty(await repo.OpenAsync(CancellationToken.None));
        await Until(async () => (await tickets.GetAsync(incident.Id, CancellationToken.None))!.Status == TicketStatus.Resolved, "the ticket resolves");
        await Until(async () => (await notices.ForIncidentAsync(incident.Id)).Any(n => n.Kind == NoticeKinds.Resolved), "merchants hear it is resolved");
        var ticket = (await tickets.GetAsync(incident.Id, CancellationToken.None))!;
        Assert.Equal(IncidentTickets.Detection, ticket.ResolvedBy);
        Assert.True(ticket.ResolvedAt > faultEnds, $"MTTR counts the final resolve, at {ticket.ResolvedAt}");
        Assert.Single(await repo.ListAsync(Staff, IncidentStatus.All, null, 10, CancellationToken.None));
    }
}
