using PosMonitor.Web.Features.Heatmap;

namespace PosMonitor.Web.Tests.Heatmap;

public class HeatmapScaleTests
{
    public static TheoryData<string> Themes => ["light", "dark"];

    private static (IReadOnlyList<string> Bins, IReadOnlyList<string> Backgrounds) Palette(string theme) =>
        theme == "light" ? (HeatmapScale.Light, HeatmapScale.LightBackgrounds) : (HeatmapScale.Dark, HeatmapScale.DarkBackgrounds);

    [Theory, MemberData(nameof(Themes))]
    public void Healthy_bins_sit_close_to_the_background_and_each_worse_bin_stands_further_out(string theme)
    {
        var (bins, backgrounds) = Palette(theme);
        foreach (var background in backgrounds)
        {
            var contrast = bins.Select(b => HeatmapScale.Contrast(b, background)).ToArray();
            // Healthy (< 1%) is barely there; a real outage (≥ 20%) is at least as legible as body text needs.
            Assert.All(contrast[..2], c => Assert.True(c < 1.3, $"{theme} on {background}: healthy contrast {c:0.00}"));
            Assert.All(contrast[6..], c => Assert.True(c >= 4.5, $"{theme} on {background}: outage contrast {c:0.00}"));
            for (var i = 1; i < contrast.Length; i++)
                Assert.True(contrast[i] > contrast[i - 1], $"{theme} on {background}: bin {i} ({contrast[i]:0.00}) not louder than bin {i - 1} ({contrast[i - 1]:0.00})");
        }
    }

    [Fact]
    public void One_timeout_in_a_handful_of_sales_is_not_painted_as_an_outage_but_a_real_outage_is()
    {
        // Raw, these are 20% and 10% (the outage bins); the counts only support "at least 2–5%".
        Assert.Equal(3, HeatmapScale.Bin(5, 1));
        Assert.Equal(3, HeatmapScale.Bin(10, 1));
        Assert.True(HeatmapScale.Bin(50, 30) >= 6, $"30 in 50 → bin {HeatmapScale.Bin(50, 30)}");
        Assert.True(HeatmapScale.Bin(400, 8) >= 2, $"8 in 400 (2%) → bin {HeatmapScale.Bin(400, 8)}");
        Assert.Equal(0, HeatmapScale.Bin(400, 0));
    }

    [Fact]
    public void Low_volume_cells_are_marked_uncertain_and_busy_ones_are_not()
    {
        Assert.Equal("hm-b3 hm-uncertain", HeatmapScale.CssClass(5, 1, 5));
        Assert.Equal("hm-b0", HeatmapScale.CssClass(200, 0, 5));
        Assert.Equal("hm-few", HeatmapScale.CssClass(4, 1, 5));
        Assert.Equal("hm-none", HeatmapScale.CssClass(0, 0, 5));
    }

    [Fact]
    public void The_interval_holds_the_observed_rate_and_narrows_with_volume()
    {
        var small = HeatmapScale.Interval(10, 2);
        var large = HeatmapScale.Interval(1000, 200);
        Assert.InRange(0.2, small.Low, small.High);
        Assert.InRange(0.2, large.Low, large.High);
        Assert.True(large.High - large.Low < (small.High - small.Low) / 5);
    }
}
