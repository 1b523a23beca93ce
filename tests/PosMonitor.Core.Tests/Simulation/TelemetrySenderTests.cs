using System.Net;
using System.Text;
using System.Text.Json;
using PosMonitor.Core.Simulation;
using static PosMonitor.Core.Tests.Simulation.SimulationRuns;

namespace PosMonitor.Core.Tests.Simulation;

public class TelemetrySenderTests
{
    private static readonly Uri Server = new("http://127.0.0.1:5000");

    /// <summary>Fires every timer at once and remembers the waits, on a clock that jumps by them.</summary>
    private sealed class InstantTime : TimeProvider
    {
        private readonly Lock _lock = new();
        private DateTimeOffset _now = new(2026, 11, 25, 12, 0, 0, TimeSpan.Zero);

        public List<TimeSpan> Delays { get; } = [];

        public override DateTimeOffset GetUtcNow()
        {
            lock (_lock) return _now;
        }

        public override ITimer CreateTimer(TimerCallback callback, object? state, TimeSpan dueTime, TimeSpan period)
        {
            if (dueTime != Timeout.InfiniteTimeSpan)
            {
                lock (_lock)
                {
                    Delays.Add(dueTime);
                    _now += dueTime;
                }
                ThreadPool.QueueUserWorkItem(_ => callback(state));
            }
            return new Idle();
        }

        private sealed class Idle : ITimer
        {
            public bool Change(TimeSpan dueTime, TimeSpan period) => true;
            public void Dispose() { }
            public ValueTask DisposeAsync() => ValueTask.CompletedTask;
        }
    }

    private sealed record Seen(HttpMethod Method, Uri Uri, string? ApiKey, string? ContentType, string Body);

    private sealed class StubServer(Func<Seen, int, HttpResponseMessage> respond) : HttpMessageHandler
    {
        public List<Seen> Requests { get; } = [];

        protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            var seen = new Seen(request.Method, request.RequestUri!, request.Headers.TryGetValues("X-Api-Key", out var keys) ? keys.Single() : null,
                request.Content?.Headers.ContentType?.MediaType, request.Content is null ? "" : await request.Content.ReadAsStringAsync(cancellationToken));
            Requests.Add(seen);
            return respond(seen, Requests.Count);
        }
    }

    private static HttpResponseMessage Accepted(Seen seen)
    {
        var body = JsonDocument.Parse(seen.Body).RootElement;
        var count = body.GetProperty("heartbeats").GetArrayLength() + body.GetProperty("transactions").GetArrayLength();
        return Json(HttpStatusCode.Accepted, $$"""{ "accepted": {{count}}, "duplicates": 0, "rejected": [] }""");
    }

    private static HttpResponseMessage Json(HttpStatusCode status, string body) =>
        new(status) { Content = new StringContent(body, Encoding.UTF8, status < HttpStatusCode.BadRequest ? "application/json" : "application/problem+json") };

    private static (TelemetrySender Sender, StubServer Server, InstantTime Time) Sender(Func<Seen, int, HttpResponseMessage> respond, Uri? server = null)
    {
        var stub = new StubServer(respond);
        var time = new InstantTime();
        return (new TelemetrySender(new HttpClient(stub), server ?? Server, "secret-key", new TelemetrySenderOptions { Time = time }), stub, time);
    }

    private static List<SimulatedEvent> Events(int count) => Baseline.Take(count).ToList();

    [Fact]
    public async Task Puts_the_fleet_with_the_api_key_and_reads_the_counts()
    {
        var (sender, stub, _) = Sender((_, _) => Json(HttpStatusCode.OK, """{ "regions": 5, "gateways": 4, "merchants": 120, "terminals": 300 }"""));
        var fleet = FleetGenerator.Generate(300, 7).Document;

        var result = await sender.PutFleetAsync(fleet, TestContext.Current.CancellationToken);

        Assert.Equal(new FleetUploadResult(5, 4, 120, 300), result);
        var request = Assert.Single(stub.Requests);
        Assert.Equal(HttpMethod.Put, request.Method);
        Assert.Equal("http://127.0.0.1:5000/api/v1/fleet", request.Uri.ToString());
        Assert.Equal("secret-key", request.ApiKey);
        Assert.Equal("application/json", request.ContentType);
        Assert.Equal(300, JsonDocument.Parse(request.Body).RootElement.GetProperty("merchants").EnumerateArray().Sum(m => m.GetProperty("terminals").GetArrayLength()));
    }

    [Fact]
    public async Task Sends_batches_of_at_most_a_thousand_events()
    {
        var (sender, stub, _) = Sender((seen, _) => Accepted(seen));

        var totals = await sender.SendAsync(Events(2500), cancellationToken: TestContext.Current.CancellationToken);

        Assert.Equal([1000, 1000, 500], stub.Requests.Select(r =>
        {
            var body = JsonDocument.Parse(r.Body).RootElement;
            return body.GetProperty("heartbeats").GetArrayLength() + body.GetProperty("transactions").GetArrayLength();
        }));
        Assert.All(stub.Requests, r => Assert.Equal("http://127.0.0.1:5000/api/v1/telemetry", r.Uri.ToString()));
        Assert.Equal((2500L, 2500L, 0L, 3, 0), (totals.Sent, totals.Accepted, totals.Rejected, totals.Requests, totals.Retries));
    }

    [Theory]
    [InlineData(HttpStatusCode.TooManyRequests)]
    [InlineData(HttpStatusCode.ServiceUnavailable)]
    public async Task Waits_as_long_as_Retry_After_says_then_resends_the_same_batch(HttpStatusCode status)
    {
        var (sender, stub, time) = Sender((seen, n) =>
        {
            if (n > 1) return Accepted(seen);
            var busy = Json(status, """{ "title": "busy" }""");
            busy.Headers.RetryAfter = new System.Net.Http.Headers.RetryConditionHeaderValue(TimeSpan.FromSeconds(7));
            return busy;
        });

        var totals = await sender.SendAsync(Events(10), cancellationToken: TestContext.Current.CancellationToken);

        Assert.Equal([TimeSpan.FromSeconds(7)], time.Delays);
        Assert.Equal(2, stub.Requests.Count);
        Assert.Equal(stub.Requests[0].Body, stub.Requests[1].Body);
        Assert.Equal((10L, 1), (totals.Accepted, totals.Retries));
    }

    [Fact]
    public async Task Retry_After_as_a_date_is_honoured_too()
    {
        var (sender, _, time) = Sender((seen, n) =>
        {
            if (n > 1) return Accepted(seen);
            var busy = Json(HttpStatusCode.ServiceUnavailable, "{}");
            busy.Headers.RetryAfter = new System.Net.Http.Headers.RetryConditionHeaderValue(new DateTimeOffset(2026, 11, 25, 12, 0, 30, TimeSpan.Zero));
            return busy;
        });

        await sender.SendAsync(Events(3), cancellationToken: TestContext.Current.CancellationToken);

        Assert.Equal([TimeSpan.FromSeconds(30)], time.Delays);
    }

    [Fact]
    public async Task A_failed_connection_is_retried_with_growing_waits()
    {
        var (sender, stub, time) = Sender((seen, n) => n <= 3 ? throw new HttpRequestException("connection refused") : Accepted(seen));

        var totals = await sender.SendAsync(Events(5), cancellationToken: TestContext.Current.CancellationToken);

        Assert.Equal([TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(2), TimeSpan.FromSeconds(4)], time.Delays);
        Assert.Equal((5L, 3), (totals.Accepted, totals.Retries));
        Assert.Equal(4, stub.Requests.Count);
    }

    [Fact]
    public async Task A_refused_request_stops_at_once_with_the_servers_reason()
    {
        var (sender, stub, _) = Sender((_, _) => Json(HttpStatusCode.Forbidden, """{ "title": "Forbidden", "detail": "key lacks ingest scope" }"""));

        var e = await Assert.ThrowsAsync<TelemetrySendException>(() => sender.SendAsync(Events(5), cancellationToken: TestContext.Current.CancellationToken));

        Assert.Equal(HttpStatusCode.Forbidden, e.Status);
        Assert.Contains("key lacks ingest scope", e.Message);
        Assert.Single(stub.Requests);
    }

    [Fact]
    public async Task Gives_up_after_the_last_attempt()
    {
        var stub = new StubServer((_, _) => Json(HttpStatusCode.ServiceUnavailable, "{}"));
        var sender = new TelemetrySender(new HttpClient(stub), Server, "k", new TelemetrySenderOptions { Time = new InstantTime(), MaxAttempts = 3 });

        var e = await Assert.ThrowsAsync<TelemetrySendException>(() => sender.SendAsync(Events(5), cancellationToken: TestContext.Current.CancellationToken));

        Assert.Contains("failed 3 times", e.Message);
        Assert.Equal(3, stub.Requests.Count);
    }

    [Fact]
    public async Task Rejections_and_duplicates_are_added_up()
    {
        var (sender, _, _) = Sender((_, _) => Json(HttpStatusCode.Accepted, """
            { "accepted": 7, "duplicates": 1, "rejected": [
                { "kind": "transaction", "index": 2, "eventId": "e-2", "code": "unknown_terminal", "message": "terminal T-9 is not registered" },
                { "kind": "heartbeat", "index": 0, "eventId": "e-0", "code": "timestamp_out_of_range", "message": "too old" } ] }
            """));

        var totals = await sender.SendAsync(Events(10), cancellationToken: TestContext.Current.CancellationToken);

        Assert.Equal((7L, 1L, 2L), (totals.Accepted, totals.Duplicates, totals.Rejected));
        Assert.Equal(1, totals.RejectedByCode["unknown_terminal"]);
        Assert.Equal("e-2", totals.FirstRejections[0].EventId);
    }

    [Fact]
    public async Task Paced_sending_spreads_events_over_simulated_time_divided_by_speed()
    {
        var (sender, stub, time) = Sender((seen, _) => Accepted(seen));
        var events = Baseline.TakeWhile(e => e.Timestamp < Start.AddMinutes(10)).ToList();

        var totals = await sender.SendAsync(events, speed: 60, cancellationToken: TestContext.Current.CancellationToken);

        var waited = time.Delays.Aggregate(TimeSpan.Zero, (a, b) => a + b);
        Assert.InRange(waited.TotalSeconds, 9, 10.01);
        Assert.True(stub.Requests.Count > 100, "events go out as they fall due, not in one lump");
        Assert.Equal(events.Count, totals.Accepted);
    }

    [Fact]
    public async Task A_server_url_with_a_path_keeps_it()
    {
        var (sender, stub, _) = Sender((seen, _) => Accepted(seen), new Uri("http://example.test/portal"));

        await sender.SendAsync(Events(1), cancellationToken: TestContext.Current.CancellationToken);

        Assert.Equal("http://example.test/portal/api/v1/telemetry", stub.Requests[0].Uri.ToString());
    }
}
