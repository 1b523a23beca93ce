using System.Diagnostics;
using Dapper;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Hosting.Internal;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using PosMonitor.Core.Detection;
using PosMonitor.Core.Incidents;
using PosMonitor.Core.Rollups;
using PosMonitor.Web.Features.Fleet;
using PosMonitor.Web.Features.Incidents;
using PosMonitor.Web.Features.Telemetry;
using PosMonitor.Web.Infrastructure.Data;
using PosMonitor.Web.Features.Identity;
using static PosMonitor.Benchmarks.BenchmarkArgs;

namespace PosMonitor.Benchmarks;

// The database reads of an incident's page at a whole estate's size (rerun: dotnet run -c Release --project
// tests/PosMonitor.Benchmarks -- incident-page [--terminals 200000] [--merchants 63822] [--minutes 10] [--history-hours 168]), in-process on
// a temporary SQLite file. Every terminal has a rollup row each minute (a heartbeat a minute, sales on a third of
// them) for --minutes up to now and --minutes three days ago, written through the rollup flush as the writer does.
// For each scope type, an open incident and one resolved three days ago, their affected terminals those of the scope
// that timed out: the time of what the page loads (the incident with its affected ids, the chart, the impact). The largest
// merchant's terminals have --history-hours of rows before (a week: what the impact prices its failed sales by).
internal static class IncidentPageBenchmark
{
    private const int Regions = 30, Gateways = 8, Firmwares = 6, Runs = 3;

