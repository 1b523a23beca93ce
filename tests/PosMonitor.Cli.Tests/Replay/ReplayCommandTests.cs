using System.Text;
using System.Text.Json;
using PosMonitor.Cli.Replay;
using PosMonitor.Core.Simulation;

namespace PosMonitor.Cli.Tests.Replay;

public sealed class ReplayCommandTests : IDisposable
{
    private static readonly DateTimeOffset Start = new(2026, 11, 25, 1, 0, 0, TimeSpan.Zero);
    private readonly string _dir = Path.Combine(Path.GetTempPath(), "posmonitor-replay-" + Guid.NewGuid().ToString("N"));

    public ReplayCommandTests() => Directory.CreateDirectory(_dir);

    public void Dispose()
    {
        if (Directory.Exists(_dir)) Directory.Delete(_dir, recursive: true);
    }

    private string PathOf(string name) => Path.Combine(_dir, name);

    private static Task<(int Exit, string Out, string Err)> Run(params string[] args) => CommandRun.InvokeAsync(ReplayCommand.Create(), args);

    /// <summary>A 2-hour, 150-terminal run with a 20-minute gateway fault an hour in, written as replay files.</summary>
    private void Simulate(params string[] faults)
    {
        var simulator = new Simulator(new SimulationOptions
        {
            Terminals = 150, Seed = 3, Start = Start, Duration = TimeSpan.FromHours(2),
            Faults = faults.Select(FaultSpec.Parse).ToArray(),
        });
        SimulationFiles.Write(simulator, _dir, TestContext.Current.CancellationToken);
    }

    private Task<(int Exit, string Out, string Err)> Replay(string events = "events.ndjson", params string[] more) =>
        Run(["replay", "--fleet", PathOf("fleet.json"), "--events", PathOf(events), "--out", PathOf("incidents.ndjson"), .. more]);

    [Fact]
    public async Task Writes_one_incident_per_line_with_the_fields_of_replay_md_and_a_summary_on_stderr()
    {
        Simulate("gateway:gw-unionpay:50%:20m:at=1h");

        var (exit, output, error) = await Replay();

        Assert.True(exit == 0, error);
        Assert.Equal("", output);
        var lines = File.ReadAllLines(PathOf("incidents.ndjson"));
        Assert.NotEmpty(lines);
        var incidents = lines.Select(l => JsonDocument.Parse(l).RootElement).ToList();
        foreach (var i in incidents)
        {
            Assert.Equal(
                ["id", "scopeType", "scopeId", "cause", "severity", "openedAt", "resolvedAt", "runbookId", "title", "evidence", "affected"],
                i.EnumerateObject().Select(p => p.Name));
            Assert.Matches(@"^inc-\d{6}$", i.GetProperty("id").GetString());
            Assert.Matches(@"^2026-11-25T\d\d:\d\d:\d\d(\.\d+)?Z$", i.GetProperty("openedAt").GetString());
            Assert.True(i.GetProperty("resolvedAt").ValueKind is JsonValueKind.Null or JsonValueKind.String);
            Assert.Equal(["merchants", "terminals"], i.GetProperty("affected").EnumerateObject().Select(p => p.Name));
        }
        Assert.Equal(incidents.Select(i => i.GetProperty("openedAt").GetString()).Order(StringComparer.Ordinal),
            incidents.Select(i => i.GetProperty("openedAt").GetString()));
        var gateway = Assert.Single(incidents, i => i.GetProperty("cause").GetString() == "gateway");
        Assert.Equal(("gateway", "gw-unionpay", "critical"),
            (gateway.GetProperty("scopeType").GetString(), gateway.GetProperty("scopeId").GetString(), gateway.GetProperty("severity").GetString()));
        Assert.Matches(@"^replay: [\d,]+ events read, \d+ incidents opened .*simulated span 1h59m\d\ds from 2026-11-25T01:00:\d\dZ, wall time [\d.]+ s, [\d,]+ events/s", error.Trim());
    }

    [Fact]
    public async Task A_few_seconds_of_disorder_change_nothing()
    {
        Simulate("gateway:gw-unionpay:50%:20m:at=1h");
        await Replay();
        var ordered = File.ReadAllText(PathOf("incidents.ndjson"));
        // Swap neighbours whose timestamps are less than 3 seconds apart: a few seconds of disorder.
        var lines = File.ReadAllLines(PathOf("events.ndjson"));
        var random = new Random(1);
        for (var i = 1; i < lines.Length; i += 2)
        {
            if (random.Next(3) > 0) continue;
            var a = JsonDocument.Parse(lines[i - 1]).RootElement.GetProperty("timestamp").GetDateTimeOffset();
            var b = JsonDocument.Parse(lines[i]).RootElement.GetProperty("timestamp").GetDateTimeOffset();
            if (b - a < TimeSpan.FromSeconds(3)) (lines[i - 1], lines[i]) = (lines[i], lines[i - 1]);
        }
        File.WriteAllLines(PathOf("shuffled.ndjson"), lines);

        var (exit, _, error) = await Replay("shuffled.ndjson");

        Assert.True(exit == 0, error);
        Assert.Equal(ordered, File.ReadAllText(PathOf("incidents.ndjson")));
    }

