using System.Globalization;
using Microsoft.AspNetCore.Components.Authorization;
using Microsoft.Extensions.Options;
using PosMonitor.Web.Features.Heatmap;
using PosMonitor.Web.Features.Telemetry;

namespace PosMonitor.Web.Features.Identity;

/// <summary>
/// Clock times as a page shows them to the person reading it: staff and wall displays in the operations centre's zone
/// (<see cref="HeatmapOptions.DisplayTimeZone"/>), a merchant owner in their merchant's own zone, the one the notices
/// they receive speak. Never the server's zone: an incident page said 00:32 beside a dashboard, and a merchant notice,
/// saying 08:32.
/// </summary>
public sealed class DisplayTime(TimeZoneInfo zone)
{
    public TimeZoneInfo Zone => zone;

    public DateTimeOffset Local(DateTimeOffset t) => TimeZoneInfo.ConvertTime(t, zone);

    public string Format(DateTimeOffset t, string format) => Local(t).ToString(format, CultureInfo.CurrentCulture);

    /// <summary>The zone <paramref name="viewer"/> reads times in.</summary>
    public static TimeZoneInfo ZoneFor(Viewer viewer, Core.Fleet.Fleet fleet, HeatmapOptions options) =>
        viewer is { SeesEveryMerchant: false, MerchantId: { } id } && fleet.Merchants.TryGetValue(id, out var m)
            && TimeZoneInfo.TryFindSystemTimeZoneById(m.TimeZone, out var own)
            ? own
            : options.DisplayZone();

    /// <summary>
    /// The scoped instance of a page's reader. A circuit's (and a prerender's) authentication state is set before any
    /// component is created, so its task has completed by the time a page asks for this.
    /// </summary>
    public static DisplayTime ForReader(IServiceProvider services)
    {
        var state = services.GetRequiredService<AuthenticationStateProvider>().GetAuthenticationStateAsync();
        var viewer = state.IsCompletedSuccessfully ? Viewer.From(state.Result.User) : Viewer.Nobody;
        return new DisplayTime(ZoneFor(viewer, services.GetRequiredService<FleetCache>().Current, services.GetRequiredService<IOptions<HeatmapOptions>>().Value));
    }
}
