using System.Diagnostics;
using Microsoft.Extensions.DependencyInjection;
using PosMonitor.Core.Telemetry;
using PosMonitor.Web.Features.Telemetry;
using static PosMonitor.Benchmarks.BenchmarkArgs;

namespace PosMonitor.Benchmarks;

/// <summary>
/// CPU per 1,000 events of the single ingestion writer's work (commit of raw rows, then the rollup
/// and state flush at a given interval and rate), in-process against a real SQLite file, beside
/// the raw insert floor measured the same way. CPU time, not wall time, so it reads the same on a
/// busy machine; the writer is one thread, so 1,000,000 / (commit + flush µs per event) is the
/// most events per second it can take.
/// </summary>
public static class WriterBenchmark
{
    public static async Task<int> RunAsync(string[] args)
    {
        var rate = Arg(args, "--rate", 50_000);
        var flushMs = Arg(args, "--flush-ms", 1000);
        var total = Arg(args, "--events", 400_000);
        var requestSize = Arg(args, "--batch", 1000);
        var commitSize = Arg(args, "--commit", 8000);
        var spreadMs = Arg(args, "--spread-ms", 60_000);
        var folder = Path.Combine(Path.GetTempPath(), "posmonitor-bench", Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(folder);
        var repo = new DirectoryInfo(AppContext.BaseDirectory);
        while (repo is not null && !File.Exists(Path.Combine(repo.FullName, "PosMonitor.sln"))) repo = repo.Parent;
        Environment.SetEnvironmentVariable("ASPNETCORE_TEST_CONTENTROOT_POSMONITOR_WEB", Path.Combine(repo!.FullName, "src", "PosMonitor.Web"));

        await using var portal = new BenchPortal(folder, "bench-admin-key-5c1d9e7a2b3f4680");
        var services = portal.Services;
        var store = services.GetRequiredService<TelemetryStore>();
        var states = services.GetRequiredService<TerminalStateCache>();
        var keys = services.GetRequiredService<RecentEventKeys>();
        var terminals = Enumerable.Range(0, 20_000).Select(i => $"BT-{i:D6}").ToArray();
        var random = new Random(7);
        var start = DateTimeOffset.UtcNow - TimeSpan.FromSeconds(total / (double)rate);

        // Requests as the API hands them to the writer: parsed events, 30% heartbeats, timestamps up to spread-ms before "now".
        var requests = new List<IngestBatch>();
        for (var made = 0; made < total; made += requestSize)
        {
            var now = start + TimeSpan.FromSeconds(made / (double)rate);
            var hb = new List<Heartbeat>();
            var tx = new List<Transaction>();
            for (var i = 0; i < requestSize; i++)
            {
                var terminal = terminals[random.Next(terminals.Length)];
                var at = now - TimeSpan.FromMilliseconds(random.Next(spreadMs + 1));
                if (random.NextDouble() < 0.3)
                    hb.Add(new Heartbeat
                    {
                        EventId = Guid.NewGuid().ToString(), TerminalId = terminal, Timestamp = at, NetworkType = NetworkType.Cellular,
                        SignalDbm = -60 - random.Next(50), LatencyMs = 20 + random.Next(300), PacketLossPct = random.NextDouble() * 3,
                        Firmware = "3.2.1", UptimeSec = random.Next(1_000_000), BatteryPct = random.Next(100), CpuPct = random.Next(100),
                        MemoryPct = random.Next(100), Printer = PrinterStatus.Ok, Scanner = ScannerStatus.Ok, PendingOffline = 0,
                    });
                else
                {
                    var timeout = random.NextDouble() < 0.08;
                    tx.Add(new Transaction
                    {
                        EventId = Guid.NewGuid().ToString(), TerminalId = terminal, Timestamp = at, Gateway = $"gw-{random.Next(4)}",
                        Outcome = timeout ? Outcome.Timeout : Outcome.Approved, Stage = timeout ? Stage.Gateway : null,
                        LatencyMs = 300 + random.Next(3000), StageMs = [random.Next(5000), random.Next(200), random.Next(100), random.Next(300), random.Next(800), 0, 0, 0],
                        AmountMinor = random.Next(100, 50_000), Currency = "CNY",
                    });
                }
            }
            requests.Add(new IngestBatch(hb, tx));
        }

        var eventsPerFlush = Math.Max(1, (int)(rate * flushMs / 1000.0));
        TimeSpan commitCpu = TimeSpan.Zero, foldCpu = TimeSpan.Zero, flushCpu = TimeSpan.Zero;
        var pending = new Core.Rollups.RollupDelta();
        var aggregator = new Core.Rollups.RollupAggregator(states.Get);
        int sinceFlush = 0, flushes = 0, rows = 0;
        long stamp = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds();
        var wall = Stopwatch.StartNew();
        for (var r = 0; r < requests.Count; r += commitSize / requestSize)
        {
            var group = requests.Skip(r).Take(commitSize / requestSize).ToList();
            var c0 = Process.GetCurrentProcess().TotalProcessorTime;
            var result = await store.CommitAsync(group, ++stamp, CancellationToken.None);
            var c1 = Process.GetCurrentProcess().TotalProcessorTime;
            var delta = result.Fold(aggregator);
            states.Apply(delta.States.Values);
            pending.MergeFrom(delta);
            commitCpu += c1 - c0;
            foldCpu += Process.GetCurrentProcess().TotalProcessorTime - c1;
            sinceFlush += group.Sum(g => g.Count);
            if (sinceFlush >= eventsPerFlush)
            {
                var f0 = Process.GetCurrentProcess().TotalProcessorTime;
                // The writer puts a flush's rows in key order (how a crash mid-flush tells which rows hold its events).
                Array.Sort(pending.Minutes.Values.ToArray(), TelemetryStore.FlushOrder.Instance);
                rows += pending.Minutes.Count + pending.States.Count;
                var simulatedNow = start + TimeSpan.FromSeconds((r + commitSize / requestSize) * requestSize / (double)rate);
                await store.FlushAsync(pending, stamp, CancellationToken.None,
                    RecentEventKeys.MinuteOf((simulatedNow - TimeSpan.FromSeconds(90)).ToUnixTimeMilliseconds()));
                flushCpu += Process.GetCurrentProcess().TotalProcessorTime - f0;
                pending = new Core.Rollups.RollupDelta();
                sinceFlush = 0;
                flushes++;
            }
        }
        var events = requests.Sum(r => r.Count);
        // The floor, measured the same way: the ingest benchmark's raw insert (one prepared command, one transaction, time-ordered keys).
        var floorCpu = Process.GetCurrentProcess().TotalProcessorTime;
        var floorRows = 200_000;
        IngestBenchmark.RawInsertFloor(Path.Combine(folder, "bench.db"), terminals, floorRows);
        floorCpu = Process.GetCurrentProcess().TotalProcessorTime - floorCpu;
        double PerK(TimeSpan t) => t.TotalMilliseconds / events * 1000;
        // The writer's own thread commits and flushes; folds run beside it, on another thread.
        var perEventUs = (commitCpu + flushCpu).TotalMilliseconds * 1000 / events;
        Console.WriteLine($"writer: {events:N0} events in commits of {commitSize:N0}, flush every {eventsPerFlush:N0} events ({flushMs} ms at {rate:N0}/s): {flushes} flushes writing {rows:N0} rollup+state rows");
        Console.WriteLine($"  commit (dedup + raw rows):       {PerK(commitCpu):N1} ms CPU per 1,000 events");
        Console.WriteLine($"  fold (rollups, off the writer):  {PerK(foldCpu):N1} ms CPU per 1,000 events");
        Console.WriteLine($"  rollup/state flush:              {PerK(flushCpu):N1} ms CPU per 1,000 events");
        Console.WriteLine($"  floor (raw insert, one transaction): {floorCpu.TotalMilliseconds / floorRows * 1000:N1} ms CPU per 1,000 rows");
        Console.WriteLine($"  duplicate keys in memory at the end: {keys.Count:N0}");
        Console.WriteLine($"  writer ceiling:                  {1_000_000 / perEventUs:N0} events/s on one thread ({wall.Elapsed.TotalSeconds:N1} s wall)");
        try { Directory.Delete(folder, true); } catch (IOException) { }
        return 0;
    }
}
