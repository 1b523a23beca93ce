using System.Globalization;

namespace PosMonitor.Web.Tests.Infrastructure;

/// <summary>Sets the thread's culture and UI culture (or the UI culture only) until disposed, then puts back what was there.</summary>
public sealed class CultureScope : IDisposable
{
    private readonly CultureInfo _culture = CultureInfo.CurrentCulture, _uiCulture = CultureInfo.CurrentUICulture;

    private CultureScope(CultureInfo culture, bool uiOnly)
    {
        if (!uiOnly) CultureInfo.CurrentCulture = culture;
        CultureInfo.CurrentUICulture = culture;
    }

    public static CultureScope Use(CultureInfo culture) => new(culture, uiOnly: false);

    public static CultureScope UseUi(string culture) => new(CultureInfo.GetCultureInfo(culture), uiOnly: true);

    public void Dispose()
    {
        CultureInfo.CurrentCulture = _culture;
        CultureInfo.CurrentUICulture = _uiCulture;
    }
}
