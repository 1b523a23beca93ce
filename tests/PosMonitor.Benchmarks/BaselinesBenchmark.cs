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
    private const int Width = 13;

    public static async Task<int> RunAsync(string[] args)
    {
        var terminals = Arg(args, "--terminals", 200_000);
        var merchants = Arg(args, "--merchants", 63_822);
        var hours = Math.Clamp(Arg(args, "--hours", 24), 1, 168);
        using var scratch = new ScratchDatabase("baselines");
        var db = scratch.Db;
        var queries = new DetectionQueries(db);
        var header = new BaselineHeader(2, DateTimeOffset.UtcNow.AddMinutes(-2), hours * 60L);

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
            yield return new SavedScopeBaseline(ScopeType.Terminal, $"T-{t:D6}", Figures(random, 1 + Math.Min(hours, 24), 1, hours));
        for (var m = 0; m < merchants; m++)
            yield return new SavedScopeBaseline(ScopeType.Merchant, $"M-{m:D6}", Figures(random, 1 + Math.Min(hours, 24) + hours, 3, hours));
    }

    private static byte[] Figures(Random random, int blocks, int terminals, int hours)
    {
        var bytes = new byte[2 + blocks + blocks * Width * sizeof(float)];
        bytes[0] = 1;
        bytes[1] = (byte)blocks;
        for (var b = 0; b < blocks; b++)
        {
            bytes[2 + b] = (byte)b;
            var scale = b == 0 ? hours : 1;
            var figures = bytes.AsSpan(2 + blocks + b * Width * sizeof(float));
            BitConverter.TryWriteBytes(figures, (float)(random.Next(0, 200) * terminals * scale));
            BitConverter.TryWriteBytes(figures[4..], (float)(60 * terminals * scale));
            BitConverter.TryWriteBytes(figures[(4 * (2 + random.Next(0, 11)))..], (float)random.Next(0, 3));
        }
        return bytes;
    }
}
