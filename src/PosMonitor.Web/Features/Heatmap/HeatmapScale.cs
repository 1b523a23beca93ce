using System.Globalization;

namespace PosMonitor.Web.Features.Heatmap;

/// <summary>
/// The colour scale: eight bins of timeout rate on a perceptually ordered, colour-blind-safe ramp
/// (magma, light to dark: lightness alone tells the order). Cells with no sales or with too few
/// for a rate are drawn apart (flat grey / hatched), never as 0% or 100%.
/// </summary>
public static class HeatmapScale
{
    /// <summary>Upper bound (exclusive) of each bin; rates are small, so the bins widen as they rise.</summary>
    public static IReadOnlyList<double> Upper { get; } = [0.005, 0.01, 0.02, 0.05, 0.10, 0.20, 0.50, double.PositiveInfinity];

    /// <summary>The colours of the bins (also in app.css as .hm-b0 … .hm-b7).</summary>
    public static IReadOnlyList<string> Colours { get; } = ["#fcfdbf", "#feca8d", "#fd9668", "#f1605d", "#cd4071", "#9e2f7f", "#721f81", "#440f76"];

    public static int Bin(double rate)
    {
        for (var i = 0; i < Upper.Count; i++)
            if (rate < Upper[i]) return i;
        return Upper.Count - 1;
    }

    public static string CssClass(int transactions, int timeouts, int minTransactions) =>
        transactions == 0 ? "hm-none"
        : transactions < minTransactions ? "hm-few"
        : "hm-b" + Bin((double)timeouts / transactions).ToString(CultureInfo.InvariantCulture);

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
}
