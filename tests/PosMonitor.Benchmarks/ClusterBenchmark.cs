using System.Diagnostics;
using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Microsoft.AspNetCore.SignalR.Client;
using PosMonitor.Web.Features.Heatmap;
using static PosMonitor.Benchmarks.BenchmarkArgs;

namespace PosMonitor.Benchmarks;

// Two nodes against one (rerun: dotnet run -c Release --project tests/PosMonitor.Benchmarks -- cluster
// [--seconds 20] [--clients 4] [--takeovers 2] [--redis 127.0.0.1:6379]; Redis from --redis or POSMONITOR_TEST_REDIS).
//
// 1. One node, cluster off (the default): `clients` load clients post 1,000-event batches for `seconds`; a probe posts
//    one sale every 200 ms and a hub client on the same node times the probe's 202 → its heatmap cell (as `live`).
// 2. Two nodes on one SQLite WAL file with PosMonitor:Cluster on and Redis: the load clients alternate between the
//    nodes; the probe posts to A and the hub client listens on B, so the latency crosses nodes through Redis.
// 3. Takeover: the detection leader is killed (SIGKILL); the time until the survivor's /readyz says it leads. A new
//    node then joins, and the next leader is killed, `takeovers` times.
internal static class ClusterBenchmark
{
    private const string AdminKey = "bench-admin-key-2f6b8e1c9d3a7054";

    public static async Task<int> RunAsync(string[] args)
    {
        var seconds = Arg(args, "--seconds", 20);
        var clients = Arg(args, "--clients", 4);
        var takeovers = Arg(args, "--takeovers", 2);
        var redisAt = Array.IndexOf(args, "--redis") is var r and >= 0 && r + 1 < args.Length ? args[r + 1] : Environment.GetEnvironmentVariable("POSMONITOR_TEST_REDIS");
        if (string.IsNullOrEmpty(redisAt))
        {
            Console.Error.WriteLine("cluster needs Redis: --redis 127.0.0.1:6379 or POSMONITOR_TEST_REDIS");
            return 2;
        }
        var folder = Path.Combine(Path.GetTempPath(), "posmonitor-bench", Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(folder);
        var fleet = BenchFleet.Build(merchants: 500, terminalsPerMerchant: 4);

        Console.WriteLine($"One node: {clients} clients × 1,000-event batches for {seconds} s; probe and hub client on the node.");
        await using (var single = new Portal(Path.Combine(folder, "single.db"), AdminKey))
        {
            await single.StartAsync();
            await PutFleetAsync(single, fleet);
            var result = await MeasureAsync(fleet, [single], single, single, seconds, clients);
            Console.WriteLine($"  {result}");
        }

        var shared = Path.Combine(folder, "cluster.db");
        var prefix = "bench-" + Guid.NewGuid().ToString("N")[..8];
        Portal Node(string name) => new(shared, AdminKey, new Dictionary<string, string>
        {
            ["PosMonitor__Cluster__Enabled"] = "true",
            ["PosMonitor__Cluster__Redis"] = redisAt,
            ["PosMonitor__Cluster__NodeName"] = name,
            ["PosMonitor__Cluster__KeyPrefix"] = prefix,
        });
        var nodes = new List<Portal> { Node("node-a"), Node("node-b") };
        try
        {
            foreach (var node in nodes) await node.StartAsync();
            await PutFleetAsync(nodes[0], fleet);
            Console.WriteLine($"Two nodes: the load alternates between them; probe posted to node-a, hub client on node-b.");
            var result = await MeasureAsync(fleet, [.. nodes], nodes[0], nodes[1], seconds, clients);
            Console.WriteLine($"  {result}");

            var times = new List<double>();
            for (var round = 1; round <= takeovers; round++)
            {
                var leader = await LeaderAsync(nodes, TimeSpan.FromSeconds(40));
                var survivors = nodes.Where(n => n != leader).ToList();
                await leader.DisposeAsync(); // Process.Kill: SIGKILL, no lease given up
                var watch = Stopwatch.StartNew();
                var next = await LeaderAsync(survivors, TimeSpan.FromSeconds(60));
                times.Add(watch.Elapsed.TotalSeconds);
                Console.WriteLine($"Takeover {round}: {next.BaseAddress} leads {watch.Elapsed.TotalSeconds:N1} s after the leader was killed");
                nodes = survivors;
                if (round < takeovers)
                {
                    var joining = Node($"node-{(char)('b' + round)}");
                    await joining.StartAsync();
                    nodes.Add(joining);
                }
            }
            if (times.Count > 0) Console.WriteLine($"Takeover after a kill: {string.Join(" / ", times.Select(t => $"{t:N1} s"))} (lease 20 s, heartbeat 5 s)");
        }
        finally
        {
            foreach (var node in nodes) await node.DisposeAsync();
        }
        Directory.Delete(folder, recursive: true);
        return 0;
    }

    private static async Task PutFleetAsync(Portal portal, BenchFleet fleet)
    {
        using var admin = portal.Client();
        (await admin.PutAsJsonAsync("/api/v1/fleet", fleet.Document)).EnsureSuccessStatusCode();
    }

    private static async Task<Portal> LeaderAsync(IReadOnlyList<Portal> nodes, TimeSpan within)
    {
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(2) };
        var watch = Stopwatch.StartNew();
        while (watch.Elapsed < within)
        {
            foreach (var node in nodes)
            {
                try
                {
                    var ready = await http.GetFromJsonAsync<JsonElement>(new Uri(node.BaseAddress, "/readyz"));
                    if (ready.TryGetProperty("leadsDetection", out var leads) && leads.GetBoolean()) return node;
                }
                catch (Exception e) when (e is HttpRequestException or TaskCanceledException or JsonException) { }
            }
            await Task.Delay(100);
        }
        throw new TimeoutException($"no node led detection within {within.TotalSeconds} s");
    }

