using System.Diagnostics;
using System.Runtime.InteropServices;
using System.Text;
using System.Text.Json;
using PosMonitor.Core.Fleet;
using PosMonitor.Core.Detection;
using PosMonitor.Core.Replay;
using PosMonitor.Core.Telemetry;

namespace PosMonitor.Benchmarks;

/// <summary>
/// CPU time per event of each ingestion stage in-process, for finding hot spots. CPU of this thread,
/// not wall time: the machine is shared. Each figure is compared with its baseline in the same run.
/// <c>profile</c>: parse + validate + card screen of 1,000-event API batches, the forward reader against
/// the reference reading (JsonDocument + ParseEvent). <c>profile replay --fleet F --events E</c>: the
/// replay on one thread, split into reading, aggregating and detection.
/// </summary>
public static class ProfileBenchmark
{
    public static int Run(string[] args)
    {
        if (args.FirstOrDefault() == "replay") return Replay(args[1..]);
        var terminals = Enumerable.Range(0, 20000).Select(i => $"BT-{i:D6}").ToArray();
        var random = new Random(1);
        var bodies = Enumerable.Range(0, 50).Select(_ => Encoding.UTF8.GetBytes(IngestBenchmark.BatchForProfile(random, terminals, 1000))).ToList();
        var now = DateTimeOffset.UtcNow;
        var events = bodies.Sum(b => TelemetryBatch.Read(b, now, 5000).Total);

        // Same answers first: a faster reading that answers differently is no use.
        foreach (var body in bodies.Take(5))
            if (Describe(TelemetryBatch.Read(body, now, 5000)) != Describe(TelemetryBatch.ReadWithDocument(body, now, 5000)))
                throw new InvalidOperationException("the forward reader and the reference disagree");

        var reference = new List<double>();
        var forward = new List<double>();
        var shared = new List<double>();
        var reader = new TelemetryEventReader();
        for (var round = 0; round < 5; round++)
        {
            reference.Add(CpuPerEvent(() => { foreach (var b in bodies) TelemetryBatch.ReadWithDocument(b, now, 5000); }, events));
            forward.Add(CpuPerEvent(() => { foreach (var b in bodies) TelemetryBatch.Read(b, now, 5000); }, events));
            shared.Add(CpuPerEvent(() => { foreach (var b in bodies) TelemetryBatch.Read(b, now, 5000, reader); }, events));
        }
        Console.WriteLine($"parse+validate+card screen, {bodies.Count} batches of 1,000 events, CPU µs per event (median of {reference.Count} rounds):");
        Console.WriteLine($"  reference (JsonDocument + ParseEvent): {Median(reference),6:N2}   rounds {string.Join(" ", reference.Select(x => x.ToString("N2")))}");
        Console.WriteLine($"  forward reader (TelemetryBatch.Read): {Median(forward),6:N2}   rounds {string.Join(" ", forward.Select(x => x.ToString("N2")))}");
        Console.WriteLine($"  forward, one reader for every batch:  {Median(shared),6:N2}   rounds {string.Join(" ", shared.Select(x => x.ToString("N2")))}");
        Console.WriteLine($"  of which JsonDocument.Parse alone:     {CpuPerEvent(() => { foreach (var b in bodies) JsonDocument.Parse(b).Dispose(); }, events),6:N2}");
        Console.WriteLine($"  of which CardData.MayContain (body):   {CpuPerEvent(() => { foreach (var b in bodies) CardData.MayContain(b); }, events),6:N2}");
        return 0;
    }

