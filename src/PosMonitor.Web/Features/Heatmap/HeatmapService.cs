using System.Buffers.Binary;
using Microsoft.Extensions.Options;
using PosMonitor.Core.Rollups;
using PosMonitor.Web.Features.Fleet;
using PosMonitor.Web.Features.Identity;
using PosMonitor.Web.Features.Telemetry;
using PosMonitor.Web.Infrastructure.Realtime;

namespace PosMonitor.Web.Features.Heatmap;

/// <summary>
/// The live timeout heatmap: sales and timeouts per row and minute for the last
/// <see cref="WindowMinutes"/> minutes, in memory. Seeded from the rollups at start, then updated
/// from every committed <see cref="RollupDelta"/>. Besides the platform-wide rows it keeps each
/// merchant's own rows (its terminals only), so a merchant-bound viewer is served from numbers
/// that never include another merchant. Changed cells are collected as dirty and handed to the
/// <see cref="HeatmapPublisher"/>, which pushes them coalesced.
/// </summary>
public sealed class HeatmapService
{
    public const int WindowMinutes = 240;
    /// <summary>
    /// Scope of the platform-wide rows, the only rows kept. A merchant's own views (scope: the merchant id) are sums of
    /// its terminals' rows, made when asked and for the minutes its merchant row changed in: kept as rows of their own
    /// they were four more rings a merchant, ~0.7 GB of an estate's 63,822 merchants after four hours of trading.
    /// </summary>
    public const string AllMerchants = "*";
    private static readonly HeatmapBy[] Aggregated = [HeatmapBy.Region, HeatmapBy.Merchant, HeatmapBy.Gateway, HeatmapBy.Firmware];

    private readonly FleetCache _fleet;
    private readonly TerminalStateCache _states;
    private readonly TimeProvider _time;
    private readonly IOptions<HeatmapOptions> _options;
    private readonly Lock _gate = new();
    private readonly Dictionary<(string Scope, HeatmapBy By), Dictionary<string, Ring>> _rows = [];
    /// <summary>Per terminal, the five rings a sale of it goes to: one lookup per rollup row instead of five (this runs for every row committed).</summary>
    private readonly Dictionary<string, TerminalRings> _terminalRings = new(StringComparer.Ordinal);
    /// <summary>Rings with cells changed since the last <see cref="TakeChanges"/>; each ring knows its changed minutes.</summary>
    private readonly List<Ring> _dirty = [];
    private readonly HashSet<string> _changedTerminals = new(StringComparer.Ordinal);
    private readonly FeedSubscribers<HeatmapTick> _subscribers;
    private bool _statesChanged;
    private DateTimeOffset? _historyLoadingBefore;

    public HeatmapService(FleetCache fleet, TerminalStateCache states, TimeProvider time, IOptions<HeatmapOptions> options, ILogger<HeatmapService> logger)
    {
        _subscribers = new(logger);
        _fleet = fleet;
        _states = states;
        _time = time;
        _options = options;
    }

    public HeatmapOptions Options => _options.Value;

    public static int EpochMinute(DateTimeOffset t) => (int)(t.ToUnixTimeSeconds() / 60);

    public static DateTimeOffset FromEpochMinute(int minute) => DateTimeOffset.FromUnixTimeSeconds(minute * 60L);

    /// <summary>Adds minutes read from the rollups at start (<see cref="HeatmapStartup"/>): counts the feed did not deliver.</summary>
    public void Seed(IEnumerable<MinuteCounts> minutes)
    {
        var fleet = _fleet.Current;
        lock (_gate)
            foreach (var m in minutes)
                if (fleet.Terminals.TryGetValue(m.TerminalId, out var terminal))
                    Add(terminal, _states.Get(m.TerminalId)?.Firmware ?? terminal.Firmware,
                        EpochMinute(DateTimeOffset.FromUnixTimeMilliseconds(m.MinuteMs)), m.Transactions, m.Timeouts, markDirty: false);
    }

