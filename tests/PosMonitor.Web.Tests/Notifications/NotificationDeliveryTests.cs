using System.Text.Json;
using PosMonitor.Web.Features.Notifications;
using PosMonitor.Web.Features.Runbooks;
using PosMonitor.Web.Infrastructure.Data;
using PosMonitor.Web.Tests.Infrastructure;

namespace PosMonitor.Web.Tests.Notifications;

public class NotificationDeliveryTests
{
    private static NotificationOptions Settings(string url, string kind = "Webhook", int maxAttempts = 15) => new()
    {
        RetryBaseSeconds = 10, RetryMaxSeconds = 300, MaxAttempts = maxAttempts, TimeoutSeconds = 5,
        Channels = [new NotificationChannelOptions { Name = "ops-hook", Kind = Enum.Parse<ChannelKind>(kind), Url = url, Secret = "s3cret" }],
    };

    [Theory]
    [MemberData(nameof(TestDatabase.Providers), MemberType = typeof(TestDatabase))]
    public async Task A_failing_receiver_is_retried_with_exponential_backoff_until_it_answers(DatabaseProvider provider)
    {
        await using var database = await TestDatabase.CreateAsync(provider);
        await using var receiver = await StubReceiver.StartAsync(failures: 3);
        var clock = NotificationPipeline.Clock();
        var p = new NotificationPipeline(database.Db, Settings(receiver.Url), clock);
        await p.Notifier.EnqueueAsync(TestNotifications.Opened(clock.GetUtcNow()));
        var start = clock.GetUtcNow();

        var schedule = new List<TimeSpan>();
        for (var i = 0; i < 3; i++)
        {
            Assert.Equal(1, await p.Delivery.DeliverDueAsync(default));
            var row = (await p.Outbox.PageAsync(new GridQuery(null, null, false, 0, 10), null, default)).Items.Single();
            Assert.Equal(OutboxState.Failing, row.State);
            Assert.Contains("HTTP 500", row.LastError);
            schedule.Add(row.NextAttemptAt - clock.GetUtcNow());
            Assert.Equal(0, await p.Delivery.DeliverDueAsync(default)); // not due before its time
            clock.Advance(row.NextAttemptAt - clock.GetUtcNow());
        }
        Assert.Equal(1, await p.Delivery.DeliverDueAsync(default));

        Assert.Equal([TimeSpan.FromSeconds(10), TimeSpan.FromSeconds(20), TimeSpan.FromSeconds(40)], schedule);
        var delivered = (await p.Outbox.PageAsync(new GridQuery(null, null, false, 0, 10), OutboxState.Delivered, default)).Items.Single();
        Assert.Equal(4, delivered.Attempts);
        Assert.Equal(start + TimeSpan.FromSeconds(70), delivered.DeliveredAt);
        Assert.Equal(4, receiver.Requests.Count);
        Assert.Single(receiver.Requests.Select(r => r.Headers["X-PosMonitor-Delivery"]).Distinct());
        var last = receiver.Requests.Last();
        Assert.Equal(NotificationFormats.Signature("s3cret", last.Body), last.Headers[NotificationFormats.SignatureHeader]);
        Assert.Equal("incident.opened", JsonDocument.Parse(last.Body).RootElement.GetProperty("event").GetString());
    }