    public static async Task<int> RunAsync(string[] args)
    {
        var terminals = Arg(args, "--terminals", 200_000);
        var merchants = Arg(args, "--merchants", 63_822);
        var minutes = Math.Clamp(Arg(args, "--minutes", 10), 1, 180);
        var history = Math.Clamp(Arg(args, "--history-hours", 168), 0, 24 * 8);
        using var scratch = new ScratchDatabase("incident-page");
        var db = scratch.Db;

        var watch = Stopwatch.StartNew();
        await FleetAsync(db, terminals, merchants);
        var fleetCache = new FleetCache(new FleetRepository(db, TimeProvider.System), new FleetChanges());
        await fleetCache.ReloadAsync(CancellationToken.None);
        var fleet = fleetCache.Current;
        Console.WriteLine($"fleet of {terminals:N0} terminals, {merchants:N0} merchants: {watch.Elapsed.TotalSeconds:F1} s");

        var now = new DateTimeOffset(DateTimeOffset.UtcNow.Ticks / TimeSpan.TicksPerMinute * TimeSpan.TicksPerMinute, TimeSpan.Zero);
        var past = now.AddDays(-3);
        var store = new TelemetryStore(db, new RecentEventKeys(), fleet: fleetCache);
        var timedOut = new HashSet<string>(StringComparer.Ordinal);
        watch.Restart();
        var stamp = 1L;
        foreach (var end in new[] { now, past })
            for (var m = minutes; m >= 1; m--)
            {
                var rows = Minute(terminals, end.AddMinutes(-m), timedOut);
                var flush = Stopwatch.StartNew();
                for (var i = 0; i < rows.Count; i += 20_000)
                    await store.WriteRollupsAsync(new RollupChunk(rows.GetRange(i, Math.Min(20_000, rows.Count - i)), [], [], stamp,
                        Completes: i + 20_000 >= rows.Count), CancellationToken.None);
                if (end == now && m == 1) Console.WriteLine($"one minute's rollup flush ({rows.Count:N0} rows): {flush.ElapsedMilliseconds:N0} ms");
                stamp++;
            }
        Console.WriteLine($"{2 * minutes * terminals:N0} terminal-minutes written: {watch.Elapsed.TotalSeconds:F1} s; database and its WAL {scratch.SizeMb:N0} MB");

        // The rows of the minutes before: a week of them (the impact's pricing) for the largest merchant's terminals only.
        var merchant = fleet.Terminals.Values.GroupBy(t => t.MerchantId).MaxBy(g => g.Count())!;
        watch.Restart();
        var historyMinutes = 60 * history;
        await HistoryAsync(db, [.. merchant.Select(t => t.Id)], now.AddMinutes(-minutes - historyMinutes), historyMinutes);
        Console.WriteLine($"{history} h of history for the {merchant.Count():N0} terminals of merchant {merchant.Key}: {watch.Elapsed.TotalSeconds:F1} s");
        var sample = Minute(terminals, now, []);
        watch.Restart();
        var totals = TelemetryStore.ScopeTotals(sample, fleet);
        Console.WriteLine($"scope totals of one minute's {sample.Count:N0} rows: {totals.Count:N0} rows in {watch.Elapsed.TotalMilliseconds:N0} ms");

        var incidents = new IncidentRepository(db);
        var queries = new IncidentQueries(db, new DetectionSettings());
        var t0 = fleet.Terminals.Values.First();
        var scopes = new (ScopeType Type, string Id, Func<Core.Fleet.Terminal, bool> In)[]
        {
            (ScopeType.Terminal, t0.Id, t => t.Id == t0.Id),
            (ScopeType.Merchant, merchant.Key, t => t.MerchantId == merchant.Key),
            (ScopeType.Region, "R-01", t => t.RegionId == "R-01"),
            (ScopeType.Gateway, "gw-1", t => t.GatewayId == "gw-1"),
            (ScopeType.Firmware, "fw-1", t => t.Firmware == "fw-1"),
            (ScopeType.Platform, "platform", _ => true),
        };
        Console.WriteLine();
        Console.WriteLine("| scope | affected terminals | open: incident / chart / impact (ms) | resolved 3 days ago: incident / chart / impact (ms) |");
        Console.WriteLine("|---|---|---|---|");
        foreach (var (type, id, inScope) in scopes)
        {
            var affected = fleet.Terminals.Values.Where(t => inScope(t) && (type == ScopeType.Terminal || timedOut.Contains(t.Id))).ToList();
            var cells = new List<string>();
            foreach (var (opened, resolved) in new (DateTimeOffset, DateTimeOffset?)[] { (now.AddMinutes(-minutes / 2), null), (past.AddMinutes(-minutes / 2), past) })
            {
                var incident = new Incident
                {
                    Id = $"INC-{type}-{(resolved is null ? "open" : "past")}", ScopeType = type, ScopeId = id, Cause = Cause.Gateway,
                    Severity = Severity.Major, OpenedAt = opened, ResolvedAt = resolved, RunbookId = "gateway", Title = id,
                    AffectedTerminals = affected.Count, AffectedMerchants = affected.Select(t => t.MerchantId).Distinct().Count(),
                    AffectedTerminalIds = [.. affected.Select(t => t.Id).Order(StringComparer.Ordinal)],
                    AffectedMerchantIds = [.. affected.Select(t => t.MerchantId).Distinct().Order(StringComparer.Ordinal)],
                    UpdatedAt = resolved ?? opened,
                };
                await incidents.UpsertAsync(incident, fleet, CancellationToken.None);
                var times = new List<(double Get, double Chart, double Impact)>();
                for (var run = 0; run < Runs; run++)
                {
                    // As the page loads it: the incident with its affected ids, then its chart (30 min either side, at most 3 h) and impact.
                    var w = Stopwatch.StartNew();
                    var loaded = (await incidents.GetAsync(incident.Id, new Viewer(true, null, false), CancellationToken.None))!;
                    var get = w.Elapsed.TotalMilliseconds;
                    w.Restart();
                    var end = (loaded.ResolvedAt ?? now) + (loaded.ResolvedAt is null ? TimeSpan.Zero : TimeSpan.FromMinutes(30));
                    await queries.ScopeRateAsync(type, id, loaded.OpenedAt - TimeSpan.FromMinutes(30), end, CancellationToken.None);
                    var chart = w.Elapsed.TotalMilliseconds;
                    w.Restart();
                    await queries.ImpactAsync(loaded, loaded.ResolvedAt ?? now, CancellationToken.None);
                    times.Add((get, chart, w.Elapsed.TotalMilliseconds));
                }
                // The first run is cold for every figure (no page of these rows cached); the median shows a reload.
                var median = times.OrderBy(t => t.Chart + t.Impact).ElementAt(Runs / 2);
                cells.Add($"{median.Get:N0} / {median.Chart:N0} / {median.Impact:N0} (first {times[0].Get:N0} / {times[0].Chart:N0} / {times[0].Impact:N0})");
            }
            Console.WriteLine($"| {Causes.Name(type)} | {affected.Count:N0} | {cells[0]} | {cells[1]} |");
        }
        return 0;
    }

