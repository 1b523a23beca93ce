namespace PosMonitor.Web.Tests.Infrastructure;

/// <summary>A wrong setting stops the start with its key and what is allowed, instead of being clamped or failing later.</summary>
public sealed class OptionsValidationTests
{
    public static TheoryData<string[], string> WrongSettings() => new()
    {
        { ["PosMonitor:Ingestion:QueueCapacityEvents", "0"], "PosMonitor:Ingestion:QueueCapacityEvents is 0: The field QueueCapacityEvents must be between 1 and" },
        { ["PosMonitor:Identity:RevalidateSeconds", "600"], "PosMonitor:Identity:RevalidateSeconds is 600: The field RevalidateSeconds must be between 1 and 60" },
        { ["PosMonitor:Identity:SignInPermitsPerMinute", "0"], "PosMonitor:Identity:SignInPermitsPerMinute is 0" },
        { ["PosMonitor:DisplayTime:TimeZone", "Mars/Olympus_Mons"], "PosMonitor:DisplayTime:TimeZone is \"Mars/Olympus_Mons\": is not a time zone" },
        { ["PosMonitor:Heatmap:DisplayTimeZone", "Mars/Olympus_Mons"], "PosMonitor:Heatmap:DisplayTimeZone is \"Mars/Olympus_Mons\": is not a time zone" },
        { ["PosMonitor:Heatmap:FlushMilliseconds", "10"], "PosMonitor:Heatmap:FlushMilliseconds is 10: The field FlushMilliseconds must be between 50 and" },
        { ["PosMonitor:Database:SqliteSynchronous", "SOMETIMES"], "PosMonitor:Database:SqliteSynchronous is \"SOMETIMES\": must be OFF, NORMAL, FULL or EXTRA" },
        { ["PosMonitor:Sla:Critical:AcknowledgeMinutes", "0"], "PosMonitor:Sla:Critical:AcknowledgeMinutes is 0" },
        { ["PosMonitor:Notifications:Channels:0:Name", "ops", "PosMonitor:Notifications:Channels:0:Kind", "Webhook"],
            "PosMonitor:Notifications:Channels:0:Url is empty: a Webhook channel needs the absolute http(s) address it posts to" },
        { ["PosMonitor:Notifications:Channels:0:Name", "noc-mail", "PosMonitor:Notifications:Channels:0:Kind", "Email",
            "PosMonitor:Notifications:Channels:0:Smtp:From", "posmonitor@example.com", "PosMonitor:Notifications:Channels:0:Smtp:To:0", "noc@example.com"],
            "PosMonitor:Notifications:Channels:0:Smtp:Host is \"\": an SMTP host is required" },
        { ["PosMonitor:Notifications:Channels:0:Name", "slack", "PosMonitor:Notifications:Channels:0:Kind", "Slack",
            "PosMonitor:Notifications:Channels:0:Url", "https://hooks.slack.example/x", "PosMonitor:Notifications:Channels:0:Severities:0", "urgent"],
            "\"urgent\" is not a severity: use critical, major, minor" },
        { ["PosMonitor:Proxy:KnownProxies:0", "proxy.internal"], "PosMonitor:Proxy:KnownProxies:0 is \"proxy.internal\", not an IP address" },
        { ["PosMonitor:Bootstrap:AdminEmail", "root@example.com"], "PosMonitor:Bootstrap:AdminEmail and PosMonitor:Bootstrap:AdminPassword go together" },
        { ["PosMonitor:Demo:Faults:0", "gateway:gw-x:lots"], "PosMonitor:Demo:Faults:0 is \"gateway:gw-x:lots\"" },
    };

    [Theory]
    [MemberData(nameof(WrongSettings))]
    public void A_wrong_setting_stops_the_start_naming_its_key_and_what_is_allowed(string[] setting, string expected)
    {
        using var factory = new WithSettings(setting);

        var error = Assert.ThrowsAny<Exception>(() => factory.CreateClient());

        Assert.True(error.ToString().Contains(expected, StringComparison.Ordinal), error.ToString()[..Math.Min(600, error.ToString().Length)]);
    }

    [Fact]
    public void The_defaults_and_the_sample_s_channel_shapes_start()
    {
        using var factory = new WithSettings([
            "PosMonitor:Notifications:Channels:0:Name", "ops-webhook", "PosMonitor:Notifications:Channels:0:Url", "https://ops.example/hook",
            "PosMonitor:Notifications:Channels:1:Name", "ops-mail", "PosMonitor:Notifications:Channels:1:Kind", "Email",
            "PosMonitor:Notifications:Channels:1:Smtp:Host", "smtp.example", "PosMonitor:Notifications:Channels:1:Smtp:To:0", "noc@example",
            "PosMonitor:Proxy:KnownNetworks:0", "10.0.0.0/8"]);
        factory.CreateClient();
    }

    private sealed class WithSettings(string[] pairs) : PosMonitorFactory
    {
        protected override IEnumerable<KeyValuePair<string, string?>> Settings =>
            pairs.Chunk(2).Select(p => new KeyValuePair<string, string?>(p[0], p[1]));
    }
}
