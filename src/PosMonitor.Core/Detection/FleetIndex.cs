using PosMonitor.Core.Fleet;

namespace PosMonitor.Core.Detection;

/// <summary>
/// The fleet as dense arrays, so one evaluation walks thousands of terminals without string lookups.
/// Rebuilt only when the host passes a different <see cref="Fleet.Fleet"/> instance.
/// </summary>
internal sealed class FleetIndex
{
    public FleetIndex(Fleet.Fleet fleet)
    {
        Fleet = fleet;
        var terminals = fleet.Terminals.Values.OrderBy(t => t.Id, StringComparer.Ordinal).ToArray();
        Terminals = terminals;
        TerminalIds = terminals.Select(t => t.Id).ToArray();
        TerminalIndex = Indexed(TerminalIds);

        MerchantIds = fleet.Merchants.Keys.Union(terminals.Select(t => t.MerchantId)).Order(StringComparer.Ordinal).ToArray();
        RegionIds = fleet.Regions.Keys.Union(terminals.Select(t => t.RegionId)).Order(StringComparer.Ordinal).ToArray();
        GatewayIds = fleet.Gateways.Keys.Union(terminals.Select(t => t.GatewayId)).Order(StringComparer.Ordinal).ToArray();
        MerchantIndex = Indexed(MerchantIds);
        RegionIndex = Indexed(RegionIds);
        GatewayIndex = Indexed(GatewayIds);
        MerchantOf = terminals.Select(t => MerchantIndex[t.MerchantId]).ToArray();
        RegionOf = terminals.Select(t => RegionIndex[t.RegionId]).ToArray();
        GatewayOf = terminals.Select(t => GatewayIndex[t.GatewayId]).ToArray();
        MerchantTerminals = Members(MerchantOf, MerchantIds.Length);
        RegionTerminals = Members(RegionOf, RegionIds.Length);
        GatewayTerminals = Members(GatewayOf, GatewayIds.Length);

        Merchants = MerchantIds.Select(id => fleet.Merchants.GetValueOrDefault(id)).ToArray();
        MerchantZones = Merchants.Select(m => TimeZones.FindOrUtc(m?.TimeZone)).ToArray();
        Self = Enumerable.Range(0, TerminalIds.Length).ToArray();
        SelfMembers = Self.Select(t => new[] { t }).ToArray();
        AllInOne = new int[TerminalIds.Length];
        MerchantHours = Merchants.Select(m => OpeningHours.TryParse(m?.OpeningHours, out var h) ? h : (OpeningHours?)null).ToArray();
        var schedules = new Dictionary<(string Zone, OpeningHours? Hours), int>();
        ScheduleOf = new int[MerchantIds.Length];
        var first = new List<int>();
        for (var m = 0; m < MerchantIds.Length; m++)
        {
            if (!schedules.TryGetValue((MerchantZones[m].Id, MerchantHours[m]), out var s))
            {
                schedules[(MerchantZones[m].Id, MerchantHours[m])] = s = first.Count;
                first.Add(m);
            }
            ScheduleOf[m] = s;
        }
        ScheduleMerchant = [.. first];
    }

    public Fleet.Fleet Fleet { get; }
    public Terminal[] Terminals { get; }
    public string[] TerminalIds { get; }
    public Dictionary<string, int> TerminalIndex { get; }
    public string[] MerchantIds { get; }
    public string[] RegionIds { get; }
    public string[] GatewayIds { get; }
    public Dictionary<string, int> MerchantIndex { get; }
    public Dictionary<string, int> RegionIndex { get; }
    public Dictionary<string, int> GatewayIndex { get; }
    public int[] MerchantOf { get; }
    public int[] RegionOf { get; }
    public int[] GatewayOf { get; }
    public int[][] MerchantTerminals { get; }
    public int[][] RegionTerminals { get; }
    public int[][] GatewayTerminals { get; }
    public Merchant?[] Merchants { get; }
    public TimeZoneInfo[] MerchantZones { get; }
    public OpeningHours?[] MerchantHours { get; }

    /// <summary>
    /// Merchant → its schedule: merchants with the same time zone and opening hours share one, so whether they
    /// are open, and since when, is worked out once per schedule (a fleet has hundreds of shops, a few dozen schedules).
    /// </summary>
    public int[] ScheduleOf { get; }
    /// <summary>Schedule → the first merchant with it.</summary>
    public int[] ScheduleMerchant { get; }

    /// <summary>Terminal t's own index (the terminal level's grouping), its one-member lists, and the platform's grouping (all in 0).</summary>
    public int[] Self { get; }
    public int[][] SelfMembers { get; }
    public int[] AllInOne { get; }

    public int TerminalCount => TerminalIds.Length;

    /// <summary>Whether merchant <paramref name="m"/> trades at <paramref name="utc"/> (no hours: always).</summary>
    public bool IsOpen(int m, DateTimeOffset utc) =>
        MerchantHours[m] is not { } hours
        || hours.Contains(TimeOnly.FromDateTime(TimeZoneInfo.ConvertTime(utc, MerchantZones[m]).DateTime));

    /// <summary>
    /// For every merchant, <see cref="IsOpen"/> at <paramref name="utc"/> and, where open, <see cref="SessionStart"/>
    /// (left default where closed): the same answers, worked out once per schedule.
    /// </summary>
    public void OpenNow(DateTimeOffset utc, bool[] open, DateTimeOffset[] session)
    {
        var scheduleOpen = new bool[ScheduleMerchant.Length];
        var scheduleSession = new DateTimeOffset[ScheduleMerchant.Length];
        for (var s = 0; s < ScheduleMerchant.Length; s++)
        {
            scheduleOpen[s] = IsOpen(ScheduleMerchant[s], utc);
            if (scheduleOpen[s]) scheduleSession[s] = SessionStart(ScheduleMerchant[s], utc);
        }
        for (var m = 0; m < open.Length; m++)
        {
            open[m] = scheduleOpen[ScheduleOf[m]];
            if (open[m]) session[m] = scheduleSession[ScheduleOf[m]];
        }
    }

    /// <summary>When the merchant's current trading session began (MinValue when always open).</summary>
    public DateTimeOffset SessionStart(int m, DateTimeOffset utc)
    {
        if (MerchantHours[m] is not { } hours) return DateTimeOffset.MinValue;
        var zone = MerchantZones[m];
        var local = TimeZoneInfo.ConvertTime(utc, zone).DateTime;
        var opening = local.Date + hours.Opens.ToTimeSpan();
        if (opening > local) opening = opening.AddDays(-1);
        var unspecified = DateTime.SpecifyKind(opening, DateTimeKind.Unspecified);
        // An opening time skipped by a DST jump: take the hour after.
        if (zone.IsInvalidTime(unspecified)) unspecified = unspecified.AddHours(1);
        return new DateTimeOffset(unspecified, zone.GetUtcOffset(unspecified));
    }

    public static Dictionary<string, int> Indexed(string[] ids)
    {
        var map = new Dictionary<string, int>(ids.Length, StringComparer.Ordinal);
        for (var i = 0; i < ids.Length; i++) map[ids[i]] = i;
        return map;
    }

    public static int[][] Members(int[] of, int count)
    {
        var lists = new List<int>[count];
        for (var i = 0; i < count; i++) lists[i] = [];
        for (var t = 0; t < of.Length; t++) lists[of[t]].Add(t);
        return lists.Select(l => l.ToArray()).ToArray();
    }
}
