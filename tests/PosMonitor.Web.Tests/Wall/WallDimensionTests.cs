using PosMonitor.Core.Incidents;
using PosMonitor.Web.Features.Heatmap;
using PosMonitor.Web.Features.Wall;
using PosMonitor.Web.Tests.Infrastructure;

namespace PosMonitor.Web.Tests.Wall;

public class WallDimensionTests
{
    private static readonly DateTimeOffset Now = new(2026, 12, 7, 10, 0, 0, TimeSpan.Zero);

    private static Incident Open(ScopeType scope, string id, Severity severity, int minutesAgo) =>
        TestIncidents.Of($"inc-{scope}-{id}", scope, id, Cause.Network, severity, Now.AddMinutes(-minutesAgo), "network", id);

    [Fact]
    public void The_wall_shows_the_dimension_of_the_worst_open_incident()
    {
        var open = new[]
        {
            Open(ScopeType.Firmware, "fw-2.1", Severity.Major, 1),
            Open(ScopeType.Gateway, "gw-unionpay", Severity.Critical, 10),
            Open(ScopeType.Terminal, "T-1", Severity.Minor, 0),
        };

        var (by, because) = WallDimension.For(open, Now);

        Assert.Equal(HeatmapBy.Gateway, by);
        Assert.Equal("gw-unionpay", because?.ScopeId);
        Assert.Equal(HeatmapBy.Merchant, WallDimension.For([Open(ScopeType.Terminal, "T-1", Severity.Minor, 0)], Now).By);
    }

    [Fact]
    public void With_nothing_open_or_only_a_platform_incident_the_wall_takes_the_views_in_turn()
    {
        var platform = new[] { Open(ScopeType.Platform, "all", Severity.Critical, 3) };

        var seen = Enumerable.Range(0, WallDimension.Cycle.Count)
            .Select(turn => WallDimension.For(platform, Now + turn * WallDimension.Rotation))
            .ToList();

        Assert.All(seen, s => Assert.Null(s.Because));
        Assert.Equal(WallDimension.Cycle.OrderBy(b => b), seen.Select(s => s.By).OrderBy(b => b));
        Assert.Equal(seen[0].By, WallDimension.For([], Now).By);
    }
}
