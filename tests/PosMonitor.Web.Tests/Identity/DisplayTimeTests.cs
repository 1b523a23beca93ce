using System.Globalization;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;
using PosMonitor.Web.Features.Identity;
using PosMonitor.Web.Infrastructure.Time;
using PosMonitor.Web.Tests.Infrastructure;

namespace PosMonitor.Web.Tests.Identity;

public sealed class DisplayTimeTests
{
    private static readonly Core.Fleet.Fleet Fleet = Core.Fleet.Fleet.FromDocument(TestFleet.Small());
    private static readonly DisplayTimeOptions Berlin = new() { TimeZone = "Europe/Berlin" };

    [Fact]
    public void Staff_and_displays_read_the_operations_centre_s_zone_and_an_owner_their_merchant_s()
    {
        Assert.Equal("Europe/Berlin", DisplayTime.ZoneFor(new Viewer(true, null, false), Fleet, Berlin).Id);
        Assert.Equal("Europe/Berlin", DisplayTime.ZoneFor(new Viewer(true, null, true), Fleet, Berlin).Id);
        Assert.Equal("Asia/Shanghai", DisplayTime.ZoneFor(new Viewer(false, "m-0001", false), Fleet, Berlin).Id);
        // A merchant the fleet does not (yet) hold: the operations centre's zone rather than none.
        Assert.Equal("Europe/Berlin", DisplayTime.ZoneFor(new Viewer(false, "m-9999", false), Fleet, Berlin).Id);
    }

    [Theory]
    [InlineData("Europe/Berlin", null, "Europe/Berlin")]
    [InlineData(null, "Asia/Shanghai", "Asia/Shanghai")]
    [InlineData("Europe/Berlin", "Asia/Shanghai", "Europe/Berlin")]
    [InlineData(null, null, "UTC")]
    public void The_zone_is_its_own_section_s_else_the_old_heatmap_key_s_else_UTC(string? zone, string? heatmapKey, string expected)
    {
        var builder = Host.CreateApplicationBuilder();
        builder.Configuration.AddInMemoryCollection([new("PosMonitor:DisplayTime:TimeZone", zone), new("PosMonitor:Heatmap:DisplayTimeZone", heatmapKey)]);
        builder.AddDisplayTime();
        using var host = builder.Build();

        Assert.Equal(expected, host.Services.GetRequiredService<IOptions<DisplayTimeOptions>>().Value.Zone().Id);
    }

    [Fact]
    public void Times_are_written_in_the_zone_whatever_the_server_s_own()
    {
        var shanghai = new DisplayTime(TimeZoneInfo.FindSystemTimeZoneById("Asia/Shanghai"));
        Assert.Equal("2026-12-05 08:32", shanghai.Format(new DateTimeOffset(2026, 12, 5, 0, 32, 0, TimeSpan.Zero), "yyyy-MM-dd HH:mm"));
    }

    [Theory]
    [InlineData("en", "15:04", "November 6 15:04", "November 7, 2025 15:04")]
    [InlineData("zh-CN", "15:04", "11月6日 15:04", "2025年11月7日 15:04")]
    public void Moments_are_written_in_the_reader_s_culture_never_as_a_numeric_short_date(string culture, string today, string thisYear, string lastYear)
    {
        var shanghai = new DisplayTime(TimeZoneInfo.FindSystemTimeZoneById("Asia/Shanghai"));
        var now = new DateTimeOffset(2026, 11, 7, 10, 0, 0, TimeSpan.Zero);
        var previous = CultureInfo.CurrentCulture;
        CultureInfo.CurrentCulture = CultureInfo.GetCultureInfo(culture);
        try
        {
            Assert.Equal(today, shanghai.Moment(new DateTimeOffset(2026, 11, 7, 7, 4, 0, TimeSpan.Zero), now));
            Assert.Equal(thisYear, shanghai.Moment(new DateTimeOffset(2026, 11, 6, 7, 4, 0, TimeSpan.Zero), now));
            Assert.Equal(lastYear, shanghai.Moment(new DateTimeOffset(2025, 11, 7, 7, 4, 0, TimeSpan.Zero), now));
        }
        finally
        {
            CultureInfo.CurrentCulture = previous;
        }
    }
}
