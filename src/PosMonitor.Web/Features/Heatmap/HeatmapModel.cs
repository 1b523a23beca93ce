namespace PosMonitor.Web.Features.Heatmap;

/// <summary>What the rows of a heatmap are. Terminal rows exist only as the last step of a drill-down.</summary>
public enum HeatmapBy { Region, Merchant, Gateway, Firmware, Terminal }

public static class HeatmapDimensions
{
    /// <summary>The views of the API and the hub, in their wire names.</summary>
    public static IReadOnlyList<HeatmapBy> Public { get; } = [HeatmapBy.Region, HeatmapBy.Merchant, HeatmapBy.Gateway, HeatmapBy.Firmware];

    public static string Name(HeatmapBy by) => by switch
    {
        HeatmapBy.Region => "region",
        HeatmapBy.Merchant => "merchant",
        HeatmapBy.Gateway => "gateway",
        HeatmapBy.Firmware => "firmware",
        _ => "terminal",
    };

    /// <summary>Parses a public view name (case-sensitive, as the wire contract spells it).</summary>
    public static bool TryParse(string? name, out HeatmapBy by)
    {
        foreach (var candidate in Public)
            if (Name(candidate) == name) { by = candidate; return true; }
        by = default;
        return false;
    }
}

/// <summary>One row and minute on the wire (GET /api/v1/heatmap and the hub's HeatmapUpdated).</summary>
/// <param name="Minute">Start of the minute, UTC (a <see cref="DateTime"/> so it serialises with a Z suffix).</param>
public sealed record HeatmapCell(string Row, DateTime Minute, int Transactions, int Timeouts);

/// <summary>The hub's HeatmapUpdated payload: only the cells that changed.</summary>
public sealed record HeatmapUpdate(string By, IReadOnlyList<HeatmapCell> Cells);

/// <summary>What rows a view shows: a dimension, optionally narrowed to one row of a parent view (drill-down).</summary>
/// <param name="FilterBy">With <paramref name="FilterId"/>: count only terminals of that region, gateway, firmware or merchant.
/// Merchant rows can be narrowed by region, gateway or firmware; terminal rows by merchant.</param>
public sealed record HeatmapQuery(HeatmapBy By, int Minutes, HeatmapBy? FilterBy = null, string? FilterId = null)
{
    public bool IsDrillDown => FilterBy is not null && FilterId is not null;
}

/// <summary>A rendered view: one column per minute, oldest first, the newest being the current minute.</summary>
public sealed record HeatmapView(HeatmapQuery Query, DateTimeOffset FirstMinute, IReadOnlyList<HeatmapRow> Rows, int TotalRows)
{
    public int Columns => Query.Minutes;
    public DateTimeOffset MinuteAt(int column) => FirstMinute.AddMinutes(column);
}

/// <param name="Transactions">Per column, oldest first.</param>
public sealed record HeatmapRow(string Id, string Label, int[] Transactions, int[] Timeouts)
{
    public int TotalTransactions => Transactions.Sum();
    public int TotalTimeouts => Timeouts.Sum();
}

/// <summary>
/// Sent to in-process subscribers after each coalesced flush (and on a slow heartbeat tick when
/// nothing changed, so time-based figures such as online counts and the clock move on).
/// </summary>
/// <param name="ChangedTerminals">Terminals whose minutes changed since the previous tick.</param>
public sealed record HeatmapTick(DateTimeOffset At, IReadOnlySet<string> ChangedTerminals, bool DataChanged);

/// <summary>Settings under <c>PosMonitor:Heatmap</c>.</summary>
public sealed class HeatmapOptions
{
    public const string Section = "PosMonitor:Heatmap";

    /// <summary>How often changed cells are pushed (coalesced) to pages and hub clients.</summary>
    [System.ComponentModel.DataAnnotations.Range(50, 60_000)]
    public int FlushMilliseconds { get; set; } = 250;

    /// <summary>A tick with no data is still sent this often, so clocks and online counts move on.</summary>
    [System.ComponentModel.DataAnnotations.Range(1, 3600)]
    public int IdleTickSeconds { get; set; } = 5;

    /// <summary>A cell with fewer sales than this is shown as "too little traffic", not as a rate.</summary>
    [System.ComponentModel.DataAnnotations.Range(1, 100_000)]
    public int MinTransactions { get; set; } = 5;

    /// <summary>Most rows a page shows (the ones with most timeouts); the API returns all.</summary>
    [System.ComponentModel.DataAnnotations.Range(1, 10_000)]
    public int MaxRows { get; set; } = 40;
}

/// <summary>An open incident as the heatmap marks it: the row it concerns (when the view has such rows) and the minute it opened.</summary>
/// <param name="By">The view whose rows hold the incident's scope; null for a platform-wide incident (marked in time only).</param>
/// <param name="Title">Already in the reader's language.</param>
public sealed record HeatmapMark(HeatmapBy? By, string RowId, DateTimeOffset OpenedAt, string Title)
{
    public static HeatmapMark From(Core.Incidents.Incident incident, string title) =>
        new(ByOf(incident.ScopeType), incident.ScopeId, incident.OpenedAt, title);

    /// <summary>The heatmap view whose rows are of an incident's scope type.</summary>
    public static HeatmapBy? ByOf(Core.Incidents.ScopeType scope) => scope switch
    {
        Core.Incidents.ScopeType.Region => HeatmapBy.Region,
        Core.Incidents.ScopeType.Gateway => HeatmapBy.Gateway,
        Core.Incidents.ScopeType.Firmware => HeatmapBy.Firmware,
        Core.Incidents.ScopeType.Merchant => HeatmapBy.Merchant,
        Core.Incidents.ScopeType.Terminal => HeatmapBy.Terminal,
        _ => null,
    };
}