    [Fact]
    public async Task Nothing_is_lost_across_a_restart_even_mid_delivery()
    {
        await using var database = await TestDatabase.CreateAsync(DatabaseProvider.Sqlite);
        await using var receiver = await StubReceiver.StartAsync();
        var clock = NotificationPipeline.Clock();
        var before = new NotificationPipeline(database.Db, Settings(receiver.Url), clock);
        await before.Notifier.EnqueueAsync(TestNotifications.Opened(clock.GetUtcNow()));
        await before.Notifier.EnqueueAsync(TestNotifications.Opened(clock.GetUtcNow()) with { Event = NotificationEvents.Resolved });
        // The first row fails once; then the process "dies" right after claiming the second, before sending it.
        await before.Outbox.ClaimDueAsync(clock.GetUtcNow(), clock.GetUtcNow() + TimeSpan.FromMinutes(1), 1, default)
            .ContinueWith(t => before.Outbox.MarkFailedAsync(t.Result[0].Id, 1, clock.GetUtcNow(), "HTTP 500", clock.GetUtcNow() + TimeSpan.FromSeconds(10), default)).Unwrap();
        await before.Outbox.ClaimDueAsync(clock.GetUtcNow(), clock.GetUtcNow() + TimeSpan.FromMinutes(1), 1, default);

        // A new process: new connections, new services, the same database.
        var db = TestDatabase.MakeDb(DatabaseProvider.Sqlite, database.Db.ConnectionString, Path.GetTempPath());
        var after = new NotificationPipeline(db, Settings(receiver.Url), clock);
        clock.Advance(TimeSpan.FromSeconds(10));
        Assert.Equal(1, await after.Delivery.DeliverDueAsync(default)); // the failed one; the claimed one waits out its lease
        clock.Advance(TimeSpan.FromMinutes(1));
        Assert.Equal(1, await after.Delivery.DeliverDueAsync(default));

        var rows = (await after.Outbox.PageAsync(new GridQuery(null, null, false, 0, 10), null, default)).Items;
        Assert.Equal(2, rows.Count);
        Assert.All(rows, r => Assert.Equal(OutboxState.Delivered, r.State));
        Assert.Equal(["incident.opened", "incident.resolved"], rows.Select(r => r.Event).Order());
    }

    [Fact]
    public async Task After_the_last_attempt_a_notification_is_abandoned_and_retry_now_revives_it()
    {
        await using var database = await TestDatabase.CreateAsync(DatabaseProvider.Sqlite);
        await using var receiver = await StubReceiver.StartAsync(failures: 2);
        var clock = NotificationPipeline.Clock();
        var p = new NotificationPipeline(database.Db, Settings(receiver.Url, maxAttempts: 2), clock);
        await p.Notifier.EnqueueAsync(TestNotifications.Opened(clock.GetUtcNow()));

        await p.Delivery.DeliverDueAsync(default);
        clock.Advance(TimeSpan.FromSeconds(10));
        await p.Delivery.DeliverDueAsync(default);
        clock.Advance(TimeSpan.FromHours(1));
        Assert.Equal(0, await p.Delivery.DeliverDueAsync(default));
        var abandoned = (await p.Outbox.PageAsync(new GridQuery(null, null, false, 0, 10), OutboxState.Abandoned, default)).Items.Single();

        Assert.True(await p.Outbox.RetryNowAsync(abandoned.Id, clock.GetUtcNow(), default));
        Assert.Equal(1, await p.Delivery.DeliverDueAsync(default));
        Assert.Equal(OutboxState.Delivered, (await p.Outbox.GetAsync(abandoned.Id, default))!.State);
    }

    [Fact]
    public async Task A_chat_robot_answering_200_with_an_error_code_counts_as_failed()
    {
        await using var database = await TestDatabase.CreateAsync(DatabaseProvider.Sqlite);
        await using var receiver = await StubReceiver.StartAsync();
        receiver.Answer = "{\"errcode\":310000,\"errmsg\":\"sign not match\"}";
        var clock = NotificationPipeline.Clock();
        var p = new NotificationPipeline(database.Db, Settings(receiver.Url, "DingTalk"), clock);
        await p.Notifier.EnqueueAsync(TestNotifications.Opened(clock.GetUtcNow()));

        await p.Delivery.DeliverDueAsync(default);

        var row = (await p.Outbox.PageAsync(new GridQuery(null, null, false, 0, 10), null, default)).Items.Single();
        Assert.Equal(OutboxState.Failing, row.State);
        Assert.Contains("310000", row.LastError);
        var sent = receiver.Requests.Single();
        Assert.Contains("timestamp=", sent.Query);
        Assert.Contains("&sign=", sent.Query);
        Assert.Equal("markdown", JsonDocument.Parse(sent.Body).RootElement.GetProperty("msgtype").GetString());
    }

