using System.Diagnostics;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Hosting.Internal;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using PosMonitor.Core.Detection;
using PosMonitor.Core.Incidents;
using PosMonitor.Web.Features.Detection;
using PosMonitor.Web.Infrastructure.Data;
using static PosMonitor.Benchmarks.BenchmarkArgs;

namespace PosMonitor.Benchmarks;

// Detection baselines of a whole estate after --hours of learning (rerun: dotnet run -c Release --project
// tests/PosMonitor.Benchmarks -- baselines [--terminals 200000] [--merchants 63822] [--hours 24]), in-process on a
// temporary SQLite file: the time to save them and to load them into a fresh engine (what a restart or a node taking
// over detection does before its first run), and the managed memory the loaded engine holds for them.
// Every terminal and merchant has learned in each of --hours hours (heartbeats all day), as a real estate has.
internal static class BaselinesBenchmark
{
    // The share of learned blocks in which each figure is not zero (sales, heartbeat minutes, then the failures in
    // Signal order: network, host, gateway, app, print, notify, input, poor link, device fault, slow host, slow
    // gateway, cancelled), as a simulated estate learned them in a day: `posmonitor quality --seeds 1 --hours 24`
    // (1,000 terminals, 313 merchants, the default background noise, 12 faults and the decoys), the engine's baselines
    // read at the end. Per learned hour block a terminal held 1.9 figures that were not zero, a merchant 2.1 (its
    // terminals' heartbeats, sales in two hours of three, a failure now and then); the all-hours block 4.4 and 5.7.
    // Filled with random figures throughout, the benchmark would measure a dense estate no engine learns.
    private static readonly double[] TerminalHour = [0.71, 1, 0.028, 0.013, 0.010, 0.009, 0.048, 0.002, 0.004, 0.004, 0, 0.006, 0.010, 0.071];
    private static readonly double[] TerminalAllHours = [1, 1, 0.32, 0.20, 0.15, 0.15, 0.61, 0.034, 0.060, 0.005, 0, 0.090, 0.15, 0.61];
    private static readonly double[] MerchantHour = [0.65, 1, 0.067, 0.035, 0.026, 0.024, 0.105, 0.006, 0.010, 0.011, 0, 0.015, 0.027, 0.139];
    private static readonly double[] MerchantAllHours = [1, 1, 0.50, 0.36, 0.28, 0.30, 0.74, 0.086, 0.15, 0.013, 0, 0.20, 0.28, 0.76];

    public static async Task<int> RunAsync(string[] args)
    {
        var terminals = Arg(args, "--terminals", 200_000);
        var merchants = Arg(args, "--merchants", 63_822);
        var hours = Math.Clamp(Arg(args, "--hours", 24), 1, 168);
        using var scratch = new ScratchDatabase("baselines");
        var db = scratch.Db;
        var queries = new DetectionQueries(db);
        var header = new BaselineHeader(Baselines.LayoutVersion, DateTimeOffset.UtcNow.AddMinutes(-2), hours * 60L);

        var watch = Stopwatch.StartNew();
        await queries.SaveBaselinesAsync(header, Learned(terminals, merchants, hours), DateTimeOffset.UtcNow, CancellationToken.None);
        Console.WriteLine($"save of {terminals:N0} terminals and {merchants:N0} merchants, {hours} h learned: {watch.Elapsed.TotalSeconds:F1} s; "
            + $"database and its WAL {scratch.SizeMb:N0} MB");

        var before = Live();
        var engine = new DetectionEngine(new DetectionSettings(), TimeProvider.System, new SequentialIncidentIdGenerator());
        watch.Restart();
        var loaded = await queries.LoadBaselinesAsync(engine, CancellationToken.None);
        var loadTime = watch.Elapsed;
        var held = Live() - before;
        Console.WriteLine($"load into a fresh engine: {loadTime.TotalSeconds:F1} s ({loaded?.Scopes:N0} scopes); managed memory held: {held / 1_048_576.0:N0} MB "
            + $"({held / (double)(terminals + merchants):N0} B a scope)");

        // The engine's own save path: its scopes encoded one at a time while rows are written.
        var peak = 0L;
        using var sampling = new CancellationTokenSource();
        var sampler = Task.Run(async () =>
        {
            while (!sampling.IsCancellationRequested)
            {
                peak = Math.Max(peak, GC.GetTotalMemory(false));
                await Task.Delay(50);
            }
        });
        var live = Live();
        watch.Restart();
        await queries.SaveBaselinesAsync(engine.BaselineHeader, engine.ExportScopeBaselines(), DateTimeOffset.UtcNow, CancellationToken.None);
        var saveTime = watch.Elapsed;
        await sampling.CancelAsync();
        await sampler;
        Console.WriteLine($"save from the engine: {saveTime.TotalSeconds:F1} s; managed heap at most {(peak - live) / 1_048_576.0:N0} MB above the {live / 1_048_576.0:N0} MB live before it");
        GC.KeepAlive(engine);
        return 0;
    }

    private static long Live()
    {
        GC.Collect();
        GC.WaitForPendingFinalizers();
        GC.Collect();
        return GC.GetTotalMemory(true);
    }

    /// <summary>Scopes in their saved form (ScopeBaseline.Encode: format 1 = floats, block count, block numbers, figures).</summary>
    internal static IEnumerable<SavedScopeBaseline> Learned(int terminals, int merchants, int hours)
    {
        var random = new Random(1);
        for (var t = 0; t < terminals; t++)
            yield return new SavedScopeBaseline(ScopeType.Terminal, $"T-{t:D6}",
                Figures(random, 1 + Math.Min(hours, 24), 1, hours, TerminalAllHours, TerminalHour));
        for (var m = 0; m < merchants; m++)
            yield return new SavedScopeBaseline(ScopeType.Merchant, $"M-{m:D6}",
                Figures(random, 1 + Math.Min(hours, 24) + hours, 3, hours, MerchantAllHours, MerchantHour));
    }

    private static byte[] Figures(Random random, int blocks, int terminals, int hours, double[] allHours, double[] hour)
    {
        var bytes = new byte[2 + blocks + blocks * Signals.Width * sizeof(float)];
        bytes[0] = 1;
        bytes[1] = (byte)blocks;
        for (var b = 0; b < blocks; b++)
        {
            bytes[2 + b] = (byte)b;
            var (scale, nonzero) = b == 0 ? (hours, allHours) : (1, hour);
            var figures = bytes.AsSpan(2 + blocks + b * Signals.Width * sizeof(float));
            for (var i = 0; i < Signals.Width; i++)
            {
                if (random.NextDouble() >= nonzero[i]) continue;
                // Whole counts, as learned sums are until a block fades: floats, as the engine holds them.
                var figure = i switch
                {
                    Signals.Sales => random.Next(1, 200) * terminals,
                    Signals.HeartbeatMinutes => 60 * terminals,
                    _ => random.Next(1, 4),
                };
                BitConverter.TryWriteBytes(figures[(i * sizeof(float))..], (float)(figure * scale));
            }
        }
        return bytes;
    }
}