    /// <summary>
    /// While set, the minutes before it are still being read back after a start (<see cref="HeatmapStartup"/>): the pages
    /// say so instead of showing them as a quiet time.
    /// </summary>
    public DateTimeOffset? HistoryLoadingBefore
    {
        get
        {
            lock (_gate) return _historyLoadingBefore;
        }
    }

    /// <summary>Marks the minutes before <paramref name="before"/> as loading, or (null) the history as complete; pages re-read at the next tick.</summary>
    public void HistoryLoading(DateTimeOffset? before)
    {
        lock (_gate)
        {
            _historyLoadingBefore = before;
            _statesChanged = true;
        }
    }

    /// <summary>Folds one committed batch in. Runs on the ingestion writer loop, so it only adds numbers.</summary>
    public void Apply(RollupDelta delta)
    {
        var fleet = _fleet.Current;
        var oldest = EpochMinute(_time.GetUtcNow()) - WindowMinutes;
        lock (_gate)
        {
            if (delta.States.Count > 0) _statesChanged = true;
            foreach (var ((terminalId, minuteStart), minute) in delta.Minutes)
            {
                if (minute.Transactions == 0) continue;
                var at = EpochMinute(minuteStart);
                if (at <= oldest || !fleet.Terminals.TryGetValue(terminalId, out var terminal)) continue;
                // Firmware as the terminal reports it now (the rollups do not keep it per minute).
                var firmware = (delta.States.TryGetValue(terminalId, out var s) ? s.Firmware : null)
                               ?? _states.Get(terminalId)?.Firmware ?? terminal.Firmware;
                Add(terminal, firmware, at, minute.Transactions, minute.Timeouts, markDirty: true);
                _changedTerminals.Add(terminalId);
            }
        }
    }

    private void Add(Core.Fleet.Terminal terminal, string firmware, int minute, int transactions, int timeouts, bool markDirty)
    {
        var rings = RingsOf(terminal, firmware);
        rings.Terminal.Add(minute, transactions, timeouts);
        AddTo(rings.Region);
        AddTo(rings.Merchant);
        AddTo(rings.Gateway);
        AddTo(rings.Firmware);

        void AddTo(Ring ring)
        {
            ring.Add(minute, transactions, timeouts);
            if (markDirty && ring.MarkDirty(minute)) _dirty.Add(ring);
        }
    }

    /// <summary>The rings of a terminal's rows, found again only when the fleet or the terminal's firmware changed.</summary>
    private TerminalRings RingsOf(Core.Fleet.Terminal terminal, string firmware)
    {
        if (_terminalRings.TryGetValue(terminal.Id, out var cached) && ReferenceEquals(cached.Of, terminal) && cached.FirmwareId == firmware)
            return cached;
        var region = RingOf(HeatmapBy.Region, terminal.RegionId);
        var merchant = RingOf(HeatmapBy.Merchant, terminal.MerchantId);
        var gateway = RingOf(HeatmapBy.Gateway, terminal.GatewayId);
        var firmwareRing = RingOf(HeatmapBy.Firmware, firmware);
        RoomForTheFleet(_terminalRings);
        return _terminalRings[terminal.Id] = new TerminalRings(terminal, firmware, RingOf(HeatmapBy.Terminal, terminal.Id), region, merchant, gateway, firmwareRing);
    }

    /// <summary>The rings as fields, not an array of the four aggregated ones: one object a terminal instead of two.</summary>
    private sealed record TerminalRings(Core.Fleet.Terminal Of, string FirmwareId, Ring Terminal, Ring Region, Ring Merchant, Ring Gateway, Ring Firmware);

    /// <summary>A platform-wide row's ring (the only rows kept, see <see cref="AllMerchants"/>), made at its first sale.</summary>
    private Ring RingOf(HeatmapBy by, string row)
    {
        if (!_rows.TryGetValue((AllMerchants, by), out var rows)) _rows[(AllMerchants, by)] = rows = new(StringComparer.Ordinal);
        if (!rows.TryGetValue(row, out var ring))
        {
            if (by == HeatmapBy.Terminal) RoomForTheFleet(rows);
            rows[row] = ring = new Ring(by, row);
        }
        return ring;
    }

