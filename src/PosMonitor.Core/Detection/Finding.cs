using System.Globalization;
using PosMonitor.Core.Incidents;

namespace PosMonitor.Core.Detection;

/// <summary>What one evaluation concluded about one scope: the would-be incident of this tick.</summary>
internal sealed class Finding
{
    public required Cause Cause { get; init; }
    public required ScopeType ScopeType { get; init; }
    public required int Scope { get; init; }
    public required string ScopeId { get; init; }
    /// <summary>The signal that decided; null for silence.</summary>
    public Signal? Signal { get; init; }
    public required double Rate { get; init; }
    public required double Surprise { get; init; }
    public required string Title { get; init; }
    public required List<string> Evidence { get; init; }
    /// <summary>Terminal indices that showed the symptom.</summary>
    public required List<int> Affected { get; init; }
    /// <summary>Decided on <see cref="DetectionSettings.RareWindow"/>, whose minutes may still hold a resolved incident's failures.</summary>
    public bool OverRareWindow { get; set; }
    /// <summary>
    /// Decided on <see cref="DetectionSettings.LongWindow"/> (too few sales in the short window, or a steady fault seen a
    /// failure or two at a time): whether its failures persisted is judged over that window too.
    /// </summary>
    public bool OverLongWindow { get; init; }
    public bool Silence => Signal is null;
    /// <summary>Opens without <see cref="DetectionSettings.NarrowConfirmation"/>: nothing wider can be forming.</summary>
    public bool Immediate { get; set; }
}

/// <summary>How incidents put figures into words (English; the portal localises around them).</summary>
internal static class Wording
{
    private static readonly CultureInfo Inv = CultureInfo.InvariantCulture;

    /// <summary>"38%", "4.3%", "0.4%".</summary>
    public static string Pct(double rate)
    {
        var p = rate * 100;
        return p >= 10 ? p.ToString("0", Inv) + "%" : p.ToString("0.0", Inv) + "%";
    }

    public static string Count(double n) => n.ToString("#,0", Inv);

    public static string Time(DateTimeOffset t) => t.UtcDateTime.ToString("HH:mm:ss", Inv) + "Z";

    /// <summary>A merchant's name, when it has one other than its id (titles give it).</summary>
    private static string? MerchantName(ScopeType type, string id, FleetIndex index) =>
        type == ScopeType.Merchant && index.MerchantIndex.TryGetValue(id, out var m) && index.Merchants[m] is { } merchant && merchant.Name != id
            ? merchant.Name : null;

    /// <summary>"gateway stage failures 38% (412 of 1,078 sales, last 3 min) vs normal 0.4%".</summary>
    public static string RateLine(Signal s, Verdict v, DetectionSettings settings) => EvidencePhrase.Rate(s).Write(
        Pct(v.Rate), Count(v.Failures), Count(v.Volume),
        (v.Rare ? settings.RareWindow : v.Recent ? RecentWindow.Span : v.ShortWindow ? settings.ShortWindow : settings.LongWindow).TotalMinutes.ToString("0", Inv), Pct(v.Normal));

    // Titles are written by IncidentTitle, which reads them back for the portal to say in its reader's language.

    public static string Title(ScopeType type, string id, FleetIndex index, Signal s, double rate) =>
        new IncidentTitle(type, id, MerchantName(type, id, index), "rate:" + s, Rate: Pct(rate)).ToString();

    public static string SilenceTitle(ScopeType type, string id, FleetIndex index, int silent, int expected) =>
        new IncidentTitle(type, id, MerchantName(type, id, index), type == ScopeType.Terminal ? "silent" : "silent-of", Silent: silent, Expected: expected).ToString();

    /// <param name="device">"printer" or "scanner".</param>
    /// <param name="state">The device's state, its wire name ("paper_out").</param>
    public static string DeviceTitle(string terminalId, string device, string state) =>
        new IncidentTitle(ScopeType.Terminal, terminalId, null, $"{device}:{state}").ToString();
}
