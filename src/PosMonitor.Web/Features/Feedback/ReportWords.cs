using System.Globalization;
using Microsoft.Extensions.Localization;
using PosMonitor.Web.Infrastructure.Localization;

namespace PosMonitor.Web.Features.Feedback;

/// <summary>
/// A one-tap "timing out now" report and its "still timing out" lines are worded by PosMonitor, not by the owner, and
/// stored in the language of the owner's phone at that moment. Shown, they are in the reader's language: an agent
/// reading Chinese sees them in Chinese whatever the owner's phone said. Anything a person typed is shown as typed.
/// </summary>
public static class ReportWords
{
    private static readonly string[] Keys = ["TimingOutNow", "TimingOutAgain"];

    /// <summary><paramref name="text"/> in the reader's language when it is one of PosMonitor's report lines for <paramref name="terminalId"/>.</summary>
    public static string InReadersLanguage(string text, string? terminalId, IStringLocalizer<FeedbackStrings> localizer)
    {
        if (string.IsNullOrEmpty(terminalId)) return text;
        foreach (var key in Keys)
            foreach (var culture in LocalizationExtensions.Cultures)
                if (text == In(culture, () => localizer[key, terminalId].Value))
                    return localizer[key, terminalId].Value;
        return text;
    }

    private static string In(string culture, Func<string> read)
    {
        var reader = CultureInfo.CurrentUICulture;
        CultureInfo.CurrentUICulture = CultureInfo.GetCultureInfo(culture);
        try
        {
            return read();
        }
        finally
        {
            CultureInfo.CurrentUICulture = reader;
        }
    }
}
