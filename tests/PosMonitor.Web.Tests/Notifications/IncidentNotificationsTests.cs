using Microsoft.Extensions.Logging.Abstractions;
using PosMonitor.Core.Detection;
using PosMonitor.Web.Features.Incidents;
using PosMonitor.Web.Features.Notifications;
using PosMonitor.Web.Infrastructure.Data;
using PosMonitor.Web.Tests.Infrastructure;

namespace PosMonitor.Web.Tests.Notifications;

public class IncidentNotificationsTests
{
    [Fact]
    public async Task Openings_and_resolutions_on_the_feed_become_one_outbox_row_per_interested_channel()
    {
        await using var database = await TestDatabase.CreateAsync(DatabaseProvider.Sqlite);
        var clock = NotificationPipeline.Clock();
        var p = new NotificationPipeline(database.Db, new NotificationOptions
        {
            Channels =
            [
                new NotificationChannelOptions { Name = "everything", Url = "http://127.0.0.1:9/a" },
                new NotificationChannelOptions { Name = "openings", Kind = ChannelKind.WeCom, Url = "http://127.0.0.1:9/b", Events = ["incident.opened"] },
                new NotificationChannelOptions { Name = "minor-only", Kind = ChannelKind.Slack, Url = "http://127.0.0.1:9/c", Severities = ["minor"] },
            ],
        }, clock);
        var feed = new IncidentFeed(Microsoft.Extensions.Logging.Abstractions.NullLogger<IncidentFeed>.Instance);
        using var service = new IncidentNotifications(feed, p.Notifier, clock, NullLogger<IncidentNotifications>.Instance);
        await service.StartAsync(default);
        var incident = TestIncidents.NotifiedGateway();

        feed.Publish(IncidentChangeKind.Opened, incident);
        feed.Publish(IncidentChangeKind.Updated, incident with { AffectedTerminals = 90 });
        feed.Publish(IncidentChangeKind.Resolved, incident with { ResolvedAt = clock.GetUtcNow() });

        var rows = await Poll.UntilAsync(async () => (await p.Outbox.PageAsync(new GridQuery(null, null, false, 0, 10), null, default)).Items,
            items => items.Count >= 3, "three outbox rows");
        await service.StopAsync(default);

        Assert.Equal(["everything:incident.opened", "everything:incident.resolved", "openings:incident.opened"],
            rows.Select(r => $"{r.Channel}:{r.Event}").Order());
        Assert.All(rows, r => Assert.Equal("inc-000042", r.IncidentId));
    }
}