    [Theory]
    [InlineData("""{"type":"sale","eventId":"e1"}""", "line 3: field 'type' must be heartbeat or transaction")]
    [InlineData("""{"type":"transaction","eventId":"e1","terminalId":"T-000001","timestamp":"2026-11-25T01:00:02Z","outcome":"lost","latencyMs":5}""",
        "line 3: transaction invalid_field: field 'outcome' must be one of")]
    [InlineData("""{"type":"heartbeat", "eventId": """, "line 3: not a JSON object")]
    [InlineData("""{"type":"transaction","eventId":"e1","terminalId":"T-999999","timestamp":"2026-11-25T01:00:02Z","outcome":"approved","latencyMs":5}""",
        "line 3: unknown_terminal: terminal T-999999 is not in the fleet")]
    public async Task A_bad_line_stops_the_replay_with_its_number_the_reason_and_exit_code_2(string bad, string expected)
    {
        Simulate();
        var lines = File.ReadLines(PathOf("events.ndjson")).Take(5).ToList();
        lines.Insert(2, bad);
        File.WriteAllLines(PathOf("bad.ndjson"), lines);

        var (exit, _, error) = await Replay("bad.ndjson");

        Assert.Equal(2, exit);
        Assert.Contains(expected, error);
        Assert.False(File.Exists(PathOf("incidents.ndjson")), "no output for a replay that stopped");
    }

    [Fact]
    public async Task A_resent_line_is_skipped_and_counted_in_the_summary()
    {
        Simulate();
        var lines = File.ReadLines(PathOf("events.ndjson")).ToList();
        File.WriteAllLines(PathOf("resent.ndjson"), lines.Take(3).Append(lines[1]).Concat(lines.Skip(3)));

        var (exit, _, error) = await Replay("resent.ndjson");

        Assert.Equal(0, exit);
        Assert.Contains($"{lines.Count + 1:N0} events read", error);
        Assert.Contains(", 1 duplicates skipped", error);
    }

    [Fact]
    public async Task A_line_that_is_not_utf8_stops_the_replay_with_its_number_and_the_byte()
    {
        Simulate();
        var lines = File.ReadLines(PathOf("events.ndjson")).Take(5).Select(Encoding.UTF8.GetBytes).ToList();
        var bad = lines[2];
        var at = Array.IndexOf(bad, (byte)'T'); // inside the terminal id's string
        bad[at] = 0xC3;
        using (var file = File.Create(PathOf("bad.ndjson")))
            foreach (var line in lines)
            {
                file.Write(line);
                file.WriteByte((byte)'\n');
            }

        var (exit, _, error) = await Replay("bad.ndjson");

        Assert.Equal(2, exit);
        Assert.Contains($"line 3: not UTF-8 (byte {at + 1} of the line)", error);
    }

    [Fact]
    public async Task Settings_are_read_in_the_appsettings_shape_and_as_the_bare_section()
    {
        Simulate("gateway:gw-unionpay:50%:20m:at=1h");
        File.WriteAllText(PathOf("appsettings.json"), """{ "Logging": {}, "PosMonitor": { "Detection": { "Interval": "00:00:30", "MinSurprise": 8 } } }""");
        File.WriteAllText(PathOf("bare.json"), """{ "Interval": "00:00:30", "MinSurprise": 8, "Colour": "blue" }""");

        var wrapped = await Replay("events.ndjson", "--settings", PathOf("appsettings.json"));
        var first = File.ReadAllText(PathOf("incidents.ndjson"));
        var bare = await Replay("events.ndjson", "--settings", PathOf("bare.json"));

        Assert.True(wrapped.Exit == 0, wrapped.Err);
        Assert.True(bare.Exit == 0, bare.Err);
        Assert.Equal(first, File.ReadAllText(PathOf("incidents.ndjson")));
        Assert.Contains("unknown setting 'Colour' ignored", bare.Err);
        // Checks every 30 s: every opening time is a whole multiple of 30 s after the first event.
        var firstEvent = JsonDocument.Parse(File.ReadLines(PathOf("events.ndjson")).First()).RootElement.GetProperty("timestamp").GetDateTimeOffset();
        Assert.All(File.ReadAllLines(PathOf("incidents.ndjson")), l =>
            Assert.Equal(0, (JsonDocument.Parse(l).RootElement.GetProperty("openedAt").GetDateTimeOffset() - firstEvent).Ticks % TimeSpan.FromSeconds(30).Ticks));
    }

    [Theory]
    [InlineData("""{ "PosMonitor": { "Detection": { "MinRatio": 0.5 } } }""", "MinRatio must be at least 1")]
    [InlineData("""{ "Interval": "soon" }""", "Interval")]
    [InlineData("""{ "Interval": """, "not a JSON settings file")]
    public async Task Bad_settings_stop_the_replay_with_exit_code_2(string json, string expected)
    {
        Simulate();
        File.WriteAllText(PathOf("settings.json"), json);

        var (exit, _, error) = await Replay("events.ndjson", "--settings", PathOf("settings.json"));

        Assert.Equal(2, exit);
        Assert.Contains(expected, error);
    }
}
