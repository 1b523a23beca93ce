namespace PosMonitor.Benchmarks;

// Not top-level statements: those would declare a `Program` that hides the portal's, which the
// live benchmark hosts with WebApplicationFactory<Program>.
internal static class BenchmarkMain
{
    // Each benchmark measures against a baseline in the same run; figures go to tests/PosMonitor.Benchmarks/README.md.
    public static async Task<int> Main(string[] args) => args.FirstOrDefault() switch
    {
        "ingest" => await IngestBenchmark.RunAsync(args[1..]),
        "live" => await LiveBenchmark.RunAsync(args[1..]),
        "profile" => ProfileBenchmark.Run(args[1..]),
        "writer" => await WriterBenchmark.RunAsync(args[1..]),
        "cluster" => await ClusterBenchmark.RunAsync(args[1..]),
        "scale" => await ScaleBenchmark.RunAsync(args[1..]),
        "baselines" => await BaselinesBenchmark.RunAsync(args[1..]),
        "heatmap" => await HeatmapBenchmark.RunAsync(args[1..]),
        "incident-page" => await IncidentPageBenchmark.RunAsync(args[1..]),
        "detection-tick" => await DetectionTickBenchmark.RunAsync(args[1..]),
        "startup" => await StartupBenchmark.RunAsync(args[1..]),
        _ => Usage(),
    };

    private static int Usage()
    {
    Console.Error.WriteLine("""
        usage: dotnet run -c Release --project tests/PosMonitor.Benchmarks -- <benchmark> [options]
          ingest [--seconds 60] [--clients 8] [--batch 1000] [--terminals 20000]
                 raw SQLite insert baseline vs end-to-end HTTP ingestion on loopback
          live   [--seconds 30] [--clients 4] [--circuits 20]
                 telemetry 202 to updated heatmap cell at a hub client under load; memory per dashboard circuit
          writer [--rate 50000] [--flush-ms 1000] [--events 400000] [--commit 8000]
                 CPU per 1,000 events of the single ingestion writer (commit + rollup flush), in-process
          scale  [--terminals 200000] [--compare 20000] [--minutes 10] [--burst-minutes 2] [--burst 5] [--recover-minutes 2] [--circuits 5]
                 [--local-hour 18] [--fault SPEC|none]
                 a whole estate at its real rate, then a burst: memory over time, detection ticks, 202 to hub, pages, fleet upsert, restart
          baselines [--terminals 200000] [--merchants 63822] [--hours 24]
                 detection baselines of a whole estate: save, load into a fresh engine, memory the engine holds for them
          heatmap [--terminals 200000] [--minutes 240] [--local-hour 18]
                 the live heatmap of a whole estate after its window filled: memory it holds, fold and query times, in-process
          incident-page [--terminals 200000] [--merchants 63822] [--minutes 10] [--history-hours 168]
                 the database reads of an incident's page for each scope type, open and resolved days ago, in-process
          detection-tick [--terminals 200000] [--merchants 63822] [--affected 50000] [--hours 24] [--runs 7]
                 the parts of a detection tick that grow with the estate and a wide incident, before and after, in-process
          startup [--terminals 200000] [--merchants 63822] [--minutes 60] [--more-minutes 120] [--sales-per-second 2200]
                 the start-up steps that read the database, before and after, at two database sizes; the portal's start to /readyz
          profile
                 CPU per 1,000 events of parsing and validation, in-process
          cluster [--seconds 20] [--clients 4] [--takeovers 2] [--redis 127.0.0.1:6379]
                 two nodes against one: ingestion, 202 to hub p95 across nodes, takeover after killing the leader
        """);
    return 2;
}
}
