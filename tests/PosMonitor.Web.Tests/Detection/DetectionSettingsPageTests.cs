using System.Globalization;
using System.Reflection;
using System.Resources;
using Bunit;
using Microsoft.Extensions.DependencyInjection;
using PosMonitor.Core.Detection;
using PosMonitor.Web.Features.Detection;
using PosMonitor.Web.Tests.Infrastructure;

namespace PosMonitor.Web.Tests.Detection;

public class DetectionSettingsPageTests : BunitTest
{
    [Fact]
    public void Every_effective_setting_is_listed_with_its_value_and_explanation()
    {
        var settings = new DetectionSettings { MinSurprise = 7.5, QuietPeriod = TimeSpan.FromMinutes(12) };
        Services.AddSingleton(settings);
        Services.AddSingleton(new DetectionHostOptions());

        var page = Render<DetectionSettingsPage>();

        var rows = page.FindAll("tbody tr");
        Assert.Equal(DetectionSettingsPage.Rows(settings, new DetectionHostOptions()).Count, rows.Count);
        var surprise = rows.Single(r => r.TextContent.Contains("PosMonitor:Detection:MinSurprise"));
        Assert.Contains("7.5", surprise.TextContent);
        Assert.Contains("one in a million", surprise.TextContent);
        Assert.Contains(rows, r => r.TextContent.Contains("PosMonitor:Detection:QuietPeriod") && r.TextContent.Contains("00:12:00"));
        // The slow-stage line is fixed in the rollups, not a setting: the page says where it lies.
        Assert.Contains("took 3 s or more", page.Find(".slow-stage-note").TextContent);
    }

    [Fact]
    public void Every_setting_has_an_explanation_in_english_and_chinese()
    {
        var resources = new ResourceManager(typeof(DetectionStrings).FullName!, typeof(DetectionStrings).Assembly);
        foreach (var row in DetectionSettingsPage.Rows(new DetectionSettings(), new DetectionHostOptions()))
        {
            var en = resources.GetString("Explain_" + row.Name, CultureInfo.GetCultureInfo("en"));
            var zh = resources.GetString("Explain_" + row.Name, CultureInfo.GetCultureInfo("zh-CN"));
            Assert.False(string.IsNullOrEmpty(en), $"no English explanation of {row.Name}");
            Assert.False(string.IsNullOrEmpty(zh) || zh == en, $"no Chinese explanation of {row.Name}");
        }
    }
}
