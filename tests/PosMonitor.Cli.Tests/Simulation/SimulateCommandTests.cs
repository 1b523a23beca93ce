using System.Net;
using System.Text;
using System.Text.Json;
using PosMonitor.Cli.Simulation;
using PosMonitor.Core.Fleet;
using PosMonitor.Core.Simulation;

namespace PosMonitor.Cli.Tests.Simulation;

public sealed class SimulateCommandTests : IDisposable
{
    private readonly string _dir = Path.Combine(Path.GetTempPath(), "posmonitor-sim-" + Guid.NewGuid().ToString("N"));

    public void Dispose()
    {
        if (Directory.Exists(_dir)) Directory.Delete(_dir, recursive: true);
    }

    private static Task<(int Exit, string Out, string Err)> Run(HttpMessageHandler? handler, params string[] args) => CommandRun.InvokeAsync(SimulateCommand.Create(handler: handler), args);

    [Fact]
    public async Task Writes_fleet_events_and_ground_truth_and_prints_the_table()
    {
        var (exit, output, error) = await Run(null,
            "simulate", "--terminals", "120", "--hours", "2", "--seed", "42", "--start", "2026-11-25T00:00:00Z",
            "--fault", "gateway:gw-unionpay:40%:15m", "--fault", "network:region=east:loss=30%:20m:at=1h", "--decoys", "blip,hot_stores",
            "--out", _dir);

        Assert.Equal("", error);
        Assert.Equal(0, exit);
        Assert.Contains("gateway gw-unionpay", output);
        Assert.Contains("region east", output);
        Assert.Contains("blip", output);
        Assert.Contains("events", output);

        var fleet = JsonSerializer.Deserialize<FleetDocument>(File.ReadAllBytes(Path.Combine(_dir, "fleet.json")), JsonSerializerOptions.Web)!;
        Assert.Empty(FleetValidator.Validate(fleet, _ => false, _ => false));
        Assert.Equal(120, fleet.Merchants!.Sum(m => m.Terminals!.Count));

        // The estate's background is on: lines in the order they reached the platform, some minutes late.
        Assert.Contains("background: lost-heartbeats=0.5%", output);
        var lines = File.ReadLines(Path.Combine(_dir, "events.ndjson")).ToList();
        Assert.True(lines.Count > 5000);
        var newest = DateTimeOffset.MinValue;
        var late = 0;
        foreach (var line in lines)
        {
            var e = JsonDocument.Parse(line).RootElement;
            Assert.Contains(e.GetProperty("type").GetString(), new[] { "heartbeat", "transaction" });
            var text = e.GetProperty("timestamp").GetString()!;
            Assert.Matches(@"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$", text);
            var at = DateTimeOffset.Parse(text, System.Globalization.CultureInfo.InvariantCulture);
            Assert.True(newest - at < TimeSpan.FromMinutes(11), $"{text} comes {newest - at} after a later event");
            if (newest - at > TimeSpan.FromSeconds(10)) late++;
            if (at > newest) newest = at;
        }
        Assert.True(late > 10, $"{late} lines late");

        var truth = GroundTruthJson.Read(File.OpenRead(Path.Combine(_dir, "ground-truth.json")));
        Assert.Equal(42, truth.Seed);
        Assert.Equal(2, truth.Entries.Count(e => e.Kind == GroundTruthKind.Fault));
        Assert.Contains(truth.Entries, e => e.Spec == "blip");
        Assert.Equal(new DateTimeOffset(2026, 11, 25, 0, 30, 0, TimeSpan.Zero), truth.Entries.Single(e => e.ScopeId == "gw-unionpay" && e.Kind == GroundTruthKind.Fault).Start);
    }

    [Fact]
    public async Task Without_background_lines_are_in_timestamp_order()
    {
        var (exit, output, _) = await Run(null,
            "simulate", "--terminals", "60", "--hours", "1", "--seed", "42", "--start", "2026-11-25T02:00:00Z", "--background", "none", "--out", _dir);

        Assert.Equal(0, exit);
        Assert.Contains("background: none", output);
        var stamps = File.ReadLines(Path.Combine(_dir, "events.ndjson")).Select(l => JsonDocument.Parse(l).RootElement.GetProperty("timestamp").GetString()!).ToList();
        Assert.True(stamps.Count > 2000);
        Assert.Equal(stamps.Order(StringComparer.Ordinal), stamps);
    }

    [Fact]
    public async Task One_background_rate_can_be_changed_and_the_rest_stay_the_default()
    {
        var (exit, output, _) = await Run(null,
            "simulate", "--terminals", "20", "--hours", "1", "--start", "2026-11-25T02:00:00Z", "--background", "lost-heartbeats=1%,paper-roll=0", "--out", _dir);

        Assert.Equal(0, exit);
        Assert.Contains($"background: {BackgroundNoise.Default with { LostHeartbeatRate = 0.01, SalesPerPaperRoll = 0 }}", output);
    }