    /// <summary>
    /// Makes a full dictionary keyed by terminal room for the whole fleet at once: grown by doubling, it had 324k entries
    /// for the 192k terminals that sold in the 200k-terminal benchmark.
    /// </summary>
    private void RoomForTheFleet<T>(Dictionary<string, T> byTerminal)
    {
        var fleetSize = _fleet.Current.Terminals.Count;
        if (byTerminal.Count == byTerminal.Capacity && fleetSize > byTerminal.Count) byTerminal.EnsureCapacity(fleetSize);
    }

    /// <summary>Takes the cells changed since the last call, per scope and view, with their current counts.</summary>
    public HeatmapFlush TakeChanges()
    {
        lock (_gate)
        {
            var statesChanged = _statesChanged;
            _statesChanged = false;
            if (_dirty.Count == 0) return new HeatmapFlush([], new HashSet<string>(), statesChanged);
            var fleet = _fleet.Current;
            var updates = new Dictionary<(string, HeatmapBy), List<HeatmapCell>>();
            List<HeatmapCell> CellsOf(string scope, HeatmapBy by) =>
                updates.TryGetValue((scope, by), out var cells) ? cells : updates[(scope, by)] = [];
            foreach (var ring in _dirty)
            {
                var minutes = ring.TakeDirty();
                var cells = CellsOf(AllMerchants, ring.By);
                foreach (var minute in minutes)
                {
                    var (tx, to) = ring.Get(minute);
                    cells.Add(new HeatmapCell(ring.Row, FromEpochMinute(minute).UtcDateTime, tx, to));
                }
                if (ring.By != HeatmapBy.Merchant) continue;
                // The merchant's own views, for the minutes its row changed in.
                var own = fleet.TerminalsOf(ring.Row).ToList();
                foreach (var by in Aggregated)
                    foreach (var group in own.GroupBy(t => RowOf(t, by)))
                        foreach (var minute in minutes)
                        {
                            var (tx, to) = Sum(group, minute);
                            // Counts only grow: a row with none in this minute had none before either, and was never sent.
                            if (tx > 0 || to > 0) CellsOf(ring.Row, by).Add(new HeatmapCell(group.Key, FromEpochMinute(minute).UtcDateTime, tx, to));
                        }
            }
            _dirty.Clear();
            var terminals = new HashSet<string>(_changedTerminals, StringComparer.Ordinal);
            _changedTerminals.Clear();
            return new HeatmapFlush([.. updates.Select(u => new ScopedUpdate(u.Key.Item1, u.Key.Item2, u.Value))], terminals, true);
        }
    }

    /// <summary>Cells with sales of the last <paramref name="minutes"/> minutes, for the API.</summary>
    public IReadOnlyList<HeatmapCell> Cells(Viewer viewer, HeatmapBy by, int minutes)
    {
        var view = Query(viewer, new HeatmapQuery(by, minutes), maxRows: int.MaxValue);
        var cells = new List<HeatmapCell>();
        foreach (var row in view.Rows)
            for (var c = 0; c < view.Columns; c++)
                if (row.Transactions[c] > 0)
                    cells.Add(new HeatmapCell(row.Id, view.MinuteAt(c).UtcDateTime, row.Transactions[c], row.Timeouts[c]));
        return cells;
    }

