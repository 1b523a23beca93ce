using System.Globalization;
using System.Text;

namespace PosMonitor.Web.Features.Heatmap;

/// <summary>
/// The colour scale: eight bins of timeout rate, quiet to loud. Healthy bins sit close to the page
/// behind them and each worse bin stands further out of it, in the light theme (darker) and in the
/// dark theme and on the wall (brighter), so the eye goes to trouble, not to the healthy majority.
/// A cell is binned by how high its rate is at least (the lower end of a 95% interval), not by its
/// raw rate: one timeout in five sales is weak evidence and stays quiet, while 30 in 50 is an
/// outage whichever way it is counted. Cells with fewer than <see cref="CertainFrom"/> sales are
/// also marked uncertain (hatched over their colour); cells with no sales or with fewer than the
/// configured minimum are drawn apart (flat grey / hatched), never as 0% or 100%.
/// </summary>
public static class HeatmapScale
{
    /// <summary>Upper bound (exclusive) of each bin; rates are small, so the bins widen as they rise.</summary>
    public static IReadOnlyList<double> Upper { get; } = [0.005, 0.01, 0.02, 0.05, 0.10, 0.20, 0.50, double.PositiveInfinity];

    /// <summary>Bins on a light page (the dashboard in the light theme): from almost the paper to a deep crimson.</summary>
    public static IReadOnlyList<string> Light { get; } = ["#f1f3f6", "#e6e9ee", "#fde3b0", "#fbb35a", "#f47b2a", "#dc3d2a", "#b0123e", "#6e0530"];

    /// <summary>Bins on a dark page (dark theme, the wall): from almost the background to a bright hot pink.</summary>
    public static IReadOnlyList<string> Dark { get; } = ["#1b2431", "#1e2835", "#4e3f26", "#8a5a1a", "#b85c18", "#e8601f", "#ff5a78", "#ff9ee2"];

    /// <summary>The page colours the scale is designed against (MudBlazor paper and background, the wall).</summary>
    public static IReadOnlyList<string> LightBackgrounds { get; } = ["#ffffff", "#f5f7fa"];
    public static IReadOnlyList<string> DarkBackgrounds { get; } = ["#18212d", "#10161f", "#0b111a"];

    /// <summary>Below this many sales a cell's interval is wide (±10 points or more at 20%): it is marked uncertain.</summary>
    public const int CertainFrom = 20;

    /// <summary>One-sided 95%: the rate is at least the lower bound with 95% confidence.</summary>
    private const double Z = 1.645;

    public static int Bin(double rate)
    {
        for (var i = 0; i < Upper.Count; i++)
            if (rate < Upper[i]) return i;
        return Upper.Count - 1;
    }

    /// <summary>The bin of a cell: of the lowest rate its counts support (Wilson score interval).</summary>
    public static int Bin(int transactions, int timeouts) => Bin(Interval(transactions, timeouts).Low);

    /// <summary>Wilson score interval of the timeout rate (sound for small counts and for 0 or all timed out).</summary>
    public static (double Low, double High) Interval(int transactions, int timeouts)
    {
        if (transactions <= 0) return (0, 1);
        double n = transactions, p = (double)timeouts / n, z2 = Z * Z;
        var centre = (p + z2 / (2 * n)) / (1 + z2 / n);
        var margin = Z * Math.Sqrt(p * (1 - p) / n + z2 / (4 * n * n)) / (1 + z2 / n);
        return (Math.Max(0, centre - margin), Math.Min(1, centre + margin));
    }

    public static bool IsUncertain(int transactions) => transactions < CertainFrom;

    public static string CssClass(int transactions, int timeouts, int minTransactions) =>
        transactions == 0 ? "hm-none"
        : transactions < minTransactions ? "hm-few"
        : "hm-b" + Bin(transactions, timeouts).ToString(CultureInfo.InvariantCulture) + (IsUncertain(transactions) ? " hm-uncertain" : "");

    /// <summary>Both palettes as CSS custom properties (--hm-l0…, --hm-d0…): app.css picks one per theme, this class stays their only source.</summary>
    public static string CssVariables()
    {
        var css = new StringBuilder();
        for (var i = 0; i < Light.Count; i++)
            css.Append(CultureInfo.InvariantCulture, $"--hm-l{i}:{Light[i]};--hm-d{i}:{Dark[i]};");
        return css.ToString();
    }

    /// <summary>"&lt; 0.5%", "0.5–1%", … "≥ 50%".</summary>
    public static string BinLabel(int bin, CultureInfo culture)
    {
        string P(double v) => (v * 100).ToString("0.#", culture) + "%";
        if (bin == 0) return "< " + P(Upper[0]);
        if (bin == Upper.Count - 1) return "≥ " + P(Upper[bin - 1]);
        return $"{P(Upper[bin - 1])}–{P(Upper[bin])}";
    }

    public static string Percent(double rate, CultureInfo culture) =>
        (rate * 100).ToString(rate < 0.1 ? "0.0" : "0", culture) + "%";

    /// <summary>WCAG contrast ratio of two #rrggbb colours (1 = the same, 21 = black on white).</summary>
    public static double Contrast(string a, string b)
    {
        double la = Luminance(a), lb = Luminance(b);
        return (Math.Max(la, lb) + 0.05) / (Math.Min(la, lb) + 0.05);
    }

    private static double Luminance(string hex)
    {
        double Channel(int offset)
        {
            var c = int.Parse(hex.AsSpan(offset, 2), NumberStyles.HexNumber, CultureInfo.InvariantCulture) / 255.0;
            return c <= 0.04045 ? c / 12.92 : Math.Pow((c + 0.055) / 1.055, 2.4);
        }
        return 0.2126 * Channel(1) + 0.7152 * Channel(3) + 0.0722 * Channel(5);
    }
}