    [Fact]
    public async Task The_same_command_twice_writes_the_same_files()
    {
        string[] args = ["simulate", "--terminals", "40", "--hours", "1", "--seed", "9", "--start", "2026-11-25T02:00:00Z", "--fault", "server:30%:10m"];
        await Run(null, [.. args, "--out", Path.Combine(_dir, "a")]);
        await Run(null, [.. args, "--out", Path.Combine(_dir, "b")]);

        foreach (var file in new[] { "fleet.json", "events.ndjson", "ground-truth.json" })
            Assert.Equal(File.ReadAllBytes(Path.Combine(_dir, "a", file)), File.ReadAllBytes(Path.Combine(_dir, "b", file)));
    }

    [Theory]
    [InlineData("--fault", "gateway:region=east", "concentrates on one gateway")]
    [InlineData("--fault", "gateway:gw-nowhere", "gateway 'gw-nowhere' is not in the fleet")]
    [InlineData("--decoys", "ghost", "unknown decoy 'ghost'")]
    [InlineData("--start", "yesterday", "--start 'yesterday'")]
    [InlineData("--speed", "60", "--speed paces sending")]
    [InlineData("--background", "sometimes", "unknown setting 'sometimes'")]
    [InlineData("--background", "late-delivery=200%", "late-delivery must be from 0 to 100%")]
    public async Task Bad_input_is_refused_with_the_reason_and_exit_code_2(string option, string value, string reason)
    {
        var (exit, _, error) = await Run(null, "simulate", "--terminals", "20", "--hours", "1", option, value, "--out", _dir);

        Assert.Equal(2, exit);
        Assert.Contains(reason, error);
        Assert.False(File.Exists(Path.Combine(_dir, "events.ndjson")));
    }

    [Fact]
    public async Task Needs_either_out_or_server()
    {
        var (exit, _, error) = await Run(null, "simulate", "--terminals", "20");

        Assert.Equal(2, exit);
        Assert.Contains("either --out DIR or --server URL", error);
    }

    private sealed class FakeServer : HttpMessageHandler
    {
        public List<(HttpMethod Method, string Path, string? Key, int Events)> Requests { get; } = [];
        public int Busy { get; set; } = 1;

        protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            var body = await request.Content!.ReadAsStringAsync(cancellationToken);
            var key = request.Headers.TryGetValues("X-Api-Key", out var keys) ? keys.Single() : null;
            if (request.Method == HttpMethod.Put)
            {
                Requests.Add((request.Method, request.RequestUri!.AbsolutePath, key, 0));
                return Reply(HttpStatusCode.OK, """{ "regions": 5, "gateways": 3, "merchants": 10, "terminals": 30 }""");
            }
            var json = JsonDocument.Parse(body).RootElement;
            var count = json.GetProperty("heartbeats").GetArrayLength() + json.GetProperty("transactions").GetArrayLength();
            Requests.Add((request.Method, request.RequestUri!.AbsolutePath, key, count));
            if (Busy-- > 0)
            {
                var busy = Reply(HttpStatusCode.TooManyRequests, "{}");
                busy.Headers.RetryAfter = new System.Net.Http.Headers.RetryConditionHeaderValue(TimeSpan.Zero);
                return busy;
            }
            return Reply(HttpStatusCode.Accepted, $$"""{ "accepted": {{count - 1}}, "duplicates": 1, "rejected": [] }""");
        }

        private static HttpResponseMessage Reply(HttpStatusCode status, string body) =>
            new(status) { Content = new StringContent(body, Encoding.UTF8, "application/json") };
    }

    [Fact]
    public async Task Sends_the_fleet_then_batches_to_a_server_and_reports_what_it_accepted()
    {
        var server = new FakeServer();

        var (exit, output, error) = await Run(server,
            "simulate", "--terminals", "30", "--hours", "1", "--seed", "5", "--server", "http://127.0.0.1:5000", "--api-key", "admin-key",
            "--fault", "server:20%:10m");

        Assert.Equal(0, exit);
        Assert.DoesNotContain("warning", error);
        Assert.Equal((HttpMethod.Put, "/api/v1/fleet", "admin-key"), (server.Requests[0].Method, server.Requests[0].Path, server.Requests[0].Key));
        var posts = server.Requests.Skip(1).ToList();
        Assert.All(posts, p => Assert.Equal(("/api/v1/telemetry", "admin-key"), (p.Path, p.Key)));
        Assert.All(posts, p => Assert.InRange(p.Events, 1, 1000));
        Assert.Equal(posts[0].Events, posts[1].Events);
        Assert.Contains("fleet: 5 regions, 3 gateways, 10 merchants, 30 terminals", output);
        Assert.Contains("(1 retried)", output);
        Assert.Matches(@"accepted [\d,]+, duplicates \d+, rejected 0", output);
        Assert.Contains("server", output);
    }

    [Fact]
    public async Task Server_without_a_key_is_refused()
    {
        Environment.SetEnvironmentVariable("POSMONITOR_API_KEY", null);
        var (exit, _, error) = await Run(new FakeServer(), "simulate", "--server", "http://127.0.0.1:5000");

        Assert.Equal(2, exit);
        Assert.Contains("--api-key", error);
    }
}