    /// <summary>
    /// A view for a page: the rows <paramref name="viewer"/> may see, at most <paramref name="maxRows"/>
    /// of them (those with most timeouts); merchants and terminals most timeouts first, other views in
    /// label order so their few rows keep their place as numbers change.
    /// </summary>
    public HeatmapView Query(Viewer viewer, HeatmapQuery query, int? maxRows = null)
    {
        var minutes = Math.Clamp(query.Minutes, 1, WindowMinutes);
        var last = EpochMinute(_time.GetUtcNow());
        var first = last - minutes + 1;
        var fleet = _fleet.Current;
        var scope = viewer.SeesEveryMerchant ? AllMerchants : viewer.MerchantId;
        var rows = new List<HeatmapRow>();
        if (scope is null) return new HeatmapView(query with { Minutes = minutes }, FromEpochMinute(first), rows, 0);

        lock (_gate)
        {
            var visible = scope == AllMerchants ? fleet.Terminals.Values : fleet.TerminalsOf(scope);
            if (query is { IsDrillDown: true, FilterBy: { } filterBy, FilterId: { } filterId })
            {
                var terminals = visible.Where(t => RowOf(t, filterBy) == filterId);
                if (query.By == HeatmapBy.Terminal)
                    foreach (var t in terminals)
                        rows.Add(Row(t.Id, t.Store is null ? t.Id : $"{t.Id} · {t.Store}", first, minutes, Lookup(AllMerchants, HeatmapBy.Terminal, t.Id)));
                else
                    foreach (var group in terminals.GroupBy(t => RowOf(t, query.By)))
                        rows.Add(Row(group.Key, LabelOf(fleet, query.By, group.Key), first, minutes,
                            [.. group.SelectMany(t => Lookup(AllMerchants, HeatmapBy.Terminal, t.Id))]));
            }
            else if (scope != AllMerchants)
            {
                // A merchant's own rows: sums of its terminals' (a shop's handful), see AllMerchants.
                foreach (var group in visible.GroupBy(t => RowOf(t, query.By)))
                    rows.Add(Row(group.Key, LabelOf(fleet, query.By, group.Key), first, minutes,
                        [.. group.SelectMany(t => Lookup(AllMerchants, HeatmapBy.Terminal, t.Id))]));
            }
            else
            {
                _rows.TryGetValue((scope, query.By), out var stored);
                var ids = stored is null ? new HashSet<string>(StringComparer.Ordinal) : new HashSet<string>(stored.Keys, StringComparer.Ordinal);
                // Rows the fleet knows show up even before their first sale, so silence is visible.
                foreach (var t in visible)
                    ids.Add(RowOf(t, query.By));
                foreach (var id in ids)
                    rows.Add(Row(id, LabelOf(fleet, query.By, id), first, minutes, stored is not null && stored.TryGetValue(id, out var r) ? [r] : []));
            }
        }

        // Two merchants (or stores) of the same name must not look like one row: the id tells them apart. By position:
        // an estate has thousands of shared shop names, and finding each row again was quadratic.
        var shared = rows.GroupBy(r => r.Label, StringComparer.CurrentCultureIgnoreCase).Where(g => g.Skip(1).Any())
            .Select(g => g.Key).ToHashSet(StringComparer.CurrentCultureIgnoreCase);
        for (var i = 0; i < rows.Count; i++)
            if (shared.Contains(rows[i].Label)) rows[i] = rows[i] with { Label = $"{rows[i].Label} ({rows[i].Id})" };
        var total = rows.Count;
        IEnumerable<HeatmapRow> worstFirst = rows.OrderByDescending(r => r.TotalTimeouts).ThenByDescending(r => r.TotalTransactions)
            .ThenBy(r => r.Label, StringComparer.CurrentCulture).ThenBy(r => r.Id, StringComparer.Ordinal);
        IEnumerable<HeatmapRow> shown = maxRows is { } cap ? worstFirst.Take(cap) : worstFirst;
        // Merchants and terminals are many and read as a ranking (the page says "most timeouts"): worst first.
        // Regions, gateways and firmware are few and keep their place as numbers change: by name.
        if (query.By is not (HeatmapBy.Merchant or HeatmapBy.Terminal))
            shown = shown.OrderBy(r => r.Label, StringComparer.CurrentCulture).ThenBy(r => r.Id, StringComparer.Ordinal);
        return new HeatmapView(query with { Minutes = minutes }, FromEpochMinute(first), [.. shown], total);
    }

    /// <summary>The row a terminal falls in; firmware as last reported (the fleet's value until the first heartbeat).</summary>
    private string RowOf(Core.Fleet.Terminal t, HeatmapBy by) => by switch
    {
        HeatmapBy.Region => t.RegionId,
        HeatmapBy.Merchant => t.MerchantId,
        HeatmapBy.Gateway => t.GatewayId,
        HeatmapBy.Firmware => _states.Get(t.Id)?.Firmware ?? t.Firmware,
        _ => t.Id,
    };

