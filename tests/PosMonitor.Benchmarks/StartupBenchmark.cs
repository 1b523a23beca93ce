using System.Diagnostics;
using Microsoft.Extensions.Hosting.Internal;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;
using PosMonitor.Core.Detection;
using PosMonitor.Core.Rollups;
using PosMonitor.Web.Features.Detection;
using PosMonitor.Web.Features.Fleet;
using PosMonitor.Web.Features.Heatmap;
using PosMonitor.Web.Features.Telemetry;
using static PosMonitor.Benchmarks.BenchmarkArgs;

namespace PosMonitor.Benchmarks;

// The start-up steps that read the database, on a day's worth of an estate's rollups (rerun: dotnet run -c Release
// --project tests/PosMonitor.Benchmarks -- startup [--terminals 200000] [--merchants 63822] [--minutes 60]
// [--more-minutes 120] [--sales-per-second 2200]). In-process on a temporary SQLite file: the fleet, then --minutes of
// rollups up to now written through the rollup flush as the writer does (scope totals with them): every terminal a
// heartbeat a minute, so a row each, and sales at the busiest hour's rate (a Poisson draw per terminal-minute, 1% of
// them timeouts); the terminal states. Each step is timed as the portal ran it before (the heatmap's whole 240-minute
// window and detection's lookback as one list, before ready) and as it runs now (the heatmap's newest minutes before
// ready, the rest after; the lookback streamed), then the portal itself is started on the file (process start to
// /readyz). Then the database grows by --more-minutes of older rows (and the minutes that passed meanwhile) and all is
// timed again: a step that still grows with the database shows here.
internal static class StartupBenchmark
{
    public static async Task<int> RunAsync(string[] args)
    {
        var terminals = Arg(args, "--terminals", 200_000);
        var merchants = Arg(args, "--merchants", 63_822);
        var minutes = Math.Clamp(Arg(args, "--minutes", 60), 1, 24 * 60);
        var more = Math.Clamp(Arg(args, "--more-minutes", 120), 0, 24 * 60);
        var salesPerMinute = Arg(args, "--sales-per-second", 2_200) * 60.0 / terminals;
        using var scratch = new ScratchDatabase("startup");
        var db = scratch.Db;

        var watch = Stopwatch.StartNew();
        await IncidentPageBenchmark.FleetAsync(db, terminals, merchants);
        var fleetCache = new FleetCache(new FleetRepository(db, TimeProvider.System), new FleetChanges());
        await fleetCache.ReloadAsync(CancellationToken.None);
        var ids = fleetCache.Current.Terminals.Keys.Order(StringComparer.Ordinal).ToArray();
        Console.WriteLine($"fleet of {terminals:N0} terminals, {merchants:N0} merchants: {watch.Elapsed.TotalSeconds:F1} s");
        // A writer of its own for each part: the portal started on the file in between adopts (and so ends) the one before.
        var store = new TelemetryStore(db, new RecentEventKeys(), fleet: fleetCache);
        var random = new Random(1);
        var stamp = 1L;

        var end = Minute(DateTimeOffset.UtcNow);
        var first = end.AddMinutes(-minutes);
        var rows = await WriteAsync(first, end);
        Console.WriteLine($"{minutes} min of rollups ({rows:N0} rows) written in {watch.Elapsed.TotalSeconds:F0} s; the database and its WAL: {scratch.SizeMb:N0} MB");
        await WriteStatesAsync(end);
        var table = new List<string[]>();
        table.Add(await MeasureAsync($"{minutes} min", end));

        if (more > 0)
        {
            watch.Restart();
            store = new TelemetryStore(db, new RecentEventKeys(), fleet: fleetCache);
            // Older rows make the database larger; the minutes that passed meanwhile keep its newest rows current, as a portal's are.
            rows = await WriteAsync(first.AddMinutes(-more), first);
            var now = Minute(DateTimeOffset.UtcNow);
            if (now > end) rows += await WriteAsync(end, now);
            Console.WriteLine($"{more} min more, and {(now - end).TotalMinutes:N0} that passed ({rows:N0} rows): {watch.Elapsed.TotalSeconds:F0} s; the database and its WAL: {scratch.SizeMb:N0} MB");
            table.Add(await MeasureAsync($"{minutes + more + (int)(now - end).TotalMinutes} min", now));
        }

        Console.WriteLine();
        Console.WriteLine($"| step | {string.Join(" | ", table.Select(t => t[0]))} |");
        Console.WriteLine($"|---|{string.Concat(table.Select(_ => "---|"))}");
        for (var i = 1; i < table[0].Length; i++)
            Console.WriteLine($"| {Steps[i - 1]} | {string.Join(" | ", table.Select(t => t[i]))} |");
        return 0;

        async Task<long> WriteAsync(DateTimeOffset from, DateTimeOffset to)
        {
            long written = 0;
            for (var minute = from; minute < to; minute = minute.AddMinutes(1))
            {
                var batch = new List<TerminalMinute>(ids.Length);
                foreach (var id in ids)
                {
                    var row = new TerminalMinute(id, minute) { Heartbeats = 1 };
                    var sales = Poisson(random, salesPerMinute);
                    if (sales > 0)
                    {
                        row.Transactions = row.Approved = sales;
                        row.AmountCount = sales;
                        row.AmountSumMinor = sales * 35_00L;
                        if (random.Next(100) == 0) { row.Timeouts = 1; row.Approved--; }
                    }
                    batch.Add(row);
                }
                batch.Sort(TelemetryStore.FlushOrder.Instance);
                for (var i = 0; i < batch.Count; i += 20_000)
                    await store.WriteRollupsAsync(new RollupChunk(batch.GetRange(i, Math.Min(20_000, batch.Count - i)), [], [], stamp,
                        Completes: i + 20_000 >= batch.Count), CancellationToken.None);
                stamp++;
                written += batch.Count;
            }
            // As the portal's checkpointer does every second: reads find the rows in the database file, not in a WAL of gigabytes.
            await using var c = await db.OpenAsync();
            await Dapper.SqlMapper.ExecuteAsync(c, "PRAGMA wal_checkpoint(TRUNCATE);");
            return written;
        }

        async Task WriteStatesAsync(DateTimeOffset at)
        {
            var states = ids.Select(id => new TerminalState
            {
                TerminalId = id, LastSeenAt = at, LastHeartbeatAt = at, NetworkType = Core.Telemetry.NetworkType.Wifi, SignalDbm = -60,
                LatencyMs = 80, PacketLossPct = 0.1, Firmware = "fw-1", UptimeSec = 86_400, Printer = Core.Telemetry.PrinterStatus.Ok,
                Scanner = Core.Telemetry.ScannerStatus.Ok, PendingOffline = 0,
            }).ToList();
            for (var i = 0; i < states.Count; i += 20_000)
                await store.WriteRollupsAsync(new RollupChunk([], states.GetRange(i, Math.Min(20_000, states.Count - i)), [], stamp++, Completes: true), CancellationToken.None);
        }

        async Task<string[]> MeasureAsync(string size, DateTimeOffset now)
        {
            var time = new FakeTimeProvider(now.AddSeconds(30));
            var rollups = new RollupQueries(db);
            var cells = new List<string> { $"{size} ({scratch.SizeMb:N0} MB)" };
            Console.WriteLine($"measuring at {size}, {scratch.SizeMb:N0} MB");
            GC.Collect();

            var fleet = new FleetCache(new FleetRepository(db, time), new FleetChanges());
            cells.Add(Ms(await Time(() => fleet.ReloadAsync(CancellationToken.None))));
            var states = new TerminalStateCache(db);
            cells.Add(Ms(await Time(() => states.LoadAsync(CancellationToken.None))));

            // Detection's lookback: as one list, then streamed (the same rows into a fresh window each time).
            var settings = new DetectionSettings();
            var from = TerminalMinute.MinuteOf(time.GetUtcNow() - settings.Lookback - TimeSpan.FromMinutes(1));
            var to = TerminalMinute.MinuteOf(time.GetUtcNow()) + TimeSpan.FromMinutes(6);
            var peakBefore = 0L;
            cells.Add(Ms(await Time(async () =>
            {
                var all = await rollups.MinutesAsync(from, to, CancellationToken.None);
                peakBefore = GC.GetTotalMemory(false);
                new LiveMinuteWindow().Apply(all);
            })) + $" ({peakBefore / 1_048_576:N0} MB managed heap after the read)");
            GC.Collect();
            using (var feed = new TelemetryFeed(NullLogger<TelemetryFeed>.Instance))
            {
                var startup = new LiveMinuteWindowStartup(new LiveMinuteWindow(), feed, rollups, settings, time, NullLogger<LiveMinuteWindowStartup>.Instance);
                cells.Add(Ms(await Time(() => startup.StartAsync(CancellationToken.None))));
            }
            GC.Collect();

            // The heatmap: the whole window before ready, then the newest minutes before ready and the rest after.
            var heatmapBefore = new HeatmapService(fleet, states, time, Options.Create(new HeatmapOptions()), NullLogger<HeatmapService>.Instance);
            cells.Add(Ms(await Time(async () => heatmapBefore.Seed(await rollups.SalesAndTimeoutsAsync(
                time.GetUtcNow().AddMinutes(-HeatmapService.WindowMinutes), time.GetUtcNow().AddMinutes(10), CancellationToken.None)))));
            var expected = heatmapBefore.Totals(new PosMonitor.Web.Features.Identity.Viewer(true, null, false), 15);
            heatmapBefore = null;
            GC.Collect();
            using (var feed = new TelemetryFeed(NullLogger<TelemetryFeed>.Instance))
            {
                var heatmap = new HeatmapService(fleet, states, time, Options.Create(new HeatmapOptions()), NullLogger<HeatmapService>.Instance);
                var lifetime = new ApplicationLifetime(NullLogger<ApplicationLifetime>.Instance);
                var startup = new HeatmapStartup(heatmap, rollups, feed, time, lifetime, NullLogger<HeatmapStartup>.Instance);
                cells.Add(Ms(await Time(() => startup.StartAsync(CancellationToken.None))));
                cells.Add(Ms(await Time(() =>
                {
                    lifetime.NotifyStarted();
                    return startup.History;
                })));
                var totals = heatmap.Totals(new PosMonitor.Web.Features.Identity.Viewer(true, null, false), 15);
                if (totals != expected) throw new InvalidOperationException($"the heatmap after start holds {totals}, before {expected}");
                await startup.StopAsync(CancellationToken.None);
            }
            GC.Collect();

            // The portal itself on this file: process start to /readyz.
            // Its own log of each step (the message line of the console logger's two).
            var steps = new List<string>();
            var history = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            await using var portal = new Portal(scratch.File, "bench-admin-key-0123456789abcdef",
                new Dictionary<string, string> { ["Logging__LogLevel__PosMonitor"] = "Information" })
            {
                Output = line =>
                {
                    if (line.Contains("Start-up step") || line.Contains("after the process did"))
                        lock (steps) steps.Add(line.Trim());
                    if (line.Contains("Start-up step heatmap's history")) history.TrySetResult();
                },
            };
            var ready = Stopwatch.StartNew();
            await portal.StartAsync();
            cells.Add($"{ready.Elapsed.TotalSeconds:N1} s ({portal.ResidentMb():N0} MB resident)");
            var sinceReady = Stopwatch.StartNew();
            await history.Task.WaitAsync(TimeSpan.FromMinutes(5));
            cells.Add($"{sinceReady.Elapsed.TotalSeconds:N1} s");
            lock (steps) Console.WriteLine("the portal's log: " + string.Join("; ", steps));
            Console.WriteLine(string.Join(" | ", cells));
            return [.. cells];
        }
    }

    private static readonly string[] Steps =
    [
        "fleet", "terminal states",
        "detection's lookback, before: one list", "detection's lookback, now: streamed",
        "heatmap, before: 240 min before ready",
        $"heatmap, now: newest {HeatmapStartup.ReadyMinutes} min before ready", "heatmap, now: the rest after ready",
        "the portal: process start to /readyz", "the portal: its heatmap's history whole, after ready",
    ];

    private static DateTimeOffset Minute(DateTimeOffset t) => new(t.Ticks / TimeSpan.TicksPerMinute * TimeSpan.TicksPerMinute, TimeSpan.Zero);

    private static async Task<TimeSpan> Time(Func<Task> work)
    {
        var watch = Stopwatch.StartNew();
        await work();
        return watch.Elapsed;
    }

    private static string Ms(TimeSpan t) => $"{t.TotalMilliseconds:N0} ms";

    private static int Poisson(Random rng, double mean)
    {
        var limit = Math.Exp(-mean);
        var n = 0;
        for (var p = rng.NextDouble(); p > limit; p *= rng.NextDouble()) n++;
        return n;
    }
}