    /// <summary>The replay on this thread: reading (parse + fleet check), aggregation and detection measured apart.</summary>
    private static int Replay(string[] args)
    {
        string Arg(string name) => args.SkipWhile(a => a != name).Skip(1).FirstOrDefault() ?? throw new ArgumentException($"{name} is required");
        var fleet = Fleet.FromDocument(JsonSerializer.Deserialize<FleetDocument>(File.ReadAllText(Arg("--fleet")), JsonSerializerOptions.Web)!);
        var eventsPath = Arg("--events");

        // Reading twice, the first to warm up (JIT tiers), so the second is what reading costs in a long replay.
        long events = 0;
        var read = TimeSpan.Zero;
        for (var pass = 0; pass < 2; pass++)
        {
            var readCpu = ThreadCpu();
            events = 0;
            using (var stream = File.OpenRead(eventsPath))
                foreach (var _ in new EventFileReader(stream, fleet).Parse()) events++;
            read = ThreadCpu() - readCpu;
        }

        var replayer = new Replayer(fleet, new DetectionSettings()) { ProfileClock = ThreadCpu };
        var allCpu = ThreadCpu();
        var gcPause = GC.GetTotalPauseDuration();
        var gcCount = (GC.CollectionCount(0), GC.CollectionCount(1), GC.CollectionCount(2));
        using (var stream = File.OpenRead(eventsPath))
            foreach (var e in new EventFileReader(stream, fleet).Parse())
            {
                if (e is Heartbeat hb) replayer.Add(hb);
                else replayer.Add((Transaction)e);
            }
        replayer.Finish();
        var all = ThreadCpu() - allCpu;
        gcPause = GC.GetTotalPauseDuration() - gcPause;
        gcCount = (GC.CollectionCount(0) - gcCount.Item1, GC.CollectionCount(1) - gcCount.Item2, GC.CollectionCount(2) - gcCount.Item3);
        var detection = replayer.DetectionTime;
        // The thread clock is a system call: what the replayer's two calls per check cost is not the replay's.
        var clockCpu = ThreadCpu();
        for (var i = 0; i < 10_000; i++) ThreadCpu();
        var clock = (ThreadCpu() - clockCpu) / 10_000 * 2 * replayer.Checks;
        var rest = all - read - detection - clock;
        Console.WriteLine($"replay of {events:N0} events on one thread, {replayer.Checks:N0} detection checks, {replayer.Incidents.Count} incidents:");
        Console.WriteLine($"  all:                       {all.TotalSeconds,7:N2} s CPU  {all.TotalMicroseconds / events,6:N2} µs/event  {events / all.TotalSeconds,9:N0} events/s");
        Console.WriteLine($"  reading (parse + check):   {read.TotalSeconds,7:N2} s CPU  {read.TotalMicroseconds / events,6:N2} µs/event  {read / all,6:P0}");
        Console.WriteLine($"  detection (input+Evaluate):{detection.TotalSeconds,7:N2} s CPU  {detection.TotalMicroseconds / events,6:N2} µs/event  {detection / all,6:P0}  ({detection.TotalMilliseconds / replayer.Checks:N2} ms per check)");
        Console.WriteLine($"  the rest (order, rollups): {rest.TotalSeconds,7:N2} s CPU  {rest.TotalMicroseconds / events,6:N2} µs/event  {rest / all,6:P0}");
        Console.WriteLine($"  GC pauses in it (any part): {gcPause.TotalSeconds,7:N2} s wall   collections gen0/1/2 {gcCount}");
        Console.WriteLine($"  (profiling clock:          {clock.TotalSeconds,7:N2} s CPU, left out)");
        return 0;
    }

    private static double CpuPerEvent(Action work, int events)
    {
        var before = ThreadCpu();
        work();
        return (ThreadCpu() - before).TotalMicroseconds / events;
    }

    private static double Median(List<double> xs) => xs.Order().ElementAt(xs.Count / 2);

    private static string Describe(TelemetryBatch b) =>
        string.Join("\n", b.Heartbeats.Concat(b.Transactions).Select(e => e is Transaction t ? t with { StageMs = null } + string.Join(",", t.StageMs ?? []) : e.ToString()));

    /// <summary>CPU time of the calling thread (Linux); the process's elsewhere.</summary>
    private static TimeSpan ThreadCpu()
    {
        if (OperatingSystem.IsLinux() && clock_gettime(3 /* CLOCK_THREAD_CPUTIME_ID */, out var t) == 0)
            return TimeSpan.FromTicks(t.Seconds * TimeSpan.TicksPerSecond + t.Nanoseconds / 100);
        return Process.GetCurrentProcess().TotalProcessorTime;
    }

    [StructLayout(LayoutKind.Sequential)]
    private struct TimeSpec
    {
        public long Seconds;
        public long Nanoseconds;
    }

    [DllImport("libc", SetLastError = false)]
    private static extern int clock_gettime(int clock, out TimeSpec time);
}