    private Ring[] Lookup(string scope, HeatmapBy by, string row) =>
        _rows.TryGetValue((scope, by), out var rows) && rows.TryGetValue(row, out var ring) ? [ring] : [];

    /// <summary>
    /// The rows a scope's totals add up, each sale in exactly one: the estate's region rows (a few dozen, where its
    /// merchant rows are tens of thousands), or the one merchant's own row.
    /// </summary>
    private IEnumerable<Ring> TotalRows(string scope) =>
        scope == AllMerchants
            ? _rows.TryGetValue((AllMerchants, HeatmapBy.Region), out var rows) ? rows.Values : []
            : Lookup(AllMerchants, HeatmapBy.Merchant, scope);

    private (int Transactions, int Timeouts) Sum(IEnumerable<Core.Fleet.Terminal> terminals, int minute)
    {
        int tx = 0, to = 0;
        foreach (var t in terminals)
            foreach (var ring in Lookup(AllMerchants, HeatmapBy.Terminal, t.Id))
            {
                var (a, b) = ring.Get(minute);
                tx += a;
                to += b;
            }
        return (tx, to);
    }

    private static HeatmapRow Row(string id, string label, int first, int minutes, Ring[] rings)
    {
        var tx = new int[minutes];
        var to = new int[minutes];
        foreach (var ring in rings)
            for (var c = 0; c < minutes; c++)
            {
                var (t, o) = ring.Get(first + c);
                tx[c] += t;
                to[c] += o;
            }
        return new HeatmapRow(id, label, tx, to);
    }

    /// <summary>The name a row of <paramref name="by"/> is shown with (a drill-down trail read back from a link).</summary>
    public string Label(HeatmapBy by, string id) => LabelOf(_fleet.Current, by, id);

    private static string LabelOf(Core.Fleet.Fleet fleet, HeatmapBy by, string id) => by switch
    {
        HeatmapBy.Region => RegionNames.Of(fleet, id),
        HeatmapBy.Merchant => fleet.Merchants.TryGetValue(id, out var m) ? m.Name : id,
        HeatmapBy.Gateway => fleet.Gateways.TryGetValue(id, out var g) ? g.Name : id,
        _ => id,
    };

    /// <summary>
    /// Sales and timeouts the viewer may see, over the last <paramref name="minutes"/> minutes and the rest of the
    /// window before them. The earlier part leaves out <paramref name="excluded"/> (incidents' terminals while the
    /// incidents were open): it is the "normal" the recent rate is held against, and an outage is not normal.
    /// </summary>
    public TrafficTotals Totals(Viewer viewer, int minutes, IReadOnlyList<TrafficExclusion>? excluded = null)
    {
        var now = _time.GetUtcNow();
        var last = EpochMinute(now);
        var first = last - WindowMinutes + 1;
        var scope = viewer.SeesEveryMerchant ? AllMerchants : viewer.MerchantId;
        long recentTx = 0, recentTo = 0, earlierTx = 0, earlierTo = 0;
        if (scope is not null)
            lock (_gate)
            {
                foreach (var ring in TotalRows(scope))
                    for (var m = first; m <= last; m++)
                    {
                        var (tx, to) = ring.Get(m);
                        if (m > last - minutes) { recentTx += tx; recentTo += to; }
                        else { earlierTx += tx; earlierTo += to; }
                    }
                var (outTx, outTo) = ExcludedEarlier(viewer, scope, first, last - minutes, excluded ?? []);
                earlierTx -= outTx;
                earlierTo -= outTo;
            }
        // The current minute is still filling up: divide by the minutes that really passed.
        var elapsed = minutes - 1 + (now.ToUnixTimeMilliseconds() % 60_000) / 60_000.0;
        return new TrafficTotals(recentTx, recentTo, earlierTx, earlierTo, recentTx / Math.Max(elapsed, 1.0 / 60));
    }

