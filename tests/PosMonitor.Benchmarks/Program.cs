using PosMonitor.Benchmarks;

// Each benchmark measures against a baseline in the same run; figures go to README's Performance section.
return args.FirstOrDefault() switch
{
    "ingest" => await IngestBenchmark.RunAsync(args[1..]),
    _ => Usage(),
};

static int Usage()
{
    Console.Error.WriteLine("""
        usage: dotnet run -c Release --project tests/PosMonitor.Benchmarks -- <benchmark> [options]
          ingest [--seconds 60] [--clients 8] [--batch 1000] [--terminals 20000]
                 raw SQLite insert baseline vs end-to-end HTTP ingestion on loopback
        """);
    return 2;
}
