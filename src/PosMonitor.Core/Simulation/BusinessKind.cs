namespace PosMonitor.Core.Simulation;

/// <summary>How a kind of shop trades: names, hours, busy hours, sales volume and ticket size.</summary>
/// <param name="Words">What the shop calls itself ("Noodle House").</param>
/// <param name="Hours">Opening hours to choose from; null means open around the clock.</param>
/// <param name="Curve">Relative sales by local hour 0–23 (peak 1).</param>
/// <param name="PeakSalesPerHour">Median sales per terminal in the busiest hour.</param>
/// <param name="MedianAmountYuan">Median ticket in yuan.</param>
public sealed record BusinessKind(
    string Name, IReadOnlyList<string> Words, IReadOnlyList<string?> Hours, IReadOnlyList<double> Curve,
    double PeakSalesPerHour, double MedianAmountYuan, double Weight)
{
    // Relative sales by local hour, 00..23.
    private static readonly double[] Meals =
        [0.02, 0.01, 0, 0, 0, 0.02, 0.05, 0.1, 0.15, 0.15, 0.3, 0.8, 1.0, 0.7, 0.3, 0.2, 0.3, 0.7, 0.95, 0.8, 0.45, 0.25, 0.12, 0.05];
    private static readonly double[] Daytime =
        [0.02, 0.01, 0, 0, 0, 0.02, 0.05, 0.15, 0.3, 0.5, 0.7, 0.85, 0.9, 0.8, 0.75, 0.8, 0.9, 1.0, 0.95, 0.85, 0.7, 0.5, 0.25, 0.08];
    private static readonly double[] Morning =
        [0, 0, 0, 0, 0, 0.2, 0.7, 1.0, 0.9, 0.6, 0.4, 0.35, 0.4, 0.3, 0.2, 0.2, 0.25, 0.3, 0.3, 0.2, 0.1, 0.05, 0, 0];
    private static readonly double[] Evening =
        [0.7, 0.5, 0.3, 0.15, 0.05, 0, 0, 0, 0, 0, 0, 0.05, 0.1, 0.1, 0.1, 0.1, 0.15, 0.3, 0.6, 0.8, 0.95, 1.0, 0.95, 0.85];
    private static readonly double[] AroundTheClock =
        [0.25, 0.15, 0.1, 0.08, 0.08, 0.12, 0.3, 0.65, 0.8, 0.6, 0.55, 0.7, 0.85, 0.7, 0.55, 0.55, 0.65, 0.85, 1.0, 0.95, 0.85, 0.7, 0.5, 0.35];

    public static IReadOnlyList<BusinessKind> All { get; } =
    [
        new("restaurant", ["Noodle House", "Dumpling Bar", "Canteen", "Rice Kitchen"], ["10:00-22:00", "10:30-21:30", "11:00-22:30", "09:30-21:00"], Meals, 24, 55, 16),
        new("hotpot", ["Hot Pot", "BBQ Skewers"], ["11:00-02:00", "17:00-03:00", "11:30-23:30"], Meals, 14, 160, 6),
        new("cafe", ["Tea Shop", "Coffee", "Milk Tea Bar"], ["08:00-21:00", "09:00-22:00", "07:30-20:00"], Daytime, 26, 28, 10),
        new("bakery", ["Bakery", "Breakfast Shop"], ["06:00-14:00", "07:00-20:00", "06:30-19:30"], Morning, 30, 22, 6),
        new("convenience", ["Convenience Store", "Mini Mart"], [null, null, "07:00-23:00", "06:00-24:00"], AroundTheClock, 28, 22, 14),
        new("supermarket", ["Supermarket", "Fresh Market"], ["08:00-22:00", "07:30-21:30", "08:30-22:30"], Daytime, 40, 85, 10),
        new("pharmacy", ["Pharmacy", "Herbal Medicine"], ["08:30-21:30", null, "08:00-22:00"], Daytime, 12, 65, 7),
        new("retail", ["Bookstore", "Fashion", "Shoe Store", "Florist", "Stationery"], ["10:00-22:00", "09:30-21:00", "10:00-21:30"], Daytime, 9, 180, 14),
        new("electronics", ["Electronics", "Phone Store"], ["10:00-22:00", "09:30-21:30"], Daytime, 5, 900, 5),
        new("nightlife", ["KTV", "Bar", "Night Market Stall"], ["18:00-02:00", "19:00-04:00", "17:00-01:00"], Evening, 12, 260, 5),
        new("services", ["Hair Salon", "Laundry", "Fitness Club"], ["10:00-21:00", "09:00-22:00", "06:00-23:00"], Daytime, 6, 120, 7),
    ];

    // "06:00-24:00" is how a shop writes it; the wire wants a valid HH:MM, so midnight is 00:00.
    internal static string? Normalize(string? hours) => hours?.Replace("-24:00", "-00:00", StringComparison.Ordinal);

    /// <summary>Relative sales at a local time of day, interpolated between hours (0..1).</summary>
    public double CurveAt(TimeSpan localTimeOfDay)
    {
        var h = localTimeOfDay.TotalHours;
        var i = (int)h % 24;
        var f = h - Math.Floor(h);
        // Interpolate between the middles of neighbouring hours so the curve has no steps.
        var centre = i + 0.5;
        var (a, b, t) = h < centre
            ? (Curve[(i + 23) % 24], Curve[i], f + 0.5)
            : (Curve[i], Curve[(i + 1) % 24], f - 0.5);
        return a + (b - a) * t;
    }
}
