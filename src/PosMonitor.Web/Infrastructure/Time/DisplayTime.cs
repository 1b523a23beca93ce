using System.Globalization;
using Microsoft.AspNetCore.Components.Authorization;
using Microsoft.Extensions.Options;
using PosMonitor.Web.Features.Fleet;
using PosMonitor.Web.Features.Identity;

namespace PosMonitor.Web.Infrastructure.Time;

/// <summary>
/// Clock times as a page shows them to the person reading it: staff and wall displays in the operations centre's zone
/// (<see cref="DisplayTimeOptions"/>), a merchant owner in their merchant's own zone, the one the notices
/// they receive speak. Never the server's zone: an incident page said 00:32 beside a dashboard, and a merchant notice,
/// saying 08:32.
/// </summary>
/// <param name="culture">The culture to write in; the reader's (the current culture) unless a message has its own language.</param>
public sealed class DisplayTime(TimeZoneInfo zone, TimeProvider? time = null, CultureInfo? culture = null)
{
    public TimeZoneInfo Zone => zone;

    private CultureInfo Culture => culture ?? CultureInfo.CurrentCulture;

    public DateTimeOffset Local(DateTimeOffset t) => TimeZoneInfo.ConvertTime(t, zone);

    public string Format(DateTimeOffset t, string format) => Local(t).ToString(format, Culture);

    /// <summary>The time of day, 24-hour like every clock in the portal: "15:04", or "15:04:05" with <paramref name="seconds"/>.</summary>
    public string Time(DateTimeOffset t, bool seconds = false) => Local(t).ToString(Clock(seconds), Culture);

    /// <summary>
    /// A moment as the reader's culture writes it, 24-hour like every clock in the portal: the time alone today,
    /// the month and day this year ("November 7 15:04", "11月7日 15:04"), else the date with its year. Never the
    /// culture's numeric short date: "11/7/2026" reads as 11 July to half the readers.
    /// </summary>
    public string Moment(DateTimeOffset t, bool seconds = false) => Moment(t, (time ?? TimeProvider.System).GetUtcNow(), seconds);

    /// <inheritdoc cref="Moment(DateTimeOffset, bool)"/>
    public string Moment(DateTimeOffset t, DateTimeOffset now, bool seconds = false)
    {
        var (local, today) = (Local(t), Local(now));
        if (local.Date == today.Date) return local.ToString(Clock(seconds), Culture);
        return local.ToString($"{(local.Year == today.Year ? MonthDay(Culture) : Day(Culture))} {Clock(seconds)}", Culture);
    }

    /// <summary>A date in the reader's culture, with its year and without a weekday ("November 7, 2026", "2026年11月7日").</summary>
    public string Date(DateTimeOffset t) => Local(t).ToString(Day(Culture), Culture);

    /// <summary>
    /// A date with its year and a time, whatever today is ("November 7, 2026 15:04", "2026年11月7日 15:04"): for a
    /// moment read later or elsewhere (when an incident opened), where "15:04" alone would lose its day.
    /// </summary>
    public string DateTime(DateTimeOffset t, bool seconds = false) => Local(t).ToString($"{Day(Culture)} {Clock(seconds)}", Culture);

    /// <summary>A day without its year, short enough for a table heading or chart axis ("Nov 7", "11月7日").</summary>
    public static string MonthDay(DateOnly day) => day.ToString(MonthDay(CultureInfo.CurrentCulture).Replace("MMMM", "MMM"), CultureInfo.CurrentCulture);

    private static string Clock(bool seconds) => seconds ? "HH:mm:ss" : "HH:mm";

    private static string MonthDay(CultureInfo culture) => culture.DateTimeFormat.MonthDayPattern;

    // The culture's long date without its weekday: en "dddd, MMMM d, yyyy", zh-CN "yyyy年M月d日" (no weekday there).
    private static string Day(CultureInfo culture) => culture.DateTimeFormat.LongDatePattern.Replace("dddd, ", "").Replace("dddd", "").Trim();

    /// <summary>The zone <paramref name="viewer"/> reads times in.</summary>
    public static TimeZoneInfo ZoneFor(Viewer viewer, Core.Fleet.Fleet fleet, DisplayTimeOptions options) =>
        viewer is { SeesEveryMerchant: false, MerchantId: { } id } && fleet.Merchants.TryGetValue(id, out var m)
            && TimeZoneInfo.TryFindSystemTimeZoneById(m.TimeZone, out var own)
            ? own
            : options.Zone();

    /// <summary>
    /// The scoped instance of a page's reader. A circuit's (and a prerender's) authentication state is set before any
    /// component is created, so its task has completed by the time a page asks for this.
    /// </summary>
    public static DisplayTime ForReader(IServiceProvider services)
    {
        var state = services.GetRequiredService<AuthenticationStateProvider>().GetAuthenticationStateAsync();
        var viewer = state.IsCompletedSuccessfully ? Viewer.From(state.Result.User) : Viewer.Nobody;
        return new DisplayTime(ZoneFor(viewer, services.GetRequiredService<FleetCache>().Current, services.GetRequiredService<IOptions<DisplayTimeOptions>>().Value),
            services.GetRequiredService<TimeProvider>());
    }
}