    /// <summary>Sales and timeouts of the excluded terminal-minutes between two minutes, each counted once however many incidents cover it.</summary>
    private (long Transactions, long Timeouts) ExcludedEarlier(Viewer viewer, string scope, int from, int to, IReadOnlyList<TrafficExclusion> excluded)
    {
        long tx = 0, timeouts = 0;
        var wholeMinutes = new HashSet<int>();
        foreach (var e in excluded.Where(e => e.Terminals is null))
            for (var m = Math.Max(from, EpochMinute(e.From)); m <= Math.Min(to, EpochMinute(e.To)); m++)
                wholeMinutes.Add(m);
        foreach (var m in wholeMinutes)
            foreach (var ring in TotalRows(scope))
            {
                var (t, o) = ring.Get(m);
                tx += t;
                timeouts += o;
            }
        var fleet = _fleet.Current;
        var terminalMinutes = new HashSet<(string, int)>();
        foreach (var e in excluded)
            foreach (var terminal in e.Terminals ?? [])
            {
                if (!fleet.Terminals.TryGetValue(terminal, out var t) || !viewer.MaySee(t.MerchantId)) continue;
                for (var m = Math.Max(from, EpochMinute(e.From)); m <= Math.Min(to, EpochMinute(e.To)); m++)
                    if (!wholeMinutes.Contains(m)) terminalMinutes.Add((terminal, m));
            }
        if (_rows.TryGetValue((AllMerchants, HeatmapBy.Terminal), out var terminals))
            foreach (var (terminal, m) in terminalMinutes)
                if (terminals.TryGetValue(terminal, out var ring))
                {
                    var (t, o) = ring.Get(m);
                    tx += t;
                    timeouts += o;
                }
        return (tx, timeouts);
    }

    /// <summary>Merchants with the most timeouts over the last <paramref name="minutes"/> minutes.</summary>
    public IReadOnlyList<MerchantImpact> TopMerchants(Viewer viewer, int minutes, int count)
    {
        var last = EpochMinute(_time.GetUtcNow());
        var fleet = _fleet.Current;
        var result = new List<MerchantImpact>();
        lock (_gate)
            if (_rows.TryGetValue((AllMerchants, HeatmapBy.Merchant), out var merchants))
                foreach (var (id, ring) in merchants)
                {
                    if (!viewer.MaySee(id)) continue;
                    int tx = 0, to = 0;
                    for (var m = last - minutes + 1; m <= last; m++)
                    {
                        var (t, o) = ring.Get(m);
                        tx += t;
                        to += o;
                    }
                    if (to > 0) result.Add(new MerchantImpact(id, fleet.Merchants.TryGetValue(id, out var merchant) ? merchant.Name : id, tx, to));
                }
        return [.. result.OrderByDescending(r => r.Timeouts).ThenByDescending(r => r.Rate).Take(count)];
    }

    /// <summary>Calls <paramref name="onTick"/> on every tick, in the culture it subscribed in.</summary>
    public IDisposable Subscribe(Action<HeatmapTick> onTick) => _subscribers.Add(onTick);

    /// <summary>Tells in-process subscribers (pages) to re-read; called by the publisher only.</summary>
    public void Publish(HeatmapTick tick) => _subscribers.Publish(tick);

    public int Subscribers => _subscribers.Count;

    /// <summary>Rings held, every view's rows together (for tests and the Performance notes).</summary>
    internal int RingCount
    {
        get
        {
            lock (_gate) return _rows.Values.Sum(rows => rows.Count);
        }
    }