    [Fact]
    public async Task A_slow_receiver_times_out_without_holding_up_the_others()
    {
        await using var database = await TestDatabase.CreateAsync(DatabaseProvider.Sqlite);
        await using var slow = await StubReceiver.StartAsync();
        await using var fast = await StubReceiver.StartAsync();
        slow.Delay = TimeSpan.FromSeconds(30);
        var clock = NotificationPipeline.Clock();
        var settings = new NotificationOptions
        {
            TimeoutSeconds = 1, Parallelism = 4,
            Channels =
            [
                new NotificationChannelOptions { Name = "slow", Url = slow.Url },
                new NotificationChannelOptions { Name = "fast", Kind = ChannelKind.Slack, Url = fast.Url },
            ],
        };
        var p = new NotificationPipeline(database.Db, settings, clock);
        await p.Notifier.EnqueueAsync(TestNotifications.Opened(clock.GetUtcNow()));

        var watch = System.Diagnostics.Stopwatch.StartNew();
        await p.Delivery.DeliverDueAsync(default);

        Assert.InRange(watch.Elapsed, TimeSpan.Zero, TimeSpan.FromSeconds(10));
        var rows = (await p.Outbox.PageAsync(new GridQuery(null, null, false, 0, 10), null, default)).Items.ToDictionary(r => r.Channel);
        Assert.Equal(OutboxState.Delivered, rows["fast"].State);
        Assert.Equal(OutboxState.Failing, rows["slow"].State);
        Assert.Contains("No answer within 1 s", rows["slow"].LastError);
    }

    [Fact]
    public async Task Email_goes_out_over_SMTP_and_escalations_reach_each_contact_s_own_address()
    {
        await using var database = await TestDatabase.CreateAsync(DatabaseProvider.Sqlite);
        using var smtp = new StubSmtpServer();
        await using var chat = await StubReceiver.StartAsync();
        var clock = NotificationPipeline.Clock();
        var settings = new NotificationOptions
        {
            Channels =
            [
                new NotificationChannelOptions
                {
                    Name = "mail", Kind = ChannelKind.Email, Language = "zh-CN",
                    Smtp = new SmtpChannelOptions { Host = "127.0.0.1", Port = smtp.Port, Security = SmtpSecurity.None, From = "posmonitor@acquirer.example", To = ["noc@acquirer.example"] },
                },
            ],
        };
        var p = new NotificationPipeline(database.Db, settings, clock);
        var message = TestNotifications.Escalated(clock.GetUtcNow(), 1);

        var unreachable = await p.Notifier.EnqueueEscalationAsync(message,
        [
            new EscalationContact("Li Wei", RunbookRoles.GatewayLiaison, ContactChannel.Email, "li.wei@acquirer.example", 1),
            new EscalationContact("Gateway room", RunbookRoles.GatewayLiaison, ContactChannel.ChatWebhook, chat.Url, 1),
            new EscalationContact("Duty phone", RunbookRoles.DutyManager, ContactChannel.Phone, "+86 21 5555 0100", 1),
        ]);
        await p.Delivery.DeliverDueAsync(default);

        Assert.Equal("Duty phone", Assert.Single(unreachable).Name);
        Assert.Equal(2, smtp.Messages.Count);
        Assert.Equal(["li.wei@acquirer.example", "noc@acquirer.example"], smtp.Messages.SelectMany(m => m.To).Order());
        Assert.All(smtp.Messages, m => Assert.Equal("posmonitor@acquirer.example", m.From));
        Assert.All(smtp.Messages, m => Assert.Contains("Subject:", m.Data));
        Assert.Single(chat.Requests);
        var rows = (await p.Outbox.PageAsync(new GridQuery(null, null, false, 0, 10), null, default)).Items;
        Assert.All(rows, r => Assert.Equal(OutboxState.Delivered, r.State));
    }

    [Fact]
    public void Backoff_doubles_from_the_base_and_stops_at_the_cap()
    {
        var o = new NotificationOptions { RetryBaseSeconds = 5, RetryMaxSeconds = 60 };

        Assert.Equal([5, 10, 20, 40, 60, 60], Enumerable.Range(1, 6).Select(n => NotificationDelivery.Backoff(n, o).TotalSeconds));
    }
}
