using System.Globalization;
using System.Resources;

namespace PosMonitor.Web.Features.Fleet;

/// <summary>
/// A region's name in the reader's language. The fleet document carries one name per region, in whatever language
/// the operator loaded it; the regions this portal knows (China's large regions) have their names in RegionNames.resx
/// and RegionNames.zh-CN.resx, keyed by the English name the fleet uses, and any other name is shown as the fleet has it.
/// Keyed by name, not id: an operator's region "east" may well be something other than East China.
/// </summary>
public static class RegionNames
{
    private static readonly ResourceManager Names = new(typeof(RegionNames));

    /// <summary><paramref name="fleetName"/> in the current UI culture, or as it is when the portal does not know it.</summary>
    public static string Translate(string fleetName) =>
        Names.GetString(fleetName, CultureInfo.CurrentUICulture) is { Length: > 0 } known ? known : fleetName;

    /// <summary>The name of region <paramref name="id"/> for the reader; its id when the fleet does not hold it.</summary>
    public static string Of(Core.Fleet.Fleet fleet, string id) =>
        fleet.Regions.TryGetValue(id, out var r) ? Translate(r.Name) : id;
}