    /// <summary>
    /// One row's minutes with sales, newest last, for at most <see cref="WindowMinutes"/> minutes back from the newest.
    /// Sparse and time-bounded: a row holds only the minutes it sold in (a shop's till a few dozen in four hours, a
    /// region all of them), so 200,000 terminal rows and their merchants' rows cost what they sold, not 240 slots each.
    /// Packed in one byte array, as most rows are a till's small counts: a slot is its minute's low byte and its two
    /// counts, each 1, 2 or 4 bytes as the largest count the ring held needed (a till 3 bytes a slot, a region 5).
    /// </summary>
    internal sealed class Ring(HeatmapBy by, string row)
    {
        /// <summary>
        /// A slot keeps only its minute's low byte: every minute held lies within <see cref="WindowMinutes"/> (fewer than
        /// 256) of <see cref="_newest"/>, so the newest minute and that byte name it.
        /// </summary>
        private const int MinuteMask = 0xFF;
        private byte[] _slots = [];
        private int _count;
        private int _newest;
        /// <summary>Bytes a count takes: 1, then 2 or 4 from the first count that did not fit, for good (none is ever clipped).</summary>
        private int _width = 1;
        /// <summary>Minutes changed since the last flush: a few at most (sales arrive for the newest minutes); made at first use.</summary>
        private List<int>? _dirtyMinutes;

        public HeatmapBy By { get; } = by;
        public string Row { get; } = row;

        /// <summary>Minutes held (for tests and the Performance notes).</summary>
        internal int Count => _count;

        /// <summary>Bytes a count takes now (for tests).</summary>
        internal int CountWidth => _width;

        /// <summary>Slots the array has room for.</summary>
        internal int Capacity => _slots.Length / Stride;

        private int Stride => 1 + 2 * _width;

        /// <summary>Notes a changed minute; true when the ring had no changes yet (the caller lists it once).</summary>
        public bool MarkDirty(int minute)
        {
            _dirtyMinutes ??= [];
            if (_dirtyMinutes.Contains(minute)) return false;
            _dirtyMinutes.Add(minute);
            return _dirtyMinutes.Count == 1;
        }

        public int[] TakeDirty()
        {
            if (_dirtyMinutes is null) return [];
            int[] minutes = [.. _dirtyMinutes];
            _dirtyMinutes = null;
            return minutes;
        }

        public void Add(int minute, int transactions, int timeouts)
        {
            if (_count > 0 && minute <= _newest - WindowMinutes) return; // older than the window the row already shows
            int i;
            if (_count == 0 || minute > _newest)
            {
                // What falls out of the window goes first, while the old newest minute still names the slots.
                DropBefore(minute - WindowMinutes + 1);
                _newest = minute;
                i = _count;
                InsertAt(i, minute);
            }
            else if ((i = IndexOf(minute)) < 0)
            {
                i = ~i;
                InsertAt(i, minute);
            }
            Put(i, TransactionsAt(i) + transactions, TimeoutsAt(i) + timeouts);
        }

        public (int Transactions, int Timeouts) Get(int minute)
        {
            // A minute further back than the window from the newest one held reads as empty, as its slot had been reused.
            if (_count == 0 || minute > _newest || minute <= _newest - WindowMinutes) return (0, 0);
            var i = IndexOf(minute);
            return i >= 0 ? (TransactionsAt(i), TimeoutsAt(i)) : (0, 0);
        }

        private int MinuteAt(int i) => _newest - ((_newest - _slots[i * Stride]) & MinuteMask);

        private int TransactionsAt(int i) => Read(_slots, i * Stride + 1, _width);

        private int TimeoutsAt(int i) => Read(_slots, i * Stride + 1 + _width, _width);

        private void Put(int i, int transactions, int timeouts)
        {
            var width = (uint)transactions <= byte.MaxValue && (uint)timeouts <= byte.MaxValue ? 1
                : (uint)transactions <= ushort.MaxValue && (uint)timeouts <= ushort.MaxValue ? 2
                : 4;
            if (width > _width) Widen(width);
            Write(_slots, i * Stride + 1, _width, transactions);
            Write(_slots, i * Stride + 1 + _width, _width, timeouts);
        }

        /// <summary>Rewrites every slot with counts <paramref name="width"/> bytes wide.</summary>
        private void Widen(int width)
        {
            var (narrow, narrowWidth, narrowStride) = (_slots, _width, Stride);
            var wideStride = 1 + 2 * width;
            var wide = new byte[narrow.Length / narrowStride * wideStride];
            for (var i = 0; i < _count; i++)
            {
                wide[i * wideStride] = narrow[i * narrowStride];
                Write(wide, i * wideStride + 1, width, Read(narrow, i * narrowStride + 1, narrowWidth));
                Write(wide, i * wideStride + 1 + width, width, Read(narrow, i * narrowStride + 1 + narrowWidth, narrowWidth));
            }
            _slots = wide;
            _width = width;
        }

