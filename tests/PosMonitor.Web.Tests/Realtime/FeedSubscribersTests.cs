using System.Globalization;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Logging.Testing;
using PosMonitor.Web.Infrastructure.Realtime;
using PosMonitor.Web.Tests.Infrastructure;

namespace PosMonitor.Web.Tests.Realtime;

public sealed class FeedSubscribersTests
{
    private static readonly CultureInfo Chinese = CultureInfo.GetCultureInfo("zh-CN");
    private static readonly CultureInfo English = CultureInfo.GetCultureInfo("en");

    [Fact]
    public async Task Each_subscriber_is_called_in_the_culture_it_subscribed_in_and_the_publishers_is_left_as_it_was()
    {
        var feed = new FeedSubscribers<int>(NullLogger.Instance);
        var seen = new List<string>();
        using (CultureScope.Use(Chinese)) feed.Add(v => seen.Add($"{v} {CultureInfo.CurrentCulture.Name} {CultureInfo.CurrentUICulture.Name}"));
        using (CultureScope.Use(English)) feed.Add(v => seen.Add($"{v} {CultureInfo.CurrentCulture.Name} {CultureInfo.CurrentUICulture.Name}"));

        // Published from another thread in yet another culture, as the heatmap's loop or a Quartz job does.
        var after = await Task.Run(() =>
        {
            using (CultureScope.Use(CultureInfo.InvariantCulture))
            {
                feed.Publish(7);
                return CultureInfo.CurrentUICulture;
            }
        });

        Assert.Equal(["7 zh-CN zh-CN", "7 en en"], seen);
        Assert.Same(CultureInfo.InvariantCulture, after);
    }

    [Fact]
    public async Task Work_a_subscriber_starts_from_its_callback_carries_its_culture()
    {
        // What a page does: the callback posts a render to its circuit, which must run in the page's language.
        var feed = new FeedSubscribers<int>(NullLogger.Instance);
        Task<string>? posted = null;
        using (CultureScope.Use(Chinese)) feed.Add(_ => posted = Task.Run(async () =>
        {
            await Task.Yield();
            return CultureInfo.CurrentUICulture.Name;
        }));

        await Task.Run(() => feed.Publish(1));

        Assert.Equal("zh-CN", await posted!);
    }

    [Fact]
    public void A_failing_subscriber_is_logged_and_neither_the_others_nor_the_publisher_notice()
    {
        var log = new FakeLogger();
        var feed = new FeedSubscribers<string>(log);
        var seen = new List<string>();
        feed.Add(_ => throw new InvalidOperationException("broken view"));
        using var second = feed.Add(seen.Add);

        feed.Publish("a");
        second.Dispose();
        feed.Publish("b");

        Assert.Equal(["a"], seen);
        Assert.Equal(1, feed.Count);
        var errors = log.Collector.GetSnapshot();
        Assert.Equal(2, errors.Count);
        Assert.All(errors, e => Assert.Equal((LogLevel.Error, "broken view"), (e.Level, e.Exception?.Message)));
    }
}
