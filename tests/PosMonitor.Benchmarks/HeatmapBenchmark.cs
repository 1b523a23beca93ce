using System.Diagnostics;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Hosting.Internal;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;
using PosMonitor.Core.Rollups;
using PosMonitor.Core.Simulation;
using PosMonitor.Web.Features.Fleet;
using PosMonitor.Web.Features.Heatmap;
using PosMonitor.Web.Features.Identity;
using PosMonitor.Web.Features.Telemetry;
using PosMonitor.Web.Infrastructure.Data;
using static PosMonitor.Benchmarks.BenchmarkArgs;

namespace PosMonitor.Benchmarks;

// The live heatmap of a whole estate once its window is full (rerun: dotnet run -c Release --project
// tests/PosMonitor.Benchmarks -- heatmap [--terminals 200000] [--minutes 240] [--local-hour 18]), in-process:
// every terminal sells at the simulator's rate for that hour of the shops' day (its own peak sales per hour on its
// shop's daily curve), a Poisson draw per terminal-minute, folded in one committed minute at a time as the
// ingestion writer does, for --minutes (the heatmap keeps 240). Reports the managed memory the heatmap holds
// (full collections before and after), the time to fold a minute, to take its changes, and to answer the
// dashboard's queries for staff and for one merchant owner. The 200k `scale` run is only minutes long: this is
// the heatmap after hours of trading, which that run cannot show.
internal static class HeatmapBenchmark
{
    public static Task<int> RunAsync(string[] args)
    {
        var terminals = Arg(args, "--terminals", 200_000);
        var minutes = Math.Clamp(Arg(args, "--minutes", HeatmapService.WindowMinutes), 1, 24 * 60);
        var localHour = Arg(args, "--local-hour", 18);

        var end = new DateTimeOffset(2026, 12, 7, 0, 0, 0, TimeSpan.Zero).AddHours(localHour - 8 + 1);
        var start = end.AddMinutes(-minutes);
        var simulator = new Simulator(new SimulationOptions { Terminals = terminals, Seed = 1, Start = start, Duration = TimeSpan.FromMinutes(minutes) });
        var fleet = Core.Fleet.Fleet.FromDocument(simulator.Fleet.Document);
        var time = new FakeTimeProvider(start);
        var db = new Db(Options.Create(new DatabaseOptions()),
            new ConfigurationBuilder().AddInMemoryCollection([new("ConnectionStrings:PosMonitor", "Data Source=never-opened.db")]).Build(),
            new HostingEnvironment { ContentRootPath = Path.GetTempPath() });
        var fleetCache = new FleetCache(new FleetRepository(db, time), new FleetChanges());
        fleetCache.Replace(fleet);
        var states = new TerminalStateCache(db);

        var before = Live();
        var heatmap = new HeatmapService(fleetCache, states, time, Options.Create(new HeatmapOptions()), NullLogger<HeatmapService>.Instance);
        var rng = new Random(1);
        var traffic = simulator.Traffic.Terminals;
        var fold = new List<double>();
        var take = new List<double>();
        long sales = 0;
        var perMinute = new double[traffic.Count];
        for (var m = 0; m < minutes; m++)
        {
            var minute = start.AddMinutes(m);
            // The daily curve moves slowly: each terminal's rate is read every quarter of an hour.
            if (m % 15 == 0)
                for (var i = 0; i < traffic.Count; i++)
                    perMinute[i] = simulator.Traffic.SalesPerHour(traffic[i], minute.AddMinutes(7.5)) / 60;
            time.SetUtcNow(minute.AddSeconds(59));
            var delta = new RollupDelta(traffic.Count / 2, 0);
            for (var i = 0; i < traffic.Count; i++)
            {
                var n = Poisson(rng, perMinute[i]);
                if (n == 0) continue;
                var id = traffic[i].Terminal.Id;
                delta.Minutes[(id, minute)] = new TerminalMinute(id, minute) { Transactions = n, Timeouts = rng.NextDouble() < 0.01 ? 1 : 0 };
                sales += n;
            }
            var watch = Stopwatch.StartNew();
            heatmap.Apply(delta);
            fold.Add(watch.Elapsed.TotalMilliseconds);
            watch.Restart();
            heatmap.TakeChanges();
            take.Add(watch.Elapsed.TotalMilliseconds);
        }
        var held = Live() - before;
        // The simulator (its estate and traffic model) was live when `before` was read; left to die in the loop, its
        // collection came off the figure (12 MB at 20k terminals).
        GC.KeepAlive(simulator);

        var staff = new Viewer(true, null, false);
        // The merchant with the most terminals: the owner whose views cost the most.
        var owner = new Viewer(false, fleet.Terminals.Values.GroupBy(t => t.MerchantId).MaxBy(g => g.Count())!.Key, false);
        var queries = new (string Name, Action Run)[]
        {
            ("staff, by merchant (60 min, 50 rows)", () => heatmap.Query(staff, new HeatmapQuery(HeatmapBy.Merchant, 60), maxRows: 50)),
            ("staff, by region (60 min)", () => heatmap.Query(staff, new HeatmapQuery(HeatmapBy.Region, 60))),
            ("staff, totals (15 min of 240)", () => heatmap.Totals(staff, 15)),
            ("merchant owner, by terminal (60 min)", () => heatmap.Query(owner, new HeatmapQuery(HeatmapBy.Terminal, 60))),
            ("merchant owner, by gateway (60 min)", () => heatmap.Query(owner, new HeatmapQuery(HeatmapBy.Gateway, 60))),
            ("merchant owner, totals (15 min of 240)", () => heatmap.Totals(owner, 15)),
        };
        Console.WriteLine($"{terminals:N0} terminals, {fleet.Merchants.Count:N0} merchants, {minutes} minutes to {end:HH:mm} UTC ({localHour:00}:00–{localHour + 1:00}:00 in the shops' time at the end): {sales:N0} sales, {sales / (minutes * 60.0):N0} a second");
        Console.WriteLine($"| managed memory the heatmap holds | {held / 1_048_576.0:N0} MB ({held / (double)terminals:N0} B a terminal) |");
        Console.WriteLine($"| fold a committed minute: p50 / max | {Pct(fold, 0.5):N1} / {fold.Max():N1} ms |");
        Console.WriteLine($"| take a flush's changes: p50 / max | {Pct(take, 0.5):N1} / {take.Max():N1} ms |");
        foreach (var (name, run) in queries)
        {
            run();
            var watch = Stopwatch.StartNew();
            for (var i = 0; i < 5; i++) run();
            Console.WriteLine($"| {name} | {watch.Elapsed.TotalMilliseconds / 5:N1} ms |");
        }
        GC.KeepAlive(heatmap);
        return Task.FromResult(0);
    }

    private static int Poisson(Random rng, double mean)
    {
        var limit = Math.Exp(-mean);
        var n = 0;
        for (var p = rng.NextDouble(); p > limit; p *= rng.NextDouble()) n++;
        return n;
    }

    private static double Pct(List<double> values, double p) => values.Order().ElementAt(Math.Min(values.Count - 1, (int)(p * values.Count)));

    private static long Live()
    {
        GC.Collect(GC.MaxGeneration, GCCollectionMode.Forced, blocking: true, compacting: true);
        GC.WaitForPendingFinalizers();
        GC.Collect(GC.MaxGeneration, GCCollectionMode.Forced, blocking: true, compacting: true);
        return GC.GetTotalMemory(forceFullCollection: true);
    }
}