    internal static async Task FleetAsync(Db db, int terminals, int merchants)
    {
        await db.WriteAsync(async (c, tx) =>
        {
            for (var r = 1; r <= Regions; r++)
                await c.ExecuteAsync("INSERT INTO regions (id, name, updated_at) VALUES (@id, @id, 0);", new { id = $"R-{r:D2}" }, tx);
            for (var g = 1; g <= Gateways; g++)
                await c.ExecuteAsync("INSERT INTO gateways (id, name, updated_at) VALUES (@id, @id, 0);", new { id = $"gw-{g}" }, tx);
            for (var m = 0; m < merchants; m++)
                await c.ExecuteAsync("INSERT INTO merchants (id, name, region_id, time_zone, updated_at) VALUES (@id, @id, @region, 'UTC', 0);",
                    new { id = $"M-{m:D6}", region = $"R-{m % Regions + 1:D2}" }, tx);
            // A few large chains, many small shops: merchant m's share falls off with m.
            var random = new Random(1);
            for (var t = 0; t < terminals; t++)
            {
                var m = (int)(merchants * Math.Pow(random.NextDouble(), 2));
                await c.ExecuteAsync(
                    "INSERT INTO terminals (id, merchant_id, region_id, gateway_id, model, firmware, updated_at) VALUES (@id, @merchant, @region, @gateway, 'A920', @firmware, 0);",
                    new { id = $"T-{t:D6}", merchant = $"M-{m:D6}", region = $"R-{m % Regions + 1:D2}", gateway = $"gw-{t % Gateways + 1}", firmware = $"fw-{t % Firmwares + 1}" }, tx);
            }
        }, CancellationToken.None);
    }

    /// <summary>A heartbeat a minute from each of <paramref name="terminals"/>, with a priced sale in one minute in five (the minutes three days ago are there already).</summary>
    private static async Task HistoryAsync(Db db, string[] terminals, DateTimeOffset from, int minutes)
    {
        for (var day = 0; day < minutes; day += 1440)
            await db.WriteAsync(async (c, tx) =>
            {
                using var insert = RowCommand.Prepare(c, tx,
                    "INSERT OR IGNORE INTO terminal_minutes (terminal_id, minute, transactions, heartbeats, amount_sum_minor, amount_count) VALUES (@t, @m, @n, 1, @s, @n);",
                    ["t", "m", "n", "s"]);
                for (var m = day; m < Math.Min(minutes, day + 1440); m++)
                    foreach (var t in terminals)
                    {
                        var sale = (m + t.Length) % 5 == 0 ? 1 : 0;
                        insert.Set(0, t); insert.Set(1, DbTime.ToMs(from.AddMinutes(m))); insert.Set(2, sale); insert.Set(3, sale * 40_00L);
                        insert.Execute();
                    }
                await Task.CompletedTask;
            }, CancellationToken.None);
    }

    /// <summary>A heartbeat from every terminal; sales on one in three, a timeout on one in ten of those.</summary>
    private static List<TerminalMinute> Minute(int terminals, DateTimeOffset minute, HashSet<string> timedOut)
    {
        var random = new Random((int)(minute.ToUnixTimeSeconds() / 60));
        var rows = new List<TerminalMinute>(terminals);
        for (var t = 0; t < terminals; t++)
        {
            var row = new TerminalMinute($"T-{t:D6}", minute) { Heartbeats = 1 };
            if (random.Next(3) == 0)
            {
                row.Transactions = 1 + random.Next(3);
                row.AmountSumMinor = row.Transactions * 25_00L;
                row.AmountCount = row.Transactions;
                if (random.Next(10) == 0)
                {
                    row.Timeouts = 1;
                    timedOut.Add(row.TerminalId);
                }
            }
            rows.Add(row);
        }
        rows.Sort(TelemetryStore.FlushOrder.Instance);
        return rows;
    }
}
