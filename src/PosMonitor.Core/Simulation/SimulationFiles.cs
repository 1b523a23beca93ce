using System.Diagnostics;
using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Serialization;
using PosMonitor.Core.Fleet;
using PosMonitor.Core.Telemetry;

namespace PosMonitor.Core.Simulation;

/// <summary>What a run produced.</summary>
public sealed record SimulationSummary(
    long Heartbeats, long Transactions, long Timeouts, long Errors, long Cancelled,
    DateTimeOffset? FirstEvent, DateTimeOffset? LastEvent, TimeSpan Elapsed)
{
    public long Events => Heartbeats + Transactions;
    public double EventsPerSecond => Elapsed.TotalSeconds > 0 ? Events / Elapsed.TotalSeconds : 0;

    internal sealed class Counter
    {
        private readonly Stopwatch _watch = Stopwatch.StartNew();
        private long _heartbeats, _transactions, _timeouts, _errors, _cancelled;
        private DateTimeOffset? _first, _last;

        public void Add(SimulatedEvent e)
        {
            // Late and skewed events come out of order: the span is the earliest and latest stamp.
            if (_first is not { } first || e.Timestamp < first) _first = e.Timestamp;
            if (_last is not { } last || e.Timestamp > last) _last = e.Timestamp;
            if (e.Heartbeat is not null) { _heartbeats++; return; }
            _transactions++;
            switch (e.Transaction!.Outcome)
            {
                case Outcome.Timeout: _timeouts++; break;
                case Outcome.Error: _errors++; break;
                case Outcome.Cancelled: _cancelled++; break;
            }
        }

        public SimulationSummary Summary() => new(_heartbeats, _transactions, _timeouts, _errors, _cancelled, _first, _last, _watch.Elapsed);
    }
}

/// <summary>
/// The replay files of a run (src/PosMonitor.Core/Replay/replay.md): <c>fleet.json</c> (the body of <c>PUT /api/v1/fleet</c>),
/// <c>events.ndjson</c> (one event per line with its <c>"type"</c>, in the order they reached the platform:
/// timestamp order give or take the relay's seconds, with the background's late events minutes behind, which
/// the replay counts at its next check as the live API does) and
/// <c>ground-truth.json</c> (<see cref="GroundTruthJson"/>).
/// </summary>
public static class SimulationFiles
{
    public const string FleetFile = "fleet.json";
    public const string EventsFile = "events.ndjson";
    public const string GroundTruthFile = "ground-truth.json";

    /// <summary>camelCase, nulls left out, non-ASCII letters kept readable: the fleet document as the API takes it.</summary>
    public static JsonSerializerOptions FleetJsonOptions { get; } = new(JsonSerializerDefaults.Web)
    {
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
        Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
        WriteIndented = true,
    };

    public static byte[] SerializeFleet(FleetDocument document) => JsonSerializer.SerializeToUtf8Bytes(document, FleetJsonOptions);

    /// <summary>Runs the simulation to its end and writes the three files into <paramref name="directory"/> (created when missing).</summary>
    /// <exception cref="InvalidOperationException">The run has no end.</exception>
    public static SimulationSummary Write(Simulator simulator, string directory, CancellationToken cancellationToken = default)
    {
        if (simulator.End is null) throw new InvalidOperationException("a run without an end cannot be written to files");
        Directory.CreateDirectory(directory);
        File.WriteAllBytes(Path.Combine(directory, FleetFile), SerializeFleet(simulator.Fleet.Document));
        using (var truth = File.Create(Path.Combine(directory, GroundTruthFile)))
            GroundTruthJson.Write(truth, simulator.GroundTruthRun());

        var counter = new SimulationSummary.Counter();
        using (var file = new FileStream(Path.Combine(directory, EventsFile), FileMode.Create, FileAccess.Write, FileShare.None, 1 << 16))
        using (var writer = new NdjsonEventWriter(file))
        {
            foreach (var e in simulator.Events())
            {
                if (e.Heartbeat is { } hb) writer.Write(hb);
                else writer.Write(e.Transaction!);
                counter.Add(e);
                if (writer.Lines % 65_536 == 0) cancellationToken.ThrowIfCancellationRequested();
            }
        }
        return counter.Summary();
    }
}