    private sealed record Result(long Events, int Seconds, int Refused, double[] Latencies, int Lost)
    {
        public override string ToString() =>
            $"ingestion {Events / (double)Seconds:N0} events/s ({Refused} refused); 202 → hub: n={Latencies.Length}, not seen={Lost}, " +
            $"p50 {Pct(0.50):N0} ms · p95 {Pct(0.95):N0} ms · p99 {Pct(0.99):N0} ms";

        private double Pct(double p) => Latencies.Length == 0 ? double.NaN : Latencies[Math.Min(Latencies.Length - 1, (int)Math.Ceiling(p * Latencies.Length) - 1)];
    }

    private static async Task<Result> MeasureAsync(BenchFleet fleet, Portal[] loadTargets, Portal probeTarget, Portal hubTarget, int seconds, int clients)
    {
        var probes = new Dictionary<(DateTime Minute, int Count), long>();
        var latencies = new List<double>();
        var seenUpTo = new Dictionary<DateTime, int>();
        var gate = new Lock();
        await using var hub = new HubConnectionBuilder()
            .WithUrl(new Uri(hubTarget.BaseAddress, "/hubs/live"), o => o.Headers["X-Api-Key"] = AdminKey)
            .Build();
        hub.On<HeatmapUpdate>("HeatmapUpdated", update =>
        {
            var arrived = Stopwatch.GetTimestamp();
            foreach (var cell in update.Cells.Where(c => c.Row == BenchFleet.ProbeRegion))
                lock (gate)
                {
                    for (var n = seenUpTo.GetValueOrDefault(cell.Minute) + 1; n <= cell.Transactions; n++)
                        if (probes.Remove((cell.Minute, n), out var accepted))
                            latencies.Add(Math.Max(0, Stopwatch.GetElapsedTime(accepted, arrived).TotalMilliseconds));
                    seenUpTo[cell.Minute] = Math.Max(seenUpTo.GetValueOrDefault(cell.Minute), cell.Transactions);
                }
        });
        await hub.StartAsync();

        using var stop = new CancellationTokenSource(TimeSpan.FromSeconds(seconds));
        long events = 0;
        var refused = 0;
        var load = Enumerable.Range(0, clients).Select(c => Task.Run(async () =>
        {
            using var http = loadTargets[c % loadTargets.Length].Client();
            var random = new Random(c);
            while (!stop.IsCancellationRequested)
            {
                try
                {
                    var response = await http.PostAsync("/api/v1/telemetry", new StringContent(fleet.Batch(random, 1000, DateTimeOffset.UtcNow), Encoding.UTF8, "application/json"), stop.Token);
                    if (response.StatusCode == HttpStatusCode.Accepted) Interlocked.Add(ref events, 1000);
                    else { Interlocked.Increment(ref refused); await Task.Delay(100, stop.Token); }
                }
                catch (OperationCanceledException) { }
            }
        })).ToList();
        var probe = Task.Run(async () =>
        {
            using var http = probeTarget.Client();
            var perMinute = new Dictionary<DateTime, int>();
            while (!stop.IsCancellationRequested)
            {
                var now = DateTimeOffset.UtcNow;
                var minute = new DateTime(now.UtcTicks - now.UtcTicks % TimeSpan.TicksPerMinute, DateTimeKind.Utc);
                // Clear of minute boundaries, where the sale's minute and the client clock could disagree.
                if (now.Second is not (0 or 59))
                {
                    var response = await http.PostAsync("/api/v1/telemetry", new StringContent(BenchFleet.ProbeSale(now), Encoding.UTF8, "application/json"));
                    var accepted = Stopwatch.GetTimestamp();
                    if (response.StatusCode == HttpStatusCode.Accepted)
                    {
                        var n = perMinute[minute] = perMinute.GetValueOrDefault(minute) + 1;
                        lock (gate)
                        {
                            if (seenUpTo.GetValueOrDefault(minute) >= n) latencies.Add(0);
                            else probes[(minute, n)] = accepted;
                        }
                    }
                }
                try { await Task.Delay(200, stop.Token); } catch (OperationCanceledException) { }
            }
        });
        await Task.WhenAll([.. load, probe]);
        // Pacing only: the last probes' pushes are still on their way.
        await Task.Delay(2000);
        lock (gate) return new Result(events, seconds, refused, [.. latencies.Order()], probes.Count);
    }
}
