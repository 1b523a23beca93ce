using Bunit;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using PosMonitor.Web.Features.Notifications;
using PosMonitor.Web.Infrastructure.Data;
using PosMonitor.Web.Tests.Infrastructure;

namespace PosMonitor.Web.Tests.Notifications;

public class NotificationsPageTests : BunitTest, IAsyncLifetime
{
    private TestDatabase? _database;
    private NotificationPipeline _pipeline = default!;

    public async ValueTask InitializeAsync()
    {
        _database = await TestDatabase.CreateAsync(DatabaseProvider.Sqlite);
        _pipeline = new NotificationPipeline(_database.Db, new NotificationOptions
        {
            Channels = [new NotificationChannelOptions { Name = "ops-dingtalk", Kind = ChannelKind.DingTalk, Url = "http://127.0.0.1:9/robot" }],
        }, TimeProvider.System);
        Services.AddSingleton(_pipeline.Outbox);
        Services.AddSingleton(_pipeline.Delivery);
        Services.AddSingleton(_pipeline.Notifier);
        Services.AddSingleton<IOptionsMonitor<NotificationOptions>>(_pipeline.Options);
    }

    public new async ValueTask DisposeAsync()
    {
        await base.DisposeAsync();
        if (_database is not null) await _database.DisposeAsync();
    }

    [Fact]
    public async Task A_failed_delivery_shows_its_channel_attempts_error_and_a_retry_button()
    {
        var message = TestNotifications.Opened(DateTimeOffset.UtcNow);
        await _pipeline.Notifier.EnqueueAsync(message);
        await _pipeline.Delivery.DeliverDueAsync(default); // nothing listens on port 9: refused

        var page = Render<NotificationsPage>();

        page.WaitForAssertion(() =>
        {
            var row = page.Find(".outbox-grid tbody tr");
            Assert.Contains("ops-dingtalk", row.TextContent);
            Assert.Contains("inc-000042", row.TextContent);
            Assert.Contains("Failing", row.TextContent);
            Assert.False(string.IsNullOrWhiteSpace(page.Find(".outbox-error").TextContent));
            Assert.Contains("Retry now", row.TextContent);
        });
    }
}
