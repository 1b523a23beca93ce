using PosMonitor.Core.Incidents;
using PosMonitor.Core.Telemetry;

namespace PosMonitor.Core.Detection;

/// <summary>
/// The plain static-threshold rule the engine is compared with in the quality report: a merchant or a
/// gateway whose 5-minute timeout ratio exceeds 5% at every minute for 5 minutes opens an incident on
/// that row; it resolves after 10 minutes below. Cause = the most common stage of its timeouts, mapped as
/// src/PosMonitor.Core/Detection/timeout-causes.md maps stages. It sees sales only (no silence, no learned normals, no wider scopes).
/// </summary>
/// <remarks>
/// Evaluated per merchant and per gateway (the two rows an operations desk usually watches); a gateway row
/// that fires claims nothing, so a gateway fault also fires on its busiest merchants, as such a rule would.
/// A row needs <see cref="MinSales"/> sales in the window, or one timeout in two sales would fire it.
/// </remarks>
public sealed class StaticRule(Fleet.Fleet fleet)
{
    public static readonly TimeSpan Window = TimeSpan.FromMinutes(5);
    public const double Threshold = 0.05;
    public static readonly TimeSpan HoldFor = TimeSpan.FromMinutes(5);
    public static readonly TimeSpan QuietPeriod = TimeSpan.FromMinutes(10);
    public const int MinSales = 20;

    private const int Stages = 8;
    private readonly Dictionary<(ScopeType, string), Row> _rows = [];
    private readonly List<Incident> _incidents = [];
    private long _minute = long.MinValue;
    private int _next;

    public IReadOnlyList<Incident> Incidents => _incidents;

    /// <summary>Sales in timestamp order (give or take a minute).</summary>
    public void Add(Transaction tx)
    {
        var minute = tx.Timestamp.UtcTicks / TimeSpan.TicksPerMinute;
        if (_minute == long.MinValue) _minute = minute;
        while (_minute < minute) Evaluate(++_minute);
        if (!fleet.Terminals.TryGetValue(tx.TerminalId, out var terminal)) return;
        Count(RowOf(ScopeType.Merchant, terminal.MerchantId), minute, tx);
        Count(RowOf(ScopeType.Gateway, tx.Gateway ?? terminal.GatewayId), minute, tx);
    }

    public void Finish()
    {
        if (_minute != long.MinValue) Evaluate(++_minute);
    }

    private Row RowOf(ScopeType type, string id) => _rows.TryGetValue((type, id), out var r) ? r : _rows[(type, id)] = new Row(type, id);

    private static void Count(Row row, long minute, Transaction tx)
    {
        var b = row.Bucket(minute);
        b.Sales++;
        if (tx.Outcome != Outcome.Timeout) return;
        b.Timeouts++;
        if (tx.Stage is { } s) b.ByStage[(int)s]++;
        else b.ByStage[(int)Stage.App]++;
    }

    /// <summary>Judges every row at the start of <paramref name="minute"/>, on the five minutes before it.</summary>
    private void Evaluate(long minute)
    {
        var now = new DateTimeOffset(minute * TimeSpan.TicksPerMinute, TimeSpan.Zero);
        var from = minute - (long)Window.TotalMinutes;
        foreach (var row in _rows.Values)
        {
            row.Drop(from);
            int sales = 0, timeouts = 0;
            var stages = new int[Stages];
            foreach (var b in row.Buckets.Values)
            {
                sales += b.Sales;
                timeouts += b.Timeouts;
                for (var s = 0; s < Stages; s++) stages[s] += b.ByStage[s];
            }
            var over = sales >= MinSales && (double)timeouts / sales > Threshold;
            if (over)
            {
                row.OverSince ??= now;
                row.LastOver = now;
                if (row.Open is null && now - row.OverSince.Value >= HoldFor - TimeSpan.FromMinutes(1))
                {
                    var stage = (Stage)Array.IndexOf(stages, stages.Max());
                    row.Open = _incidents.Count;
                    var cause = CauseOf(stage);
                    _incidents.Add(new Incident
                    {
                        Id = $"S-{++_next:D5}",
                        ScopeType = row.Type,
                        ScopeId = row.Id,
                        Cause = cause,
                        Severity = Causes.SeverityOf(cause, row.Type),
                        OpenedAt = now,
                        RunbookId = Causes.DefaultRunbookId(cause),
                        Title = $"{row.Type} {row.Id}: timeouts {(double)timeouts / sales:P0} over 5 min",
                        AffectedTerminalIds = row.Type == ScopeType.Merchant
                            ? fleet.Terminals.Values.Where(t => t.MerchantId == row.Id).Select(t => t.Id).ToArray()
                            : fleet.Terminals.Values.Where(t => t.GatewayId == row.Id).Select(t => t.Id).ToArray(),
                        UpdatedAt = now,
                    });
                }
            }
            else
            {
                row.OverSince = null;
                if (row.Open is { } open && now - row.LastOver >= QuietPeriod)
                {
                    _incidents[open] = _incidents[open] with { ResolvedAt = now };
                    row.Open = null;
                }
            }
        }
    }

    /// <summary>Stage to cause as src/PosMonitor.Core/Detection/timeout-causes.md reads a timeout's stage.</summary>
    public static Cause CauseOf(Stage stage) => stage switch
    {
        Stage.Connect or Stage.Send => Cause.Network,
        Stage.Host => Cause.Server,
        Stage.Gateway => Cause.Gateway,
        Stage.Print => Cause.Hardware,
        Stage.Notify => Cause.ThirdParty,
        Stage.Input => Cause.Operator,
        _ => Cause.Software,
    };

    private sealed class Bucket
    {
        public int Sales;
        public int Timeouts;
        public readonly int[] ByStage = new int[Stages];
    }

    private sealed class Row(ScopeType type, string id)
    {
        public ScopeType Type { get; } = type;
        public string Id { get; } = id;
        public Dictionary<long, Bucket> Buckets { get; } = [];
        public DateTimeOffset? OverSince { get; set; }
        public DateTimeOffset LastOver { get; set; }
        public int? Open { get; set; }

        public Bucket Bucket(long minute) => Buckets.TryGetValue(minute, out var b) ? b : Buckets[minute] = new Bucket();

        public void Drop(long before)
        {
            foreach (var k in Buckets.Keys.Where(k => k < before).ToList()) Buckets.Remove(k);
        }
    }
}
