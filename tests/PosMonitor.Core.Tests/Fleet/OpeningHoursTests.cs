using PosMonitor.Core.Fleet;

namespace PosMonitor.Core.Tests.Fleet;

public class OpeningHoursTests
{
    [Theory]
    [InlineData("10:00-22:00", "09:59", false)]
    [InlineData("10:00-22:00", "10:00", true)]
    [InlineData("10:00-22:00", "22:00", false)]
    [InlineData("18:00-02:00", "23:30", true)]
    [InlineData("18:00-02:00", "01:59", true)]
    [InlineData("18:00-02:00", "02:00", false)]
    [InlineData("18:00-02:00", "12:00", false)]
    public void Contains_handles_hours_that_pass_midnight(string hours, string at, bool open)
    {
        Assert.True(OpeningHours.TryParse(hours, out var parsed));
        Assert.Equal(open, parsed.Contains(TimeOnly.Parse(at)));
    }

    [Theory]
    [InlineData("10-22")]
    [InlineData("10:00-10:00")]
    [InlineData("25:00-02:00")]
    [InlineData("")]
    public void TryParse_refuses_malformed_hours(string hours) => Assert.False(OpeningHours.TryParse(hours, out _));

    [Fact]
    public void IsOpen_uses_the_merchants_time_zone()
    {
        var shanghai = TimeZones.FindOrUtc("Asia/Shanghai");
        // 03:00Z is 11:00 in Shanghai: open; 15:00Z is 23:00: closed.
        Assert.True(OpeningHours.IsOpen("10:00-22:00", shanghai, new DateTimeOffset(2026, 11, 25, 3, 0, 0, TimeSpan.Zero)));
        Assert.False(OpeningHours.IsOpen("10:00-22:00", shanghai, new DateTimeOffset(2026, 11, 25, 15, 0, 0, TimeSpan.Zero)));
        Assert.True(OpeningHours.IsOpen(null, shanghai, new DateTimeOffset(2026, 11, 25, 15, 0, 0, TimeSpan.Zero)));
    }
}
