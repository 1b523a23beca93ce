using System.Diagnostics;
using System.Text;
using System.Text.Json;
using PosMonitor.Core.Telemetry;

namespace PosMonitor.Benchmarks;

/// <summary>CPU time per 1,000 events of each ingestion stage in-process (parse/validate), for finding hot spots.</summary>
public static class ProfileBenchmark
{
    public static int Run(string[] args)
    {
        var terminals = Enumerable.Range(0, 20000).Select(i => $"BT-{i:D6}").ToArray();
        var random = new Random(1);
        var bodies = Enumerable.Range(0, 50).Select(_ => IngestBenchmark.BatchForProfile(random, terminals, 1000)).ToList();
        var now = DateTimeOffset.UtcNow;
        var cpu = Process.GetCurrentProcess().TotalProcessorTime;
        var watch = Stopwatch.StartNew();
        var events = 0;
        for (var round = 0; round < 4; round++)
            foreach (var body in bodies)
            {
                var bytes = Encoding.UTF8.GetBytes(body);
                                using var doc = JsonDocument.Parse(bytes);
                var i = 0;
                foreach (var e in doc.RootElement.GetProperty("transactions").EnumerateArray()) { TelemetryParser.ParseEvent(e, EventKind.Transaction, i++, now); events++; }
                foreach (var e in doc.RootElement.GetProperty("heartbeats").EnumerateArray()) { TelemetryParser.ParseEvent(e, EventKind.Heartbeat, i++, now); events++; }
            }
        var used = Process.GetCurrentProcess().TotalProcessorTime - cpu;
        Console.WriteLine($"parse+validate: {events / watch.Elapsed.TotalSeconds:N0} events/s wall, {used.TotalMilliseconds / events * 1000:N1} ms CPU per 1,000 events");
        Console.WriteLine($"bodies needing the field scan: {bodies.Count(b => CardData.MayContain(Encoding.UTF8.GetBytes(b)))} of {bodies.Count}");
        foreach (var phase in new[] { "parse only", "parse + heartbeat/tx reads" })
        {
            watch.Restart();
            var c0 = Process.GetCurrentProcess().TotalProcessorTime;
            var count = 0;
            foreach (var body in bodies)
            {
                using var doc = JsonDocument.Parse(Encoding.UTF8.GetBytes(body));
                foreach (var e in doc.RootElement.GetProperty("transactions").EnumerateArray())
                {
                    count++;
                    if (phase != "parse only") TelemetryParser.ParseEvent(e, EventKind.Transaction, 0, now);
                }
            }
            Console.WriteLine($"{phase}: {(Process.GetCurrentProcess().TotalProcessorTime - c0).TotalMilliseconds / count * 1000:N1} ms CPU per 1,000 transactions, {watch.Elapsed.TotalMilliseconds / count * 1000:N1} ms wall");
        }
        string[] samples = [Guid.NewGuid().ToString("N"), "2026-11-25T12:52:36.123Z", "BT-000123", "cellular", "3.2.1", "approved", "CNY"];
        watch.Restart();
        var n = 0;
        for (var k = 0; k < 200_000; k++) foreach (var sample in samples) { if (CardData.Contains(sample)) n++; }
        Console.WriteLine($"CardData.Contains: {watch.Elapsed.TotalMilliseconds * 1e6 / (200_000.0 * samples.Length):N0} ns per string ({n})");
        watch.Restart();
        foreach (var body in bodies) { using var doc = JsonDocument.Parse(Encoding.UTF8.GetBytes(body)); }
        Console.WriteLine($"JsonDocument.Parse: {watch.Elapsed.TotalMilliseconds / (bodies.Count * 1000.0) * 1000:N1} ms per 1,000 events");
        return 0;
    }
}
