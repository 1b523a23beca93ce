using Microsoft.Extensions.Localization;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using PosMonitor.Web.Features.Feedback;
using PosMonitor.Web.Tests.Infrastructure;

namespace PosMonitor.Web.Tests.Feedback;

/// <summary>A one-tap report is worded by PosMonitor, so it reads in the reader's language; what a person typed stays as typed.</summary>
public class ReportWordsTests
{
    private static readonly IStringLocalizer<FeedbackStrings> L = new StringLocalizer<FeedbackStrings>(
        new ResourceManagerStringLocalizerFactory(Options.Create(new LocalizationOptions()), NullLoggerFactory.Instance));

    private static string Written(string culture, string key, string terminal)
    {
        using var _ = CultureScope.UseUi(culture);
        return L[key, terminal].Value;
    }

    [Theory]
    [InlineData("TimingOutNow")]
    [InlineData("TimingOutAgain")]
    public void A_report_sent_from_an_English_phone_reads_in_Chinese_to_a_Chinese_reader_and_back(string key)
    {
        var english = Written("en", key, "T-000007");
        var chinese = Written("zh-CN", key, "T-000007");
        Assert.NotEqual(english, chinese);

        using (CultureScope.UseUi("zh-CN")) Assert.Equal(chinese, ReportWords.InReadersLanguage(english, "T-000007", L));
        using (CultureScope.UseUi("en")) Assert.Equal(english, ReportWords.InReadersLanguage(chinese, "T-000007", L));
    }

    [Fact]
    public void What_a_person_typed_and_a_report_of_another_terminal_stay_as_they_are()
    {
        var typed = "My terminal T-000007 is timing out now, and the customer left.";
        var otherTerminal = Written("en", "TimingOutNow", "T-000008");
        using var _ = CultureScope.UseUi("zh-CN");
        Assert.Equal(typed, ReportWords.InReadersLanguage(typed, "T-000007", L));
        Assert.Equal(otherTerminal, ReportWords.InReadersLanguage(otherTerminal, "T-000007", L));
        Assert.Equal(typed, ReportWords.InReadersLanguage(typed, null, L));
    }
}