        private static int Read(byte[] slots, int at, int width) => width switch
        {
            1 => slots[at],
            2 => BinaryPrimitives.ReadUInt16LittleEndian(slots.AsSpan(at)),
            _ => BinaryPrimitives.ReadInt32LittleEndian(slots.AsSpan(at)),
        };

        private static void Write(byte[] slots, int at, int width, int value)
        {
            switch (width)
            {
                case 1: slots[at] = (byte)value; break;
                case 2: BinaryPrimitives.WriteUInt16LittleEndian(slots.AsSpan(at), (ushort)value); break;
                default: BinaryPrimitives.WriteInt32LittleEndian(slots.AsSpan(at), value); break;
            }
        }

        /// <summary>An empty slot for <paramref name="minute"/> at <paramref name="i"/>, the later ones moved up.</summary>
        private void InsertAt(int i, int minute)
        {
            if (_count == Capacity)
            {
                // A quarter more (at least 4 slots): at most a fifth unused, where doubling left up to half. Never past
                // the window: a ring with all its minutes full drops one before it takes another.
                var capacity = Math.Min(WindowMinutes, _count + Math.Max(4, _count / 4));
                Array.Resize(ref _slots, capacity * Stride);
            }
            var stride = Stride;
            Array.Copy(_slots, i * stride, _slots, (i + 1) * stride, (_count - i) * stride);
            _slots.AsSpan(i * stride, stride).Clear();
            _slots[i * stride] = (byte)minute;
            _count++;
        }

        /// <summary>Forgets minutes before <paramref name="first"/>.</summary>
        private void DropBefore(int first)
        {
            var old = 0;
            while (old < _count && MinuteAt(old) < first) old++;
            if (old == 0) return;
            Array.Copy(_slots, old * Stride, _slots, 0, (_count - old) * Stride);
            _count -= old;
        }

        /// <summary>The slot of <paramref name="minute"/>, or the complement of where it would go; the minute within the window of the newest.</summary>
        private int IndexOf(int minute)
        {
            // Sales arrive for the newest minutes: look from the end.
            int lo = 0, hi = _count - 1;
            if (MinuteAt(hi) == minute) return hi;
            while (lo <= hi)
            {
                var mid = (lo + hi) >>> 1;
                var m = MinuteAt(mid);
                if (m == minute) return mid;
                if (m < minute) lo = mid + 1;
                else hi = mid - 1;
            }
            return ~lo;
        }
    }
}

public sealed record ScopedUpdate(string Scope, HeatmapBy By, IReadOnlyList<HeatmapCell> Cells);

/// <param name="StatesChanged">A heartbeat or sale changed some terminal's last-seen time (online counts may move).</param>
public sealed record HeatmapFlush(IReadOnlyList<ScopedUpdate> Updates, IReadOnlySet<string> ChangedTerminals, bool StatesChanged)
{
    public bool IsEmpty => Updates.Count == 0 && !StatesChanged;
}

/// <summary>Sales left out of a "normal" figure: these terminals (null: every terminal) from one minute to another, both included.</summary>
public sealed record TrafficExclusion(DateTimeOffset From, DateTimeOffset To, IReadOnlyCollection<string>? Terminals);

public sealed record TrafficTotals(long RecentTransactions, long RecentTimeouts, long EarlierTransactions, long EarlierTimeouts, double SalesPerMinute)
{
    public double? RecentRate(int minTransactions) => RecentTransactions >= minTransactions ? (double)RecentTimeouts / RecentTransactions : null;
    public double? EarlierRate(int minTransactions) => EarlierTransactions >= minTransactions ? (double)EarlierTimeouts / EarlierTransactions : null;
}

public sealed record MerchantImpact(string MerchantId, string Name, int Transactions, int Timeouts)
{
    public double Rate => Transactions == 0 ? 0 : (double)Timeouts / Transactions;
}
